"""Reading a connected calendar into the busy-time cache, and noticing what the host did to our
events there.

``calendar_sync`` asks the provider for the changes since the calendar's sync token (or
everything in the window when it has none, or the token expired), and in one transaction:
replaces the cached busy ranges of every changed event, drops the ranges a live free/busy check
added (the sync knows the events themselves), and compares our own events (``CalendarEvent``)
with what the provider reports. A move or a delete the host made is passed to ``on_change``
inside that transaction, so the caller's outbox row and the new sync token commit together:
nothing is lost, and replaying the same notification finds nothing new. Our own writes echo
back with the times we stored and are ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from availability.busy_cache import forget
from availability.models import ExternalBusy
from integrations.calendars import provider as providers
from integrations.calendars.events import broken_on_auth
from integrations.calendars.provider import ProviderError, RemoteEvent, SyncResult
from integrations.models import Calendar, CalendarEvent

logger = logging.getLogger(__name__)

LIVE_EVENT_ID = "freebusy"
MOVED = "moved"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Change:
    """The host moved or deleted one of our events in their calendar."""

    event: CalendarEvent
    kind: str  # MOVED or CANCELLED
    start: datetime | None = None
    end: datetime | None = None


OnChange = Callable[[Change], None]


#: A token whose window ends this much short of the wanted one is dropped for a full read.
WINDOW_SLACK = timedelta(days=7)


def sync_window(now: datetime, days: int | None = None) -> tuple[datetime, datetime]:
    """From a day back (events in progress) to ``days`` ahead (the sync horizon by default)."""
    ahead = max(days or 0, settings.CALENDAR_SYNC_DAYS)
    return now - timedelta(days=1), now + timedelta(days=ahead)


def calendar_sync(
    calendar: Calendar, *, now: datetime, on_change: OnChange, days: int | None = None
) -> SyncResult:
    """Bring ``calendar``'s cached busy time up to date; report the host's changes to our events.

    ``days``: how far ahead the host's links offer times (the sync horizon at least).
    Raises :class:`ProviderError` when the provider fails (``auth`` when the account must be
    reconnected); the cache then keeps the last busy time it had.
    """
    connection = calendar.connection
    provider = providers.get(connection.provider)
    start, end = sync_window(now, days)
    if calendar.window_end is not None and calendar.window_end < end - WINDOW_SLACK:
        calendar.sync_token = ""  # the token's window no longer reaches far enough ahead
    with broken_on_auth(connection):
        try:
            result = provider.sync(
                connection, calendar.external_id, token=calendar.sync_token, start=start, end=end
            )
        except ProviderError as exc:
            if not exc.gone or not calendar.sync_token:
                raise
            logger.info("Sync token of calendar %s expired; reading it whole.", calendar.pk)
            result = provider.sync(connection, calendar.external_id, token="", start=start, end=end)
    with transaction.atomic():
        _apply(calendar, result, window=(start, end), on_change=on_change)
        calendar.sync_token = result.token
        if result.full:
            calendar.window_end = end
        calendar.synced_at = now
        calendar.sync_error = ""
        calendar.next_sync_at = now + timedelta(minutes=settings.CALENDAR_POLL_MINUTES)
        calendar.save(
            update_fields=["sync_token", "window_end", "synced_at", "sync_error", "next_sync_at"]
        )
    return result


def _apply(
    calendar: Calendar,
    result: SyncResult,
    *,
    window: tuple[datetime, datetime],
    on_change: OnChange,
) -> None:
    cached = ExternalBusy.objects.filter(source=calendar.busy_source, calendar_id=str(calendar.pk))
    if result.full:
        cached.delete()
    else:
        cached.filter(event_id=LIVE_EVENT_ID).delete()
    ours = _our_events(calendar)
    seen: set[int] = set()
    rows: list[ExternalBusy] = []
    for remote in result.events:
        mine = ours.get(remote.external_id) or ours.get(remote.ical_uid)
        if mine is not None:
            seen.add(mine.pk)
            _compare(mine, remote, on_change)
            continue
        if not result.full:
            cached.filter(event_id=remote.external_id[:1000]).delete()
        if calendar.check_conflicts and not remote.cancelled:
            rows.extend(_busy_rows(calendar, remote))
    ExternalBusy.objects.bulk_create(rows, batch_size=1000)
    forget([calendar.user_id])
    if result.full:
        _missing_from_full_listing(ours, seen, window, on_change)


def _our_events(calendar: Calendar) -> dict[str, CalendarEvent]:
    """Our live events in this calendar, by provider id and by iCal UID."""
    found: dict[str, CalendarEvent] = {}
    for event in CalendarEvent.objects.filter(calendar=calendar, deleted=False):
        found[event.external_id] = event
        found[event.ical_uid] = event
    return found


def _busy_rows(calendar: Calendar, remote: RemoteEvent) -> list[ExternalBusy]:
    return [
        ExternalBusy(
            user_id=calendar.user_id,
            source=calendar.busy_source,
            calendar_id=str(calendar.pk),
            event_id=remote.external_id[:1000],
            start=start,
            end=end,
        )
        for start, end in remote.busy
        if end > start
    ]


def _compare(mine: CalendarEvent, remote: RemoteEvent, on_change: OnChange) -> None:
    if remote.cancelled:
        mine.deleted = True
        mine.save(update_fields=["deleted"])
        on_change(Change(mine, CANCELLED))
        return
    if remote.start is None or remote.end is None:
        return
    if (remote.start, remote.end) == (mine.start, mine.end):
        return  # our own write echoing back, or a change that is not about the time
    mine.start, mine.end = remote.start, remote.end
    mine.save(update_fields=["start", "end"])
    on_change(Change(mine, MOVED, start=remote.start, end=remote.end))


def _missing_from_full_listing(
    ours: dict[str, CalendarEvent],
    seen: set[int],
    window: tuple[datetime, datetime],
    on_change: OnChange,
) -> None:
    """A full listing is everything in the window: our event inside it that is not listed was
    deleted in the calendar (providers without tombstones, e.g. CalDAV polling)."""
    start, end = window
    for event in {e.pk: e for e in ours.values()}.values():
        if event.pk in seen or not (start <= event.start < end):
            continue
        event.deleted = True
        event.save(update_fields=["deleted"])
        on_change(Change(event, CANCELLED))


def calendars_to_sync(*, now: datetime) -> list[Calendar]:
    """Calendars of working connections that are due a poll: those checked for conflicts and
    those holding our events (to notice moves and deletes)."""
    return list(
        Calendar.objects.select_related("connection")
        .filter(connection__status="active")
        .exclude(next_sync_at__gt=now)
        .filter(Q(check_conflicts=True) | Q(receives_bookings=True) | Q(events__deleted=False))
        .distinct()
        .order_by("next_sync_at", "pk")
    )
