"""Reads of calendar connections for the settings page and the banner."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from integrations.models import Calendar, CalendarConnection
from workestra.models import Membership, User

# How the banner names a provider: "Your Google calendar (…) needs reconnecting".
SHORT_NAMES = {
    "google": "Google",
    "microsoft": "Microsoft",
    "caldav": "iCloud / CalDAV",
    "exchange": "Exchange",
}


def short_name(provider_key: str) -> str:
    return SHORT_NAMES.get(provider_key, provider_key)


def connections_for_member(membership: Membership) -> QuerySet[CalendarConnection]:
    """The member's own connections in this workspace, each with its calendars."""
    return CalendarConnection.objects.filter(
        user_id=membership.user_id, workspace_id=membership.workspace_id
    ).prefetch_related(
        Prefetch("calendars", queryset=Calendar.objects.order_by("-is_primary", "name", "pk"))
    )


def connection_get_for_user(membership: Membership, pk: int) -> CalendarConnection:
    """One of the member's own connections in this workspace, else 404."""
    return get_object_or_404(
        CalendarConnection,
        pk=pk,
        user_id=membership.user_id,
        workspace_id=membership.workspace_id,
    )


def broken_connections(user: User) -> QuerySet[CalendarConnection]:
    return CalendarConnection.objects.filter(
        user_id=user.pk, status=CalendarConnection.Status.BROKEN
    ).order_by("provider", "account", "pk")
