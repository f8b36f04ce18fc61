"""``{% broken_connections user as broken %}``: the host's connections that need reconnecting,
for the banner on the settings page and the calendar dashboard."""

from __future__ import annotations

from typing import Any

from django import template

from integrations.calendars import selectors
from integrations.models import CalendarConnection

register = template.Library()


@register.simple_tag
def broken_connections(user: Any) -> list[CalendarConnection]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(selectors.broken_connections(user))


@register.filter
def provider_short_name(connection: CalendarConnection) -> str:
    return selectors.short_name(connection.provider)
