"""Which hosts take a time: the exact slot re-checked inside the booking's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.utils.translation import gettext

from availability import engine
from booking import assignment, selectors
from booking.models import BookingLink
from booking.services.errors import BookingError, SlotTaken, SlotUnavailable


def assign_hosts(
    link: BookingLink,
    *,
    start: datetime,
    duration: int,
    now: datetime,
    exclude_booking_id: int | None = None,
    prefer: int | None = None,
) -> list[int]:
    """Re-check the exact slot in the transaction and pick who hosts it, the assigned host first:
    one host of the free pool (the preferred one when still free) plus every host who must attend
    (all hosts of a collective link, the always-attending hosts of a multi-host group).
    """
    found = selectors.link_availability(
        link,
        start=start,
        end=start + timedelta(seconds=1),
        now=now,
        duration=duration,
        exclude_booking_id=exclude_booking_id,
    )
    must, pool = found.assignable(engine.to_epoch(start))
    if not must and not pool:
        raise _why_unavailable(link, start=start, duration=duration, now=now)
    # The booking side keys the engine's hosts by user id.
    rotation = [cast(int, h) for h, r in zip(found.hosts, found.required, strict=True) if not r]
    free = [cast(int, h) for h in pool]
    picked = [_rotate(link, free, rotation=rotation, now=now, prefer=prefer)] if pool else []
    return [*picked, *(cast(int, h) for h in must)]


def _rotate(
    link: BookingLink, free: list[int], *, rotation: list[int], now: datetime, prefer: int | None
) -> int:
    """One host of the free pool: the preferred one when free (a reschedule keeps its host),
    the only one, or the fair pick among the round-robin's ``rotation`` (its non-required
    hosts, as the slot check already read them)."""
    if prefer is not None and prefer in free:
        return prefer
    if len(free) == 1 or link.kind != BookingLink.Kind.ROUND_ROBIN:
        return free[0]
    members = selectors.rotation_members(link, rotation, now=now)
    return assignment.pick(
        members,
        free,
        mode=assignment.Mode(link.rotation),
        max_lead=link.rotation_max_lead,
    )


def _why_unavailable(
    link: BookingLink, *, start: datetime, duration: int, now: datetime
) -> BookingError:
    if start <= now:
        return SlotUnavailable(gettext("That time has already passed."))
    if start < now + timedelta(hours=link.min_notice_hours):
        return SlotUnavailable(
            gettext("That time is too soon: book at least %(hours)s hours ahead.")
            % {"hours": link.min_notice_hours}
        )
    rules = link.rules(duration)
    schedule = link.schedule()
    free = engine.compute(
        schedule,
        rules,
        [engine.HostBusy(host=0)],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(start) + 1,
    )
    if free.is_offered(engine.to_epoch(start)):
        return SlotTaken()
    horizon = engine.compute(
        schedule,
        engine.Rules(duration=duration, interval=rules.interval, max_days_ahead=None),
        [engine.HostBusy(host=0)],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(start) + 1,
    )
    if horizon.is_offered(engine.to_epoch(start)):
        return SlotUnavailable(
            gettext("That time is too far ahead: book within %(days)s days.")
            % {"days": link.max_days_ahead}
        )
    return SlotUnavailable(
        gettext("That time is not available. Please pick one of the listed times.")
    )
