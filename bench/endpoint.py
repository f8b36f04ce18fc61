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
from availability.services import schedule_create
from booking.models import Booking, BookingLink, LinkHost, Reservation
from workestra.models import Membership, User, Workspace

ZONE = ZoneInfo("America/New_York")
BUSY_LENGTHS = (timedelta(minutes=30), timedelta(minutes=60))


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def endpoint_scenario(
    host_count: int, *, calendar_busy: bool = True
) -> tuple[Callable[[], Any], int]:
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
    _busy_blocks(rng, other, hosts, days, calendar_busy=calendar_busy)
    _analyze()
    fetch = _fetcher(link, days)
    return fetch, query_count(fetch)


def connected_scenario(
    host_count: int, *, events: int
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Scenario 5: the same round-robin twice, bookings only, then with every host's calendar
    connected and ``events`` events of theirs over the coming year in the busy-time cache (what
    sync leaves there). Returns the two requests (without, with)."""
    from integrations.models import Calendar, CalendarConnection

    rng = random.Random(host_count)
    first_day = _next_monday()
    days = [first_day + timedelta(days=i) for i in range(31)]
    workspace = Workspace.objects.create(name="Benchmark", slug=f"bench-{rng.randrange(10**9)}")
    hosts = User.objects.bulk_create(
        User(email=f"bench-host-{i}-{workspace.slug}@example.com", name=f"Host {i}")
        for i in range(host_count)
    )
    Membership.objects.bulk_create(Membership(workspace=workspace, user=h) for h in hosts)
    links = []
    for suffix in ("plain", "connected"):
        link = _link(workspace, hosts[0], slug=f"{workspace.slug}-{suffix}", kind="round_robin")
        links.append(link)
    LinkHost.objects.bulk_create(LinkHost(link=links[0], user=h) for h in hosts)
    other = _link(workspace, hosts[0], slug=f"{workspace.slug}-other")
    _busy_blocks(rng, other, hosts, days, calendar_busy=False)
    plain = _fetcher(links[0], days)
    # The same hosts, now with connected calendars (the plain link is measured first).
    connected_hosts = User.objects.bulk_create(
        User(email=f"cal-{h.email}", name=h.name) for h in hosts
    )
    Membership.objects.bulk_create(Membership(workspace=workspace, user=h) for h in connected_hosts)
    LinkHost.objects.bulk_create(LinkHost(link=links[1], user=h) for h in connected_hosts)
    copies = [
        Reservation(
            booking=r.booking,
            host=connected_hosts[hosts.index(r.host)],
            blocked_start=r.blocked_start,
            blocked_end=r.blocked_end,
        )
        for r in Reservation.objects.filter(host__in=hosts).select_related("host")
    ]
    Reservation.objects.bulk_create(copies)
    rows = []
    for host in connected_hosts:
        conn = CalendarConnection.objects.create(
            workspace=workspace, user=host, provider="google", account=host.email
        )
        calendar = Calendar.objects.create(
            connection=conn,
            user=host,
            external_id=host.email,
            name=host.email,
            check_conflicts=True,
            receives_bookings=True,
        )
        rows.extend(_calendar_events(rng, calendar, first_day, events))
    ExternalBusy.objects.bulk_create(rows, batch_size=2000)
    _analyze()
    return plain, _fetcher(links[1], days)


def _analyze() -> None:
    """Fresh planner statistics for the rows just made, as autovacuum keeps them in production."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "availability_externalbusy",
                "availability_timeoff",
                "booking_reservation",
            ):
                cursor.execute(f"ANALYZE {table}")


def _calendar_events(
    rng: random.Random, calendar: Any, first_day: date, count: int
) -> list[ExternalBusy]:
    """``count`` meetings on working days over the coming year, 30 or 60 minutes, 09-17."""
    rows = []
    for n in range(count):
        day = first_day + timedelta(days=rng.randrange(365))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, time(9), ZONE) + timedelta(minutes=15 * rng.randrange(0, 32))
        rows.append(
            ExternalBusy(
                user_id=calendar.user_id,
                source=calendar.busy_source,
                calendar_id=str(calendar.pk),
                event_id=f"event-{n}",
                start=start,
                end=start + rng.choice(BUSY_LENGTHS),
            )
        )
    return rows


def _fetcher(link: BookingLink, days: list[date]) -> Callable[[], Any]:
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

    return fetch


def query_count(fetch: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        fetch()
    return len(queries)


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
        schedule=schedule_create(
            workspace=workspace,
            owner=owner,
            name=slug,
            timezone="America/New_York",
            weekly={str(d): [["09:00", "17:00"]] for d in range(5)},
        ),
    )


def _busy_blocks(
    rng: random.Random,
    other: BookingLink,
    hosts: list[User],
    days: list[date],
    *,
    calendar_busy: bool = True,
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
                elif calendar_busy:
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
