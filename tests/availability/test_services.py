"""Time off written through the availability services, read back through the selectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from availability import selectors
from availability.models import TimeOff
from availability.services import time_off_create, time_off_delete

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 7, 6, 9, 0, tzinfo=BERLIN)
END = datetime(2026, 7, 6, 17, 0, tzinfo=BERLIN)


def away(host_id: int, *, start: datetime, end: datetime) -> bool:
    """Whether the engine's busy-time query sees the host away at some point of the window."""
    return bool(selectors.hosts_away([host_id], start=start, end=end).get(host_id))


def test_time_off_takes_the_host_out_of_the_covered_time(workspace, owner, teammate):
    entry = time_off_create(
        workspace=workspace,
        user=teammate,
        start=START,
        end=END,
        reason="  Dentist  ",
        created_by=owner,
    )

    stored = TimeOff.objects.get()
    assert (stored.pk, stored.user, stored.created_by, stored.reason) == (
        entry.pk,
        teammate,
        owner,
        "Dentist",
    )
    assert stored.start == START.astimezone(UTC) and stored.end == END.astimezone(UTC)
    assert away(teammate.pk, start=END - timedelta(hours=1), end=END)
    assert not away(teammate.pk, start=END, end=END + timedelta(hours=1))
    assert not away(owner.pk, start=START, end=END)


def test_time_off_that_ends_before_it_starts_is_refused_by_the_database(workspace, owner):
    with pytest.raises(IntegrityError):
        time_off_create(workspace=workspace, user=owner, start=END, end=START, created_by=owner)


def test_deleting_time_off_offers_the_host_again(workspace, owner):
    entry = time_off_create(workspace=workspace, user=owner, start=START, end=END, created_by=owner)

    time_off_delete(entry=entry)

    assert not TimeOff.objects.exists()
    assert not away(owner.pk, start=START, end=END)
