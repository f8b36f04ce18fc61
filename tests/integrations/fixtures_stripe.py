"""Fixtures for paid bookings: localstripe running for the session, the fake Stripe front for
each test (``STRIPE_API_BASE`` pointed at it), and a workspace's connected Stripe account.
Bind them in a test module as ``fake_stripe = fixtures_stripe.fake_stripe`` (and
``localstripe_url = fixtures_stripe.localstripe_url``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from integrations.models import StripeAccount
from tests.integrations import fake_stripe as server
from workestra.models import Workspace


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    process, url = server.start_localstripe()
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def fake_stripe(settings, localstripe_url) -> Iterator[server.FakeStripe]:
    fake = server.start(localstripe_url)
    settings.STRIPE_API_BASE = fake.base_url
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        server.stop(fake)


def connect_stripe(workspace: Workspace) -> StripeAccount:
    account = StripeAccount(workspace=workspace, account_name="Acme Ltd")
    account.api_key = server.API_KEY
    account.webhook_secret = server.WEBHOOK_SECRET
    account.save()
    return account
