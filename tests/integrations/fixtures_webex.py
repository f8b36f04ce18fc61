"""Fixtures for code that talks to Webex: the fake Webex running, and a host's connection.

``fake_webex`` starts the fake server and points the Webex settings (and an encryption key for
the stored tokens) at it; ``connect_webex(fake, user)`` is that host's connected Webex account.
Bind the fixture by name in a test module (``fake_webex = fixtures_webex.fake_webex``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations.models import CalendarConnection, Provider
from integrations.webex.client import SCOPES
from tests.integrations import fake_webex as server
from workestra.models import Membership, User


@pytest.fixture
def fake_webex(settings) -> Iterator[server.FakeWebex]:
    fake = server.start()
    settings.WEBEX_CLIENT_ID = server.CLIENT_ID
    settings.WEBEX_CLIENT_SECRET = server.CLIENT_SECRET
    settings.WEBEX_API_BASE = fake.base_url
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        server.stop(fake)


def connect_webex(
    fake: server.FakeWebex,
    user: User,
    *,
    email: str = server.ACCOUNT,
    access_expires_at: datetime | None = None,
) -> CalendarConnection:
    """``user``'s Webex account, connected in their first workspace: tokens the fake issued,
    stored encrypted. A past ``access_expires_at`` makes the next call refresh first."""
    membership = Membership.objects.filter(user=user).order_by("pk").first()
    assert membership is not None, "the host needs a workspace"
    refresh, access = fake.grant(email)
    connection = CalendarConnection(
        workspace=membership.workspace,
        user=user,
        provider=Provider.WEBEX,
        account=email,
        access_expires_at=access_expires_at or timezone.now() + timedelta(days=14),
        scopes=" ".join(SCOPES),
    )
    connection.secret = refresh
    connection.access_token = access
    connection.save()
    return connection
