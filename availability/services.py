"""Writes of the availability slice: schedules and time off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from availability.busy_cache import forget
from availability.models import Schedule, TimeOff
from availability.schedules import (
    ScheduleError,
    Windows,
    clean_name,
    clean_overrides,
    clean_weekly,
    clean_zone,
)
from availability.selectors import schedule_users
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


def schedule_create(
    *,
    workspace: Workspace,
    owner: User,
    name: str,
    timezone: str,
    weekly: dict[str, Windows],
    overrides: dict[str, Windows] | None = None,
    is_default: bool = False,
) -> Schedule:
    """A new schedule for ``owner``; their first one in the workspace becomes their default."""
    fields = _cleaned(name=name, timezone=timezone, weekly=weekly, overrides=overrides or {})
    with transaction.atomic():
        _lock_owner(owner)
        has_default = Schedule.objects.filter(
            workspace=workspace, owner=owner, is_default=True
        ).exists()
        if is_default and has_default:
            Schedule.objects.filter(workspace=workspace, owner=owner, is_default=True).update(
                is_default=False
            )
        return Schedule.objects.create(
            workspace=workspace, owner=owner, is_default=is_default or not has_default, **fields
        )


def schedule_update(
    *,
    schedule: Schedule,
    name: str,
    timezone: str,
    weekly: dict[str, Windows],
    overrides: dict[str, Windows],
) -> Schedule:
    fields = _cleaned(name=name, timezone=timezone, weekly=weekly, overrides=overrides)
    for key, value in fields.items():
        setattr(schedule, key, value)
    schedule.save(update_fields=list(fields))
    return schedule


def schedule_set_default(*, schedule: Schedule) -> Schedule:
    """Make ``schedule`` its owner's default: links and hosts that chose none use it from now."""
    with transaction.atomic():
        _lock_owner(schedule.owner)
        Schedule.objects.filter(
            workspace_id=schedule.workspace_id, owner_id=schedule.owner_id, is_default=True
        ).exclude(pk=schedule.pk).update(is_default=False)
        schedule.is_default = True
        schedule.save(update_fields=["is_default"])
    return schedule


def schedule_delete(*, schedule: Schedule) -> None:
    """Delete a schedule nothing uses. The default stays (links fall back to it), and a schedule
    a live link or host uses stays until they choose another."""
    if schedule.is_default:
        raise ScheduleError(
            "This is your default schedule. Make another one the default before deleting it."
        )
    users = schedule_users(schedule)
    if users:
        raise ScheduleError(
            f"{', '.join(users[:5])} {'use' if len(users) > 1 else 'uses'} this schedule. "
            "Choose another schedule there first."
        )
    schedule.delete()


def schedule_default_ensure(*, workspace: Workspace, user: User) -> Schedule:
    """The member's default schedule, made from their working hours if they have none yet."""
    with transaction.atomic():
        _lock_owner(user)
        found = Schedule.objects.filter(workspace=workspace, owner=user, is_default=True).first()
        if found is not None:
            return found
        return schedule_create(
            workspace=workspace,
            owner=user,
            name="Working hours",
            timezone=user.timezone or "UTC",
            weekly=dict(user.working_hours),
            is_default=True,
        )


def _cleaned(
    *, name: str, timezone: str, weekly: dict[str, Windows], overrides: dict[str, Windows]
) -> dict[str, Any]:
    return {
        "name": clean_name(name),
        "timezone": clean_zone(timezone),
        "weekly": clean_weekly(weekly),
        "overrides": clean_overrides(overrides),
    }


def _lock_owner(owner: User) -> None:
    # Two requests setting a default at once would both pass the check; the lock serialises them
    # (the unique constraint would refuse the second with an error nobody can read).
    User.objects.select_for_update().filter(pk=owner.pk).first()
