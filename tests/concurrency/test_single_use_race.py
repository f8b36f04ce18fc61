"""Twenty tabs booking through one single-use link at once, each at a different free time: the
token's row is locked inside the booking's transaction, so exactly one booking is made."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client

from booking import single_use
from booking.models import Booking, SingleUseLink
from crm.models import Contact
from tests.factories import LinkFactory, MembershipFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
THREADS = 20
BERLIN = ZoneInfo("Europe/Berlin")


def starts() -> list[str]:
    """Twenty different free half hours: all of Tuesday, then Wednesday morning."""
    days = [datetime(2026, 11, 24, 9, tzinfo=BERLIN), datetime(2026, 11, 25, 9, tzinfo=BERLIN)]
    found = [day + timedelta(minutes=30 * n) for day in days for n in range(16)]
    return [moment.isoformat() for moment in found[:THREADS]]


def test_twenty_tabs_through_one_token_give_exactly_one_booking(frozen, settings):
    settings.RATELIMIT_BOOKINGS_PER_MINUTE = 1000
    host = MembershipFactory().user
    workspace = host.memberships.get().workspace
    link = LinkFactory(workspace=workspace, owner=host, slug="race")
    contact = Contact.objects.create(workspace=workspace, email="alice@example.com")
    token = single_use.create(link=link, contact=contact).token
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(start: str) -> None:
        barrier.wait()
        try:
            response = Client().post(
                link.public_path,
                {
                    "start": start,
                    "duration": "30",
                    "timezone": "Europe/Berlin",
                    "name": "Alice",
                    "email": "alice@example.com",
                    "single_use": token,
                },
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in starts()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [302] + [400] * (THREADS - 1)
    booking = Booking.objects.get()
    single = SingleUseLink.objects.get()
    assert single.consumed_by_booking_id == booking.pk and single.consumed_at is not None
