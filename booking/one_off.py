"""Reads of one-off meetings: the host's free times to pick from, and the offered times an
invitee may still take."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from availability import engine
from availability.selectors import engine_schedules
from booking.models import OneOffMeeting, OneOffTime
from booking.selectors import host_busy
from workestra.models import Membership

#: How far ahead a host may offer times.
OFFER_DAYS = 28
#: The picker's grid step: half hours, or the meeting's length when shorter.
STEP_MINUTES = 30
_MARGIN = timedelta(days=2)


def step_for(duration: int) -> int:
    return min(duration, STEP_MINUTES)


def host_free_times(
    *,
    workspace_id: int,
    host_id: int,
    duration: int,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[datetime]:
    """The starts the host is free for a ``duration``-minute meeting in ``[start, end)`` (by
    default the next four weeks), on their default schedule: bookings, one-off holds, time off
    and calendar busy time taken out."""
    start = start or now
    end = end or now + timedelta(days=OFFER_DAYS)
    (schedule,) = engine_schedules(workspace_id, [(host_id, None)])
    busy, _ = host_busy([host_id], start=start - _MARGIN, end=end + _MARGIN)
    found = engine.compute(
        schedule,
        engine.Rules(duration=duration, interval=step_for(duration), max_days_ahead=OFFER_DAYS),
        [engine.HostBusy(host=host_id, busy=busy.get(host_id, []))],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(end),
    )
    return [engine.from_epoch(s) for s in found.offered_starts()]


def busy_starts(
    *, host_id: int, starts: Sequence[datetime], duration: int, except_one_off: int | None = None
) -> set[datetime]:
    """Which of ``starts`` overlap the host's busy time (bookings, other offers' holds, time off,
    calendar busy time)."""
    if not starts:
        return set()
    length = timedelta(minutes=duration)
    busy, _ = host_busy(
        [host_id],
        start=min(starts),
        end=max(starts) + length,
        except_one_off=except_one_off,
    )
    spans = busy.get(host_id, [])
    taken = set()
    for moment in starts:
        s0, s1 = engine.to_epoch(moment), engine.to_epoch(moment + length)
        if any(b0 < s1 and s0 < b1 for b0, b1 in spans):
            taken.add(moment)
    return taken


def open_times(meeting: OneOffMeeting, *, now: datetime) -> list[OneOffTime]:
    """The offered times the invitee may still pick: not past, and not busy meanwhile (the
    offer's own holds do not count)."""
    times = [t for t in meeting.times.all() if t.start > now]
    taken = busy_starts(
        host_id=meeting.host_id,
        starts=[t.start for t in times],
        duration=meeting.duration,
        except_one_off=meeting.pk,
    )
    return [t for t in times if t.start not in taken]


def one_offs_for(membership: Membership) -> QuerySet[OneOffMeeting]:
    """The member's own offers in the request's workspace, newest first."""
    return (
        OneOffMeeting.objects.filter(
            workspace_id=membership.workspace_id, host_id=membership.user_id
        )
        .select_related("booking")
        .prefetch_related("times")
    )


def one_off_get_for_user(membership: Membership, pk: int) -> OneOffMeeting:
    """The one way host-side code fetches an offer: another workspace's or another member's id
    is a 404."""
    return get_object_or_404(one_offs_for(membership), pk=pk)


def one_off_get_public(token: str) -> OneOffMeeting | None:
    """The offer behind a public token. The lookup is by an indexed equality on 256 random bits;
    the stored token is then compared in constant time."""
    meeting = (
        OneOffMeeting.objects.select_related("link", "host", "workspace", "booking")
        .filter(token=token[:64])
        .first()
    )
    if meeting is None or not secrets.compare_digest(meeting.token, token):
        return None
    return meeting
