"""The fake GoTo sign-in and meetings API as a pytest fixture, and a host who connected GoTo.

Bind the fixture in a test module as ``fake_goto_fixture = fixtures_goto.fake_goto_fixture``
(it is named ``fake_goto``; the other name keeps test parameters from shadowing it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations.models import CalendarConnection, Provider
from tests.factories import MembershipFactory
from tests.integrations import fake_goto as fake_server
from workestra.models import User


@pytest.fixture(name="fake_goto")
def fake_goto_fixture(settings) -> Iterator[fake_server.FakeGoTo]:
    """The fake, running over HTTP, with the GOTO_* settings pointing at it."""
    fake = fake_server.start()
    settings.GOTO_CLIENT_ID = fake_server.CLIENT_ID
    settings.GOTO_CLIENT_SECRET = fake_server.CLIENT_SECRET
    settings.GOTO_AUTH_BASE = fake.base_url
    settings.GOTO_API_BASE = fake.base_url
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        fake_server.stop(fake)


def connect_goto(
    fake: fake_server.FakeGoTo,
    user: User | None = None,
    *,
    account: str = fake_server.ACCOUNT,
) -> CalendarConnection:
    """A host (a new one unless ``user`` is given) who connected ``account``: a refresh token
    and a valid access token, both stored encrypted."""
    if user is None:
        user = MembershipFactory(user__timezone="Europe/Berlin").user
    membership = user.memberships.select_related("workspace").first()
    assert membership is not None
    refresh, access = fake.grant(account)
    connection = CalendarConnection(
        workspace=membership.workspace,
        user=user,
        provider=Provider.GOTOMEETING,
        account=account,
        access_expires_at=timezone.now() + timedelta(seconds=fake_server.ACCESS_TOKEN_SECONDS),
    )
    connection.secret = refresh
    connection.access_token = access
    connection.save()
    return connection
