"""Benchmark: one host's year of calendar events synced into the busy-time cache, then one change.

The provider is the fake Google Calendar the tests use (the real Google SDK talks to it over
HTTP on 127.0.0.1), so the figures count real requests and real parsing; the data is created in
a transaction that is rolled back.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils import timezone

from availability.models import ExternalBusy
from integrations.calendars.sync import calendar_sync
from integrations.models import Calendar, CalendarConnection
from workestra.models import Membership, User, Workspace


@dataclass(frozen=True)
class SyncFigures:
    events: int
    cached: int
    full_calls: int
    full_ms: float
    incremental_calls: int
    incremental_ms: float


def sync_scenario(events: int) -> SyncFigures:
    """Call inside ``rolled_back()``: needs the test tree (the fake Google) importable."""
    from tests.integrations import fake_google

    fake = fake_google.start()
    try:
        _point_settings_at(fake)
        calendar = _connected_calendar(fake)
        ids = _fill(fake, events)
        now = timezone.now()
        began = time.perf_counter()
        full = calendar_sync(calendar, now=now, on_change=_ignore)
        full_ms = (time.perf_counter() - began) * 1000
        fake.move_event(ids[0], *_slot(now + timedelta(days=3), hour=15))
        began = time.perf_counter()
        incremental = calendar_sync(calendar, now=now, on_change=_ignore)
        incremental_ms = (time.perf_counter() - began) * 1000
        cached = ExternalBusy.objects.filter(calendar_id=str(calendar.pk)).count()
        return SyncFigures(events, cached, full.calls, full_ms, incremental.calls, incremental_ms)
    finally:
        fake_google.stop(fake)


def _ignore(change: Any) -> None:
    pass


def _point_settings_at(fake: Any) -> None:
    from tests.integrations import fake_google

    settings.GOOGLE_CLIENT_ID = fake_google.CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = fake_google.CLIENT_SECRET
    settings.GOOGLE_TOKEN_URI = f"{fake.base_url}/token"
    settings.GOOGLE_API_BASE = fake.base_url
    if not settings.ENCRYPTION_KEYS:
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


def _connected_calendar(fake: Any) -> Calendar:
    from tests.integrations.fake_google_calendar import ACCOUNT

    workspace = Workspace.objects.create(name="Benchmark", slug=f"bench-sync-{time.time_ns()}")
    user = User.objects.create(email=f"sync-{workspace.slug}@example.com", name="Host")
    Membership.objects.create(workspace=workspace, user=user)
    refresh, access = fake.grant(ACCOUNT)
    connection = CalendarConnection(
        workspace=workspace, user=user, provider="google", account=ACCOUNT
    )
    connection.secret = refresh
    connection.access_token = access
    connection.access_expires_at = timezone.now() + timedelta(hours=1)
    connection.save()
    return Calendar.objects.create(
        connection=connection,
        user=user,
        external_id=ACCOUNT,
        name=ACCOUNT,
        check_conflicts=True,
        receives_bookings=True,
    )


def _fill(fake: Any, count: int) -> list[str]:
    """``count`` meetings over the coming year (the sync window reads about half a year)."""
    from tests.integrations.fake_google_calendar import ACCOUNT

    rng = random.Random(count)
    today = timezone.now()
    return [
        fake.add_event(
            ACCOUNT, *_slot(today + timedelta(days=rng.randrange(365)), hour=rng.randrange(8, 17))
        )
        for _ in range(count)
    ]


def _slot(day: datetime, *, hour: int) -> tuple[datetime, datetime]:
    start = day.replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(minutes=30)
