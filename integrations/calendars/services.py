"""Writes on connections (placeholder: the settings page's services replace this module)."""

from __future__ import annotations

from datetime import datetime

from integrations.models import CalendarConnection


def connection_mark_broken(connection: CalendarConnection, *, reason: str, now: datetime) -> bool:
    changed = CalendarConnection.objects.filter(
        pk=connection.pk, status=CalendarConnection.Status.ACTIVE
    ).update(status=CalendarConnection.Status.BROKEN, broken_reason=reason[:500], broken_at=now)
    connection.status = CalendarConnection.Status.BROKEN
    connection.broken_reason = reason[:500]
    connection.broken_at = now
    return bool(changed)
