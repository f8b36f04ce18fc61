"""The upcoming bookings a schedule's new hours no longer cover: they stay booked, and the host
is told how many there are when saving the schedule."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from availability import engine
from availability.models import Schedule
from booking.models import Booking, LinkHost, Reservation


def bookings_outside(schedule: Schedule, *, now: datetime) -> list[Booking]:
    """The schedule owner's upcoming bookings, on links that follow this schedule for them,
    whose times fall outside its hours. A link follows the host's own choice on a team link,
    else the link's schedule, else the host's default."""
    held = Reservation.objects.filter(active=True, host_id=schedule.owner_id)
    bookings = list(
        Booking.objects.active()
        .filter(Q(host_id=schedule.owner_id) | Q(pk__in=held.values("booking_id")))
        .filter(workspace_id=schedule.workspace_id, start__gte=now)
        .select_related("link")
        .order_by("start")
    )
    chosen = dict(
        LinkHost.objects.filter(
            link_id__in={b.link_id for b in bookings}, user_id=schedule.owner_id
        ).values_list("link_id", "schedule_id")
    )
    hours = schedule.as_engine()
    return [
        booking
        for booking in bookings
        if _follows(schedule, chosen.get(booking.link_id) or booking.link.schedule_id)
        and not engine.covers(hours, engine.to_epoch(booking.start), engine.to_epoch(booking.end))
    ]


def _follows(schedule: Schedule, schedule_id: int | None) -> bool:
    return schedule_id == schedule.pk if schedule_id is not None else schedule.is_default
