"""Renew the push channels of connected calendars (Google watch channels, Graph subscriptions).

The periodic job does this every day on its own; run this after moving the product to a new
address, or with ``--all`` to reopen every channel now.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from booking.calendar_sync import pushes
from integrations.calendars.events import broken_on_auth
from integrations.calendars.provider import ProviderError
from integrations.calendars.watch import needs_renewal, watch_renew
from integrations.models import Calendar, CalendarConnection


class Command(BaseCommand):
    help = "Renew calendar change notifications that expire within a day (or all with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Reopen every channel now.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        renewed = failed = 0
        calendars = Calendar.objects.select_related("connection").filter(
            connection__status=CalendarConnection.Status.ACTIVE
        )
        for calendar in calendars:
            if not pushes(calendar) or not (options["all"] or needs_renewal(calendar, now=now)):
                continue
            try:
                with broken_on_auth(calendar.connection):
                    watch_renew(calendar, now=now)
            except ProviderError as exc:
                failed += 1
                self.stderr.write(f"{calendar}: {exc}")
                continue
            renewed += 1
        self.stdout.write(f"Renewed {renewed} calendar channel(s); {failed} failed.")
