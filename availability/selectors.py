"""Reads of the availability slice: schedules, and busy time from this app's sources read for
many hosts in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from availability import engine
from availability.models import ExternalBusy, Schedule, TimeOff, engine_schedule
from availability.sql import EpochSeconds
from workestra.models import Membership, User

Busy = dict[int, list[tuple[int, int]]]


def hosts_away(host_ids: Iterable[int], *, start: datetime, end: datetime) -> Busy:
    """Each host's time off and cached calendar busy time overlapping ``[start, end)``.

    One query whatever the number of hosts: both sources are read as one UNION.
    """
    ids = list(host_ids)
    off = TimeOff.objects.filter(user_id__in=ids, end__gt=start, start__lt=end)
    ext = ExternalBusy.objects.filter(user_id__in=ids, end__gt=start, start__lt=end)
    union = _epochs(off).union(_epochs(ext), all=True)
    busy: Busy = defaultdict(list)
    for host_id, b0, b1 in _plain_rows(union):
        busy[host_id].append((b0, b1))
    return busy


def _plain_rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows as the database driver returns them. The columns are plain integers already, so
    the ORM's per-value converters (three calls for each of thousands of busy ranges) are skipped."""
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(host_id, int(b0), int(b1)) for host_id, b0, b1 in cursor.fetchall()]


def _epochs(rows: QuerySet[Any]) -> QuerySet[Any]:
    # No ORDER BY: SQLite refuses one inside a UNION, and the engine does not need it.
    return (
        rows.order_by()
        .annotate(b0=EpochSeconds("start"), b1=EpochSeconds("end"))
        .values_list("user_id", "b0", "b1")
    )


def time_off_people(membership: Membership) -> QuerySet[User]:
    """Whose time off the member manages: everyone in the workspace for an admin, else their own."""
    if membership.is_admin:
        return User.objects.filter(memberships__workspace_id=membership.workspace_id).order_by(
            "name"
        )
    return User.objects.filter(pk=membership.user_id)


def time_off_get_for_user(membership: Membership, pk: int) -> TimeOff:
    """The one way host-side code fetches time off: another workspace's id, or (for a non-admin)
    a colleague's, is a 404."""
    return get_object_or_404(
        TimeOff.objects.filter(
            workspace_id=membership.workspace_id, user__in=time_off_people(membership)
        ),
        pk=pk,
    )


def schedules_of(workspace_id: int, user_id: int) -> QuerySet[Schedule]:
    """A member's schedules in a workspace, the default first."""
    return Schedule.objects.filter(workspace_id=workspace_id, owner_id=user_id)


def schedule_get_for_user(membership: Membership, pk: int) -> Schedule:
    """The one way host-side code fetches a schedule to change: only its owner's, in the
    request's workspace; anything else is a 404."""
    return get_object_or_404(schedules_of(membership.workspace_id, membership.user_id), pk=pk)


def schedule_users(schedule: Schedule) -> list[str]:
    """What uses the schedule: the titles of live links that chose it, and of the team links
    where a host chose it."""
    titles = set(
        schedule.links.filter(deleted_at__isnull=True).values_list("title", flat=True)
    ) | set(
        schedule.link_hosts.filter(link__deleted_at__isnull=True).values_list(
            "link__title", flat=True
        )
    )
    return sorted(titles)


def engine_schedules(
    workspace_id: int, wanted: Sequence[tuple[int, int | None]]
) -> list[engine.Schedule]:
    """The engine's schedule for each ``(user id, schedule id)``: that schedule, or with
    ``None`` the user's default in the workspace (their working hours if they never saved one).
    Two queries at most, whatever the number of hosts.
    """
    ids = {pk for _, pk in wanted if pk is not None}
    default_for = {user_id for user_id, pk in wanted if pk is None}
    rows = Schedule.objects.filter(
        Q(pk__in=ids) | Q(workspace_id=workspace_id, owner_id__in=default_for, is_default=True)
    )
    by_id: dict[int, engine.Schedule] = {}
    defaults: dict[int, engine.Schedule] = {}
    for row in rows:
        by_id[row.pk] = row.as_engine()
        if row.is_default and row.workspace_id == workspace_id:
            defaults[row.owner_id] = by_id[row.pk]
    found = [by_id.get(pk) if pk is not None else defaults.get(user_id) for user_id, pk in wanted]
    missing = {user_id for (user_id, _), got in zip(wanted, found, strict=True) if got is None}
    fallback = {
        user.pk: engine_schedule(user.timezone or "UTC", user.working_hours, {})
        for user in User.objects.filter(pk__in=missing).only("timezone", "working_hours")
    }
    return [got or fallback[user_id] for (user_id, _), got in zip(wanted, found, strict=True)]
