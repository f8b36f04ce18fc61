"""Writes of the availability slice: time off."""

from __future__ import annotations

from datetime import datetime

from availability.busy_cache import forget
from availability.models import TimeOff
from workestra.models import User, Workspace


def time_off_create(
    *,
    workspace: Workspace,
    user: User,
    start: datetime,
    end: datetime,
    reason: str = "",
    created_by: User | None,
) -> TimeOff:
    """Block ``user`` from ``start`` to ``end`` (aware datetimes, end after start)."""
    return TimeOff.objects.create(
        workspace=workspace,
        user=user,
        start=start,
        end=end,
        reason=reason.strip(),
        created_by=created_by,
    )


def time_off_delete(*, entry: TimeOff) -> None:
    """The host is offered again for the time the entry covered."""
    entry.delete()
    forget([entry.user_id])
