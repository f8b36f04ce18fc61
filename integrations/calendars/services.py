"""Writes on calendar connections: connect, refresh the calendar list, preferences, broken/ok,
disconnect. Views and the sync call these; nothing else changes a connection's rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from availability.busy_cache import forget
from availability.models import ExternalBusy
from integrations.calendars import provider as providers
from integrations.calendars.provider import Grant, ProviderError, RemoteCalendar
from integrations.models import Calendar, CalendarConnection
from workestra.models import User, Workspace

logger = logging.getLogger(__name__)

Status = CalendarConnection.Status


class PreferenceError(Exception):
    """The chosen calendar preferences cannot be saved; the message is for the host."""


class CalendarNotFound(PreferenceError):
    """A calendar id that is not one of the host's own."""


def connection_create(
    *,
    user: User,
    workspace: Workspace,
    provider_key: str,
    grant: Grant,
    server_url: str = "",
    username: str = "",
) -> CalendarConnection:
    """Store the account's secret (encrypted) and read its calendars.

    Connecting an account the host already connected updates that row, so reconnecting repairs
    a broken connection. ``crypto.MissingKey`` is raised before anything is written; a
    ``ProviderError`` while listing the calendars undoes the whole connect.
    """
    with transaction.atomic():
        connection = (
            CalendarConnection.objects.select_for_update()
            .filter(user=user, provider=provider_key, account=grant.account)
            .first()
        ) or CalendarConnection(user=user, provider=provider_key, account=grant.account)
        # The setters encrypt at once, so a missing key stops us before the first write.
        connection.secret = grant.secret
        connection.access_token = grant.access_token
        connection.workspace = workspace
        connection.access_expires_at = grant.expires_at
        connection.scopes = grant.scopes[:500]
        connection.server_url = server_url
        connection.username = username
        connection.status = Status.ACTIVE
        connection.broken_reason = ""
        connection.broken_at = None
        connection.save()
        connection_refresh_calendars(connection)
    return connection


def connection_refresh_calendars(connection: CalendarConnection) -> None:
    """Make the connection's Calendar rows match what the provider lists.

    A new primary calendar is checked for conflicts, and becomes the receiving calendar when the
    host has none yet and it is writable. Calendars the provider no longer lists are deleted
    with their cached busy times.
    """
    remote = _unique(providers.get(connection.provider).calendars(connection))
    with transaction.atomic():
        existing = {c.external_id: c for c in connection.calendars.select_for_update()}
        has_receiving = Calendar.objects.filter(
            user_id=connection.user_id, receives_bookings=True
        ).exists()
        for item in remote:
            calendar = existing.pop(item.external_id, None)
            if calendar is None:
                has_receiving |= _calendar_add(connection, item, may_receive=not has_receiving)
            else:
                _calendar_update(calendar, item)
        gone = list(existing.values())
        _busy_delete(connection, gone)
        Calendar.objects.filter(pk__in=[c.pk for c in gone]).delete()


def _unique(remote: Iterable[RemoteCalendar]) -> list[RemoteCalendar]:
    seen: dict[str, RemoteCalendar] = {}
    for item in remote:
        if item.external_id and len(item.external_id) <= 1000:
            seen.setdefault(item.external_id, item)
    return list(seen.values())


def _calendar_add(
    connection: CalendarConnection, item: RemoteCalendar, *, may_receive: bool
) -> bool:
    """Add one calendar; whether it became the receiving one."""
    receives = may_receive and item.is_primary and item.writable
    Calendar.objects.create(
        connection=connection,
        user_id=connection.user_id,
        external_id=item.external_id,
        name=item.name[:255] or item.external_id[:255],
        is_primary=item.is_primary,
        writable=item.writable,
        check_conflicts=item.is_primary,
        receives_bookings=receives,
    )
    return receives


def _calendar_update(calendar: Calendar, item: RemoteCalendar) -> None:
    calendar.name = item.name[:255] or calendar.name
    calendar.is_primary = item.is_primary
    calendar.writable = item.writable
    if not item.writable:
        # Bookings cannot be added to a calendar that became read-only.
        calendar.receives_bookings = False
    calendar.save(update_fields=["name", "is_primary", "writable", "receives_bookings"])


