"""Read-side queries for booking: the inputs of the slot engine, gathered in constant queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import QuerySet

from availability import engine
from booking.models import Booking, BookingLink, Reservation

# The engine looks one local day either side of the asked range; busy time is read wider still.
_BUSY_MARGIN = timedelta(days=2)
_CAP_MARGIN = timedelta(days=32)


def link_get_public(slug: str) -> BookingLink | None:
    return BookingLink.objects.live().select_related("owner", "workspace").filter(slug=slug).first()


def link_host_ids(link: BookingLink) -> list[int]:
    return [link.owner_id]


def host_busy(
    host_ids: list[int], *, start: datetime, end: datetime, exclude_booking_id: int | None = None
) -> dict[int, list[tuple[int, int]]]:
    """Each host's active reserved ranges (buffers included) overlapping ``[start, end)``: one query."""
    rows = Reservation.objects.filter(
        active=True, host_id__in=host_ids, blocked_end__gt=start, blocked_start__lt=end
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(booking_id=exclude_booking_id)
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for host_id, b0, b1 in rows.values_list("host_id", "blocked_start", "blocked_end"):
        busy[host_id].append((engine.to_epoch(b0), engine.to_epoch(b1)))
    return busy


def link_booked_starts(
    link: BookingLink, *, start: datetime, end: datetime, exclude_booking_id: int | None = None
) -> list[int]:
    """Starts of the link's live bookings near the range, for the daily/weekly/monthly caps."""
    if not (link.daily_cap or link.weekly_cap or link.monthly_cap):
        return []
    rows = Booking.objects.active().filter(
        link=link, start__gte=start - _CAP_MARGIN, start__lt=end + _CAP_MARGIN
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(pk=exclude_booking_id)
    return [engine.to_epoch(s) for s in rows.values_list("start", flat=True)]


def link_availability(
    link: BookingLink,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    duration: int | None = None,
    exclude_booking_id: int | None = None,
) -> engine.Availability:
    """Slots of ``link`` starting in ``[start, end)``, with the hosts free for each."""
    host_ids = link_host_ids(link)
    busy = host_busy(
        host_ids,
        start=start - _BUSY_MARGIN,
        end=end + _BUSY_MARGIN,
        exclude_booking_id=exclude_booking_id,
    )
    mode = engine.Mode.ALL if link.kind == BookingLink.Kind.COLLECTIVE else engine.Mode.ANY
    return engine.compute(
        link.schedule(),
        link.rules(duration),
        [engine.HostBusy(host=h, busy=busy.get(h, [])) for h in host_ids],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(end),
        mode=mode,
        booked_starts=link_booked_starts(
            link, start=start, end=end, exclude_booking_id=exclude_booking_id
        ),
    )


def bookings_for_workspace(workspace_id: int) -> QuerySet[Booking]:
    return Booking.objects.filter(workspace_id=workspace_id).select_related(
        "link", "host", "contact"
    )
