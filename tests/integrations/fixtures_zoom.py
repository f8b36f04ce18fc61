"""Fixtures for code that talks to Zoom: the fake Zoom running, and a host's connected account.

``fake_zoom`` starts the fake server and points every Zoom setting (and an encryption key for the
stored tokens) at it; ``connect_zoom`` saves a host's Zoom connection with tokens the fake issued.
Bind the fixture in a test module as ``fake_zoom = fixtures_zoom.fake_zoom``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations.models import CalendarConnection, Provider
from tests.factories import MembershipFactory
from tests.integrations import fake_zoom as server
from workestra.models import Membership, User, Workspace


@pytest.fixture
def fake_zoom(settings) -> Iterator[server.FakeZoom]:
    fake = server.start()
    settings.ZOOM_CLIENT_ID = server.CLIENT_ID
    settings.ZOOM_CLIENT_SECRET = server.CLIENT_SECRET
    settings.ZOOM_OAUTH_BASE = fake.base_url
    settings.ZOOM_API_BASE = f"{fake.base_url}/v2"
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    try:
        yield fake
    finally:
        server.stop(fake)


def connect_zoom(
    fake: server.FakeZoom,
    user: User | None = None,
    *,
    workspace: Workspace | None = None,
    email: str = server.ACCOUNT,
    access_expires_at: datetime | None = None,
) -> CalendarConnection:
    """``user``'s Zoom account, connected: tokens the fake issued, stored encrypted.

    The workspace defaults to the user's first one (a new member and workspace when no user is
    given). ``access_expires_at`` defaults to an hour from now; a past one makes the next call
    refresh.
    """
    if user is None:
        membership = MembershipFactory(**({"workspace": workspace} if workspace else {}))
        user, workspace = membership.user, membership.workspace
    if workspace is None:
        first = Membership.objects.filter(user=user).order_by("pk").first()
        workspace = first.workspace if first else MembershipFactory(user=user).workspace
    refresh, access = fake.grant(email)
    connection = CalendarConnection(
        workspace=workspace,
        user=user,
        provider=Provider.ZOOM,
        account=email,
        access_expires_at=access_expires_at or timezone.now() + timedelta(hours=1),
    )
    connection.secret = refresh
    connection.access_token = access
    connection.save()
    return connection
