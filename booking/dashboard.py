"""Read side of the host's calendar dashboard: whose bookings, which tab, how many in each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from availability.models import TimeOff
from booking.models import Booking, Reservation

Status = Booking.Status


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    empty: str
    newest_first: bool


TABS = (
    Tab("upcoming", "Upcoming", "No upcoming meetings.", newest_first=False),
    Tab("pending", "Pending", "Nothing is waiting for verification or payment.", False),
    Tab("past", "Past", "No past meetings yet.", newest_first=True),
    Tab("cancelled", "Cancelled", "No cancelled meetings.", newest_first=True),
    Tab("no_show", "No-shows", "No no-shows.", newest_first=True),
)
#: Not a tab of their own: every booking, and every meeting that was not called off (the
#: overview's week and month counts link to the latter).
ALL = Tab("all", "All", "No bookings match.", newest_first=True)
BOOKED = Tab("booked", "Not cancelled", "No meetings match.", newest_first=False)
TAB_KEYS = {tab.key: tab for tab in (*TABS, ALL, BOOKED)}


def tab_filter(key: str, now: datetime) -> Q:
    """Which bookings a tab shows. Rescheduled rows are history, so no tab counts them."""
    return {
        "upcoming": Q(status=Status.CONFIRMED, end__gt=now),
        "pending": Q(status__in=[Status.PENDING_VERIFICATION, Status.PENDING_PAYMENT]),
        "past": Q(status=Status.CONFIRMED, end__lte=now),
        "cancelled": Q(status=Status.CANCELLED),
        "no_show": Q(status=Status.NO_SHOW),
        "all": ~Q(status=Status.RESCHEDULED),
        "booked": Q(status__in=[*Booking.ACTIVE_STATUSES, Status.NO_SHOW]),
    }[key]


def bookings_for_user(bookings: QuerySet[Booking], user: Any) -> QuerySet[Booking]:
    """Of ``bookings`` (already scoped to a workspace), those ``user`` hosts or holds a
    reservation of (team meetings)."""
    reserved = Reservation.objects.filter(host=user).values("booking_id")
    return bookings.filter(Q(host=user) | Q(pk__in=reserved)).select_related("link", "host")


def tab_bookings(bookings: QuerySet[Booking], tab: Tab, now: datetime) -> QuerySet[Booking]:
    order = ["-start", "-pk"] if tab.newest_first else ["start", "pk"]
    return bookings.filter(tab_filter(tab.key, now)).order_by(*order).prefetch_related("payments")


@dataclass
class Row:
    """One line of the calendar: a meeting, with every attendee of a group session."""

    booking: Booking
    attendees: list[Booking]


def rows(bookings: list[Booking]) -> list[Row]:
    """Group sessions (same link, same start) become one row listing their attendees."""
    out: list[Row] = []
    for booking in bookings:
        last = out[-1] if out else None
        if (
            last is not None
            and booking.link.is_group
            and (last.booking.link_id, last.booking.start) == (booking.link_id, booking.start)
        ):
            last.attendees.append(booking)
        else:
            out.append(Row(booking=booking, attendees=[booking]))
    return out


def time_off_ahead(user: Any, now: datetime) -> QuerySet[TimeOff]:
    return TimeOff.objects.filter(user=user, end__gt=now).order_by("start")[:20]


def tab_counts(bookings: QuerySet[Booking], now: datetime) -> dict[str, int]:
    """Every tab's count in one query."""
    return bookings.aggregate(
        **{tab.key: Count("pk", filter=tab_filter(tab.key, now)) for tab in TABS}
    )
