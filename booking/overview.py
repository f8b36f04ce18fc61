"""The figures of the calendar's Overview tab, read in the host's zone.

"Today", "this week" (Monday to Sunday) and "this month" are the host's local days; the rates
are over the last :data:`RATE_DAYS` whole days before today, so the list each figure links to
(a status and a range of dates) holds exactly the meetings it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from booking.dashboard import Row, rows
from booking.filters import local_midnight
from booking.models import Booking

RATE_DAYS = 30
NEXT_COUNT = 5
Status = Booking.Status
BOOKED = [*Booking.ACTIVE_STATUSES, Status.NO_SHOW]


@dataclass(frozen=True)
class Span:
    """A range of local days with the number of meetings in it and the list that shows them."""

    first: date
    last: date
    count: int
    url: str


@dataclass(frozen=True)
class Rate:
    count: int  # no-shows, or cancellations
    out_of: int
    url: str

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.out_of) if self.out_of else None


@dataclass
class Overview:
    today: date
    todays: list[Row] = field(default_factory=list)  # a group session is one row
    next: list[Row] = field(default_factory=list)
    week: Span | None = None
    month: Span | None = None
    rate_first: date | None = None
    rate_last: date | None = None
    no_shows: Rate | None = None
    cancellations: Rate | None = None


def bookings_url(status: str, first: date | None = None, last: date | None = None) -> str:
    query = {"status": status}
    if first is not None and last is not None:
        query |= {"start": first.isoformat(), "end": last.isoformat()}
    return f"{reverse('booking:calendar-bookings')}?{urlencode(query)}"


def overview(bookings: QuerySet[Booking], *, now: datetime, zone: str) -> Overview:
    """``bookings`` (already the host's own) summed up as of ``now``."""
    today = now.astimezone(ZoneInfo(zone)).date()
    tomorrow = local_midnight(today + timedelta(days=1), zone)
    todays = bookings.filter(
        status__in=BOOKED, start__gte=local_midnight(today, zone), start__lt=tomorrow
    )
    upcoming = bookings.filter(status=Status.CONFIRMED, start__gte=tomorrow)
    result = Overview(
        today=today,
        todays=rows(list(todays.order_by("start", "pk"))),
        next=rows(list(upcoming.order_by("start", "pk")[:NEXT_COUNT])),
    )
    monday = today - timedelta(days=today.weekday())
    result.week = _span(bookings, monday, monday + timedelta(days=6), zone)
    first_of_month = today.replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    result.month = _span(bookings, first_of_month, next_month - timedelta(days=1), zone)
    _rates(result, bookings, today, zone)
    return result


def _span(bookings: QuerySet[Booking], first: date, last: date, zone: str) -> Span:
    count = bookings.filter(
        status__in=BOOKED,
        start__gte=local_midnight(first, zone),
        start__lt=local_midnight(last + timedelta(days=1), zone),
    ).count()
    return Span(first, last, count, bookings_url("booked", first, last))


def _rates(result: Overview, bookings: QuerySet[Booking], today: date, zone: str) -> None:
    first, last = today - timedelta(days=RATE_DAYS), today - timedelta(days=1)
    figures = bookings.filter(
        start__gte=local_midnight(first, zone), start__lt=local_midnight(today, zone)
    ).aggregate(
        held=Count("pk", filter=Q(status=Status.CONFIRMED)),
        no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
    )
    took_place = figures["held"] + figures["no_show"]
    result.rate_first, result.rate_last = first, last
    result.no_shows = Rate(figures["no_show"], took_place, bookings_url("no_show", first, last))
    result.cancellations = Rate(
        figures["cancelled"],
        took_place + figures["cancelled"],
        bookings_url("cancelled", first, last),
    )
