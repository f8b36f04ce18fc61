"""The booking POST's last look: ask the hosts' providers about the one exact slot, briefly.

The cache kept fresh by sync decides everywhere else; here, just before the booking transaction,
every connection of the hosts that is checked for conflicts is asked for busy time in the slot,
all at once, within a short budget. What they report is added to the cache (as ``freebusy``
rows the next sync of that calendar replaces), so the transaction's re-check sees it. A provider
that fails or does not answer in time leaves the cache to decide, and the caller is told why.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime

from django.db import close_old_connections

from availability.busy_cache import forget
from availability.models import ExternalBusy
from integrations.calendars import provider as providers
from integrations.calendars.provider import ProviderError, Range
from integrations.calendars.sync import LIVE_EVENT_ID
from integrations.models import Calendar, CalendarConnection, CalendarEvent

logger = logging.getLogger(__name__)
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="calendar-live")


def live_check(
    user_ids: list[int], *, start: datetime, end: datetime, budget: float
) -> dict[int, str]:
    """Refresh the cache for ``[start, end)`` from the providers; returns, per host whose
    provider could not say, what went wrong (for the booking's timeline)."""
    if not user_ids:
        return {}
    by_connection: dict[int, list[Calendar]] = defaultdict(list)
    problems: dict[int, str] = {}
    for calendar in Calendar.objects.select_related("connection").filter(
        user_id__in=user_ids, check_conflicts=True
    ):
        if calendar.connection.is_broken:
            problems[calendar.user_id] = _broken(calendar.connection)
        else:
            by_connection[calendar.connection_id].append(calendar)
    if budget <= 0 or not by_connection:
        return problems
    futures = {
        _POOL.submit(_ask, cals[0].connection, cals, start, end, budget): cals
        for cals in by_connection.values()
    }
    done, _ = wait(futures, timeout=budget)
    rows: list[ExternalBusy] = []
    for future, cals in futures.items():
        label = providers.get(cals[0].connection.provider).label
        problem = _problem(future, done, label, budget)
        if problem:
            problems[cals[0].user_id] = problem
            continue
        rows.extend(_rows(cals[0], _minus_ours(cals[0].user_id, future.result())))
    ExternalBusy.objects.bulk_create(rows)
    forget(row.user_id for row in rows)
    return problems


def _broken(connection: CalendarConnection) -> str:
    synced = Calendar.objects.filter(connection=connection).order_by("-synced_at").first()
    when = (
        f" (last read {synced.synced_at:%Y-%m-%d %H:%M} UTC)" if synced and synced.synced_at else ""
    )
    return (
        f"{connection} needs reconnecting: the busy times synced earlier{when} decided, and "
        "the event can't be added to it."
    )


def _ask(
    connection: CalendarConnection,
    calendars: list[Calendar],
    start: datetime,
    end: datetime,
    budget: float,
) -> list[Range]:
    try:
        api = providers.get(connection.provider)
        return api.busy(
            connection, [c.external_id for c in calendars], start=start, end=end, timeout=budget
        )
    finally:
        close_old_connections()


def _problem(
    future: Future[list[Range]], done: set[Future[list[Range]]], label: str, budget: float
) -> str:
    if future not in done:
        return f"{label} didn't answer within {budget:g} s; the busy times synced earlier decided."
    exc = future.exception()
    if exc is None:
        return ""
    if not isinstance(exc, ProviderError):
        logger.error("Live free/busy check failed", exc_info=exc)
    return f"{label} couldn't be asked ({exc}); the busy times synced earlier decided."


def _minus_ours(user_id: int, ranges: list[Range]) -> list[Range]:
    """Free/busy names no events: leave out the ranges that are our own bookings' events (a
    group session's other seats, the booking being rescheduled)."""
    if not ranges:
        return []
    ours = list(
        CalendarEvent.objects.filter(
            user_id=user_id,
            deleted=False,
            start__lt=max(e for _, e in ranges),
            end__gt=min(s for s, _ in ranges),
        ).values_list("start", "end")
    )
    return [(s, e) for s, e in ranges if not any(os <= s and e <= oe for os, oe in ours)]


def _rows(calendar: Calendar, ranges: list[Range]) -> list[ExternalBusy]:
    return [
        ExternalBusy(
            user_id=calendar.user_id,
            source=calendar.busy_source,
            calendar_id=str(calendar.pk),
            event_id=LIVE_EVENT_ID,
            start=s,
            end=e,
        )
        for s, e in ranges
        if e > s
    ]
