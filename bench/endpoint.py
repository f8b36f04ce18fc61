"""Benchmark scenario 4: the public slots endpoint over a round-robin of 50 hosts in the database.

Everything is created inside a transaction that is rolled back afterwards, so the command can run
against any database without leaving rows behind.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from availability.models import ExternalBusy
from booking.models import Booking, BookingLink, LinkHost, Reservation
from workestra.models import Membership, User, Workspace

ZONE = ZoneInfo("America/New_York")
BUSY_LENGTHS = (timedelta(minutes=30), timedelta(minutes=60))


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def endpoint_scenario(host_count: int) -> tuple[Callable[[], Any], int]:
    """Build the data (call inside :func:`rolled_back`); return the request and its query count.

    One month of Mon-Fri 09:00-17:00 New York, three random busy blocks per host per day (one a
    booking on another link, two from the cached calendar free/busy), 30-minute meetings on a
    15-minute grid, fetched through the JSON endpoint with Django's test client.
    """
    rng = random.Random(host_count)
    first_day = _next_monday()
    days = [first_day + timedelta(days=i) for i in range(31)]
    workspace = Workspace.objects.create(name="Benchmark", slug=f"bench-{rng.randrange(10**9)}")
    hosts = User.objects.bulk_create(
        User(email=f"bench-host-{i}-{workspace.slug}@example.com", name=f"Host {i}")
        for i in range(host_count)
    )
    Membership.objects.bulk_create(Membership(workspace=workspace, user=h) for h in hosts)
    link = _link(
        workspace, hosts[0], slug=f"{workspace.slug}-rr", kind=BookingLink.Kind.ROUND_ROBIN
    )
    LinkHost.objects.bulk_create(LinkHost(link=link, user=h) for h in hosts)
    other = _link(workspace, hosts[0], slug=f"{workspace.slug}-other")
    _busy_blocks(rng, other, hosts, days)
    client = Client()
    url = f"/api/v1/public/links/{link.slug}/slots?" + urlencode(
        {
            "start": days[0].isoformat(),
            "end": days[-1].isoformat(),
            "timezone": "America/New_York",
            "duration": 30,
        }
    )

    def fetch() -> Any:
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        return [s for day in response.json()["slots"].values() for s in day]

    with CaptureQueriesContext(connection) as queries:
        fetch()
    return fetch, len(queries)


def _next_monday() -> date:
    today = timezone.now().astimezone(ZONE).date()
    return today + timedelta(days=7 - today.weekday())


def _link(workspace: Workspace, owner: User, *, slug: str, kind: str = "one_on_one") -> BookingLink:
    return BookingLink.objects.create(
        workspace=workspace,
        owner=owner,
        kind=kind,
        title=slug,
        slug=slug,
        duration=30,
        slot_interval=15,
        timezone="America/New_York",
        max_days_ahead=60,
        weekly_hours={str(d): [["09:00", "17:00"]] for d in range(5)},
    )


def _busy_blocks(
    rng: random.Random, other: BookingLink, hosts: list[User], days: list[date]
) -> None:
    bookings, external = [], []
    for host in hosts:
        for day in (d for d in days if d.weekday() < 5):
            for n in range(3):
                start = datetime.combine(day, time(9), ZONE) + timedelta(
                    minutes=15 * rng.randrange(0, 32)
                )
                end = start + rng.choice(BUSY_LENGTHS)
                if n == 0:
                    bookings.append(_booking(other, host, start, end))
                else:
                    external.append(ExternalBusy(user=host, source="google", start=start, end=end))
    Booking.objects.bulk_create(bookings)
    Reservation.objects.bulk_create(
        Reservation(booking=b, host_id=b.host_id, blocked_start=b.start, blocked_end=b.end)
        for b in bookings
    )
    ExternalBusy.objects.bulk_create(external)


def _booking(link: BookingLink, host: User, start: datetime, end: datetime) -> Booking:
    booking = Booking(
        workspace=link.workspace,
        link=link,
        host=host,
        start=start,
        end=end,
        timezone="America/New_York",
        name="Busy",
        email="busy@example.com",
    )
    booking.ical_uid = f"{booking.reschedule_token}@bench"
    return booking
