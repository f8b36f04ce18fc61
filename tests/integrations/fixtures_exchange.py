"""The fake EWS server as a fixture, and a host's Exchange connection to it.

Import explicitly: ``from tests.integrations.fixtures_exchange import fake_ews, exchange_connection``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integrations.models import CalendarConnection, Provider
from tests.factories import MembershipFactory
from tests.integrations import fake_ews as fake_ews_server
from workestra.lib import crypto


@pytest.fixture
def fake_ews(settings) -> Iterator[fake_ews_server.FakeEWS]:
    """A running fake Exchange server; loopback allowed and an encryption key for passwords."""
    settings.CALENDAR_ALLOW_LOOPBACK = True
    settings.ENCRYPTION_KEYS = [crypto.new_key()]
    fake = fake_ews_server.start()
    try:
        yield fake
    finally:
        fake_ews_server.stop(fake)


def connect(fake: fake_ews_server.FakeEWS, user=None) -> CalendarConnection:
    """A host's saved connection to ``fake``, as the settings page stores it."""
    membership = (
        user.memberships.first()
        if user is not None
        else MembershipFactory(user__email=fake_ews_server.USERNAME)
    )
    connection = CalendarConnection(
        workspace=membership.workspace,
        user=membership.user,
        provider=Provider.EXCHANGE,
        account=fake_ews_server.USERNAME,
        server_url=fake.url,
        username=fake_ews_server.USERNAME,
    )
    connection.secret = fake_ews_server.PASSWORD
    connection.save()
    return connection


@pytest.fixture
def exchange_connection(db, fake_ews) -> CalendarConnection:
    return connect(fake_ews)
