"""Time the slot engine on fixed scenarios and print one line each, ending in the median ms.

Scenarios 1-3 time the pure engine; scenario 4 times the public slots endpoint over HTTP (Django's
test client) with its data in the configured database, created in a transaction that is rolled
back. Not part of CI's pass/fail: the figures go into the README's performance section.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from bench.calendar_sync import sync_scenario
from bench.endpoint import connected_scenario, endpoint_scenario, rolled_back
from bench.engine import SCENARIOS, median_ms, paired_medians


class Command(BaseCommand):
    help = "Benchmark the slot engine; prints one line per scenario ending in its median ms."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument(
            "--skip-endpoint", action="store_true", help="Only the engine scenarios (1-3)."
        )
        parser.add_argument(
            "--skip-sync",
            action="store_true",
            help="Leave out scenario 6 (calendar sync; needs the test tree for the fake Google).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"bench_availability {datetime.now(UTC):%Y-%m-%d}, median of {options['repeat']} runs"
        )
        for key, label, build in SCENARIOS:
            run = build()
            slots = len(run())
            ms = median_ms(run, options["repeat"])
            self.stdout.write(f"scenario {key}: {label}: {slots} slots, median {ms:.2f} ms")
        if not options["skip_endpoint"]:
            self._endpoint(options["repeat"])
        if not options["skip_sync"]:
            self._sync()

    def _endpoint(self, repeat: int) -> None:
        with rolled_back():
            fetch, queries = endpoint_scenario(50)
            slots = len(fetch())
            ms = median_ms(fetch, repeat)
        vendor = connection.vendor
        self.stdout.write(
            f"scenario 4: slots endpoint, round-robin of 50 hosts in {vendor}, one month, "
            f"{queries} queries (target < 60 ms): {slots} slots, median {ms:.2f} ms"
        )
        with rolled_back():
            plain, connected = connected_scenario(50, events=500)
            offered = (len(plain()), len(connected()))
            plain_ms, connected_ms = paired_medians(plain, connected, repeat * 2)
        self.stdout.write(
            f"scenario 5: the same endpoint, every host's calendar connected with 500 events "
            f"cached (target within 10% of none): none {plain_ms:.2f} ms ({offered[0]} slots), "
            f"connected {connected_ms:.2f} ms ({offered[1]} slots), "
            f"{100 * (connected_ms / plain_ms - 1):+.1f}%"
        )

    def _sync(self) -> None:
        with rolled_back():
            figures = sync_scenario(2000)
        self.stdout.write(
            f"scenario 6: calendar sync of one host's year, {figures.events} events "
            f"({figures.cached} in the {settings.CALENDAR_SYNC_DAYS}-day window): full sync "
            f"{figures.full_calls} provider calls, {figures.full_ms:.0f} ms; one change "
            f"{figures.incremental_calls} call(s), {figures.incremental_ms:.1f} ms"
        )
