"""Fixtures for code that talks to Google Calendar: the fake Google running, and a connection.

``fake_google`` starts the fake server and points every Google setting (and an encryption key
for the stored tokens) at it; ``google_connection`` is a host's connected Google account.
Import the fixtures by name into a test module, or list this module in ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations.google.oauth import SCOPES
from integrations.models import CalendarConnection, Provider
from tests.factories import MembershipFactory
from tests.integrations import fake_google as server
from workestra.models import User, Workspace


@pytest.fixture
def fake_google(settings) -> Iterator[server.FakeGoogle]:
    fake = server.start()
    settings.GOOGLE_CLIENT_ID = server.CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = server.CLIENT_SECRET
    settings.GOOGLE_AUTH_URI = f"{fake.base_url}/o/oauth2/v2/auth"
    settings.GOOGLE_TOKEN_URI = f"{fake.base_url}/token"
    settings.GOOGLE_REVOKE_URI = f"{fake.base_url}/revoke"
    settings.GOOGLE_API_BASE = fake.base_url
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        server.stop(fake)


def connect(
    fake: server.FakeGoogle,
    *,
    user: User | None = None,
    workspace: Workspace | None = None,
    email: str = server.ACCOUNT,
    access_expires_at: datetime | None = None,
) -> CalendarConnection:
    """A host's Google account, connected: tokens the fake issued, stored encrypted.

    ``access_expires_at`` defaults to an hour from now; a past one makes the next call refresh.
    """
    if user is None or workspace is None:
        membership = MembershipFactory(**({"workspace": workspace} if workspace else {}))
        user = user or membership.user
        workspace = workspace or membership.workspace
    refresh, access = fake.grant(email)
    connection = CalendarConnection(
        workspace=workspace,
        user=user,
        provider=Provider.GOOGLE,
        account=email,
        access_expires_at=access_expires_at or timezone.now() + timedelta(hours=1),
        scopes=" ".join(SCOPES),
    )
    connection.secret = refresh
    connection.access_token = access
    connection.save()
    return connection


@pytest.fixture
def google_connection(fake_google, db) -> CalendarConnection:
    return connect(fake_google)
