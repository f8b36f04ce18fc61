"""The fake Microsoft identity platform + Graph as a pytest fixture, and a connected host.

Import explicitly where needed::

    from tests.integrations.fixtures_microsoft import connect_microsoft, fake_microsoft_fixture

(the fixture is named ``fake_microsoft``; importing it under its function name keeps test
parameters from shadowing the import).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations.models import CalendarConnection, Provider
from tests.factories import MembershipFactory
from tests.integrations import fake_microsoft as fake_server
from workestra.models import User


@pytest.fixture(name="fake_microsoft")
def fake_microsoft_fixture(settings) -> Iterator[fake_server.FakeMicrosoft]:
    """The fake, running over HTTPS, with the MICROSOFT_* settings pointing at it."""
    fake = fake_server.start()
    settings.MICROSOFT_CLIENT_ID = fake_server.CLIENT_ID
    settings.MICROSOFT_CLIENT_SECRET = fake_server.CLIENT_SECRET
    settings.MICROSOFT_AUTHORITY = fake.authority
    settings.MICROSOFT_GRAPH_BASE = fake.graph_base
    settings.MICROSOFT_CA_BUNDLE = fake.ca_file
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        fake_server.stop(fake)


def connect_microsoft(
    fake: fake_server.FakeMicrosoft,
    user: User | None = None,
    *,
    account: str = fake_server.DEFAULT_ACCOUNT,
) -> CalendarConnection:
    """A host (a new one unless ``user`` is given) who connected ``account``: a refresh token
    and a valid access token, both stored encrypted."""
    if user is None:
        user = MembershipFactory(user__timezone="Europe/Berlin").user
    membership = user.memberships.select_related("workspace").first()
    tokens = fake.issue_tokens(account)
    connection = CalendarConnection(
        workspace=membership.workspace,
        user=user,
        provider=Provider.MICROSOFT,
        account=account,
        scopes=tokens["scope"],
        access_expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
    )
    connection.secret = tokens["refresh_token"]
    connection.access_token = tokens["access_token"]
    connection.save()
    return connection