def _busy_delete(connection: CalendarConnection, calendars: Iterable[Calendar]) -> None:
    """Drop the cached busy times read from ``calendars`` (all of ``connection``)."""
    ids = [str(c.pk) for c in calendars]
    if not ids:
        return
    source = f"{connection.provider}:{connection.pk}"
    ExternalBusy.objects.filter(
        user_id=connection.user_id, source=source, calendar_id__in=ids
    ).delete()
    forget([connection.user_id])


def calendar_preferences_save(
    *, user: User, conflict_ids: set[int], receiving_id: int | None
) -> None:
    """Which of the host's calendars are checked for conflicts and which one receives bookings.

    Ids of calendars that are not the host's own are ignored in ``conflict_ids`` and refused as
    ``receiving_id`` (:class:`CalendarNotFound`); a read-only receiving calendar is refused.
    A calendar no longer checked loses its cached busy times.
    """
    with transaction.atomic():
        calendars = list(
            Calendar.objects.select_for_update().filter(user=user).select_related("connection")
        )
        by_id = {c.pk: c for c in calendars}
        if receiving_id is not None:
            target = by_id.get(receiving_id)
            if target is None:
                raise CalendarNotFound("That calendar is not one of yours.")
            if not target.writable:
                raise PreferenceError(
                    f"New bookings can't be added to {target.name}: it is read-only."
                )
        unchecked = [c for c in calendars if c.check_conflicts and c.pk not in conflict_ids]
        # Clear the old receiving calendar first: only one may receive at any moment.
        mine = Calendar.objects.filter(user=user)
        mine.filter(receives_bookings=True).exclude(pk=receiving_id or 0).update(
            receives_bookings=False
        )
        mine.filter(pk__in=conflict_ids).update(check_conflicts=True)
        mine.exclude(pk__in=conflict_ids).update(check_conflicts=False)
        if receiving_id is not None:
            Calendar.objects.filter(pk=receiving_id).update(receives_bookings=True)
        for calendar in unchecked:
            _busy_delete(calendar.connection, [calendar])


def connection_mark_broken(connection: CalendarConnection, *, reason: str, now: datetime) -> bool:
    """Mark the connection as needing a reconnect; whether it was working until now."""
    changed = CalendarConnection.objects.filter(pk=connection.pk, status=Status.ACTIVE).update(
        status=Status.BROKEN, broken_reason=reason[:500], broken_at=now
    )
    if changed:
        connection.status = Status.BROKEN
        connection.broken_reason = reason[:500]
        connection.broken_at = now
    return bool(changed)


def connection_mark_ok(connection: CalendarConnection) -> bool:
    """The provider answered again; whether the connection was broken until now."""
    changed = CalendarConnection.objects.filter(pk=connection.pk, status=Status.BROKEN).update(
        status=Status.ACTIVE, broken_reason="", broken_at=None
    )
    connection.status = Status.ACTIVE
    connection.broken_reason = ""
    connection.broken_at = None
    return bool(changed)


def connection_disconnect(connection: CalendarConnection) -> None:
    """Tell the provider we are done (best effort), then forget the connection and its secrets.

    Revoking or stopping a watch can fail (network, an already revoked token); the host asked to
    disconnect, so such failures are logged and the local rows go anyway.
    """
    calendars = list(connection.calendars.all())
    try:
        client = providers.get(connection.provider)
    except KeyError:
        client = None
    if client is not None:
        _provider_release(client, connection, calendars)
    with transaction.atomic():
        _busy_delete(connection, calendars)
        connection.delete()


def _provider_release(
    client: providers.CalendarProvider,
    connection: CalendarConnection,
    calendars: list[Calendar],
) -> None:
    stop_watch = getattr(client, "stop_watch", None)
    if stop_watch is not None:
        for calendar in calendars:
            if not calendar.watch_id:
                continue
            try:
                stop_watch(
                    connection, calendar.external_id, calendar.watch_id, calendar.watch_resource_id
                )
            except ProviderError as exc:
                logger.warning("Stopping watch of calendar %s failed: %s", calendar.pk, exc)
    try:
        client.revoke(connection)
    except Exception:  # any failure: the disconnect goes ahead regardless
        logger.warning("Revoking connection %s failed", connection.pk, exc_info=True)
