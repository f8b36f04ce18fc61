"""Read every connected calendar into the busy-time cache now (the periodic job polls them on its
own; push notifications sync them as they change). Prints the provider calls each took."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.calendar_sync import enqueue_change
from integrations.calendars.provider import ProviderError
from integrations.calendars.sync import calendar_sync
from integrations.models import Calendar, CalendarConnection


class Command(BaseCommand):
    help = "Sync every connected calendar now; changes to bookings go through the outbox."

    def handle(self, *args: Any, **options: Any) -> None:
        calendars = Calendar.objects.select_related("connection").filter(
            connection__status=CalendarConnection.Status.ACTIVE
        )
        for calendar in calendars:
            try:
                result = calendar_sync(calendar, now=timezone.now(), on_change=enqueue_change)
            except ProviderError as exc:
                self.stderr.write(f"{calendar}: {exc}")
                continue
            kind = "full" if result.full else "incremental"
            self.stdout.write(
                f"{calendar}: {kind}, {len(result.events)} event(s), {result.calls} call(s)"
            )
