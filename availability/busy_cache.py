"""Each host's time off and cached calendar busy time, kept in the cache per host and UTC month, for
the pages that list slots.

A page of 50 hosts whose calendars hold hundreds of events would otherwise read thousands of
rows on every request. Only reads for display come through here; the booking transaction's
re-check reads the database itself (``hosts_away``), so a stale entry can at worst offer a time
that the booking then refuses as just taken.

Every write to ``TimeOff`` or ``ExternalBusy`` calls :func:`forget` for its hosts (at once and
again after commit, so a reader can never keep what it read before the write); single-row saves
(the admin, factories) are caught by a signal, deletes call it themselves. A host's entries are keyed by a
generation token that ``forget`` replaces, and expire after ``TTL`` anyway.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction

from availability.selectors import Busy, hosts_away

TTL = 300  # seconds; a safety net for a write path that forgot to forget


def _generation_key(host_id: int) -> str:
    return f"busy:gen:{host_id}"


def _month_key(host_id: int, generation: str, month: tuple[int, int]) -> str:
    return f"busy:{host_id}:{generation}:{month[0]}-{month[1]:02d}"


def forget(host_ids: Iterable[int]) -> None:
    """The hosts' busy time changed: their entries are dead now, and again once the transaction
    commits (a reader between the two may have stored what it read before the commit under the
    first new generation; the second retires that too)."""
    ids = sorted(set(host_ids))
    if not ids:
        return

    def bump() -> None:
        cache.set_many({_generation_key(h): secrets.token_hex(6) for h in ids}, timeout=None)

    bump()
    transaction.on_commit(bump)


def _months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_span(month: tuple[int, int]) -> tuple[datetime, datetime]:
    year, number = month
    following = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime(year, number, 1, tzinfo=UTC), datetime(*following, 1, tzinfo=UTC)


def _generations(host_ids: list[int]) -> dict[int, str]:
    """Each host's current generation; a host without one (new, or evicted) gets a fresh one,
    so entries written under a lost generation are never read again."""
    found = cache.get_many([_generation_key(h) for h in host_ids])
    generations = {h: found.get(_generation_key(h)) for h in host_ids}
    missing = {h: secrets.token_hex(6) for h, g in generations.items() if g is None}
    if missing:
        cache.set_many({_generation_key(h): g for h, g in missing.items()}, timeout=None)
        generations.update(missing)
    return {h: str(g) for h, g in generations.items()}


def hosts_away_cached(host_ids: Iterable[int], *, start: datetime, end: datetime) -> Busy:
    """What :func:`availability.selectors.hosts_away` returns, from the cache where it can."""
    ids = list(dict.fromkeys(host_ids))
    months = _months(start, end)
    generations = _generations(ids)
    keys = {(h, m): _month_key(h, generations[h], m) for h in ids for m in months}
    found = cache.get_many(list(keys.values()))
    missing = [(h, m) for (h, m), key in keys.items() if key not in found]
    if missing:
        found.update(_fill(missing, keys))
    lo, hi = int(start.timestamp()), int(end.timestamp())
    # A range crossing into a later month is stored with each month it touches: take it from
    # the month it starts in (or the first one read) only.
    firsts = [int(_month_span(m)[0].timestamp()) for m in months]
    busy: Busy = defaultdict(list)
    for h in ids:
        spans = busy[h]
        for k, month in enumerate(months):
            floor = firsts[k] if k else None
            spans.extend(
                s
                for s in found[keys[h, month]]
                if s[1] > lo and s[0] < hi and (floor is None or s[0] >= floor)
            )
    return busy


def _fill(
    missing: list[tuple[int, tuple[int, int]]], keys: dict[tuple[int, tuple[int, int]], str]
) -> dict[str, list[tuple[int, int]]]:
    """Read the missing months from the database (one query) and keep them."""
    hosts = sorted({h for h, _ in missing})
    months = sorted({m for _, m in missing})
    first, last = _month_span(months[0])[0], _month_span(months[-1])[1]
    rows = hosts_away(hosts, start=first, end=last)
    fresh: dict[str, list[tuple[int, int]]] = {}
    for h, month in missing:
        m0, m1 = (int(t.timestamp()) for t in _month_span(month))
        fresh[keys[h, month]] = [s for s in rows.get(h, []) if s[1] > m0 and s[0] < m1]
    cache.set_many(fresh, timeout=TTL)
    return fresh
