"""The engine's schedules of a slots request, kept in the cache for the pages that list slots.

Which schedules a request needs (the link's, each host's) is read every time; only turning them
into the engine's weekly hours, overrides and zone is kept, keyed by the ``(user, schedule)``
pairs asked for and a generation that every change to a schedule or to a user's own working
hours or zone replaces (a signal, at once and again after commit, as the busy cache does), so
editing hours changes the very next response. The booking transaction reads the database.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction

from availability import engine
from availability.selectors import engine_schedules

TTL = 300  # seconds; a safety net for a write path that bypasses the signals
_GENERATION = "schedules:gen"
# What of a user the engine's fallback schedule reads (users without a saved schedule).
USER_FIELDS = frozenset({"timezone", "working_hours"})


def forget() -> None:
    def bump() -> None:
        cache.set(_GENERATION, secrets.token_hex(6), timeout=None)

    bump()
    transaction.on_commit(bump)


def engine_schedules_cached(
    workspace_id: int, wanted: Sequence[tuple[int, int | None]]
) -> list[engine.Schedule]:
    """What :func:`availability.selectors.engine_schedules` returns, from the cache where it can."""
    generation = cache.get(_GENERATION)
    if generation is None:
        generation = secrets.token_hex(6)
        cache.set(_GENERATION, generation, timeout=None)
    digest = hashlib.blake2b(repr(list(wanted)).encode(), digest_size=12).hexdigest()
    key = f"schedules:{generation}:{workspace_id}:{digest}"
    found = cache.get(key)
    if found is None:
        found = engine_schedules(workspace_id, wanted)
        cache.set(key, found, timeout=TTL)
    return list(found)
