"""Serve the product the production way (gunicorn workers, PostgreSQL, the benchmark scenarios'
data in a database of its own) and drive it from 127.0.0.1 for a bounded time per scenario.

Prints each scenario's requests per second, p50/p95/p99 latency and the workers' CPU ms per
request, each rate also as a ratio to a trivial two-query Django JSON view served alongside (the
machine is shared, so ratios of one run compare better than absolute figures). Median of --runs.
Not part of CI's pass/fail: the figures go into the README's performance section.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench import serving
from bench.load import drive, median
from workestra.serving import server_env


class Command(BaseCommand):
    help = "Benchmark the served product under load; prints req/s, latency and CPU per scenario."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--seconds", type=float, default=5.0, help="Per scenario and run.")
        parser.add_argument("--clients", type=int, default=16, help="Concurrent connections.")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--database",
            default="",
            help="The database made (dropped first) for the run; default: <configured>_serving.",
        )
        parser.add_argument("--seed", action="store_true", help=argparse_hidden())
        parser.add_argument("--check", action="store_true", help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seed"]:
            self.stdout.write(json.dumps(serving.seed()))
            return
        if options["check"]:
            self.stdout.write(json.dumps(serving.double_bookings()))
            return
        if connection.vendor != "postgresql":
            raise CommandError("bench_serving needs PostgreSQL (set DATABASE_URL).")
        env = self._database(options["database"])
        first_day = date.fromisoformat(self._manage(env, "--seed")["first_day"])
        server = serving.start_server(
            self._server_env(env), workers=options["workers"], threads=options["threads"]
        )
        try:
            figures = self._measure(server, first_day, options)
        finally:
            server.stop()
        booked, overlapping = self._manage(env, "--check")
        self._print(figures, options)
        self.stdout.write(
            f"bookings made: {booked}; overlapping reservations of one host: {overlapping}"
        )
        if overlapping:
            raise CommandError("double bookings found")

    def _database(self, name: str) -> dict[str, str]:
        """Make the database afresh, migrate it; return the environment that points at it."""
        name = name or f"{connection.settings_dict['NAME']}_serving"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        config = dict(connection.settings_dict) | {"NAME": name}
        url = _url(config)
        env = dict(os.environ) | {"DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env=env, check=True
        )
        return env

    def _manage(self, env: dict[str, str], flag: str) -> Any:
        out = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "bench_serving", flag],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    def _server_env(self, env: dict[str, str]) -> dict[str, str]:
        env = server_env(
            env | {"DEBUG": "false", "BENCH_VIEWS": "true"},
            addr="127.0.0.1:8000",
            key_file=settings.BASE_DIR / ".secret_key",
        )
        env["RATELIMIT_BOOKINGS_PER_MINUTE"] = str(10**9)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], env=env, check=True
        )
        return env

    def _measure(
        self, server: serving.Server, first_day: date, options: dict[str, Any]
    ) -> dict[str, dict[str, list[float]]]:
        figures: dict[str, dict[str, list[float]]] = {}
        plan = serving.scenarios(first_day)
        for run in range(options["runs"]):
            for label, next_request, ok in plan:
                drive("127.0.0.1", server.port, next_request, clients=2, seconds=0.3, ok=ok)
                cpu = server.cpu_seconds()
                result = drive(
                    "127.0.0.1",
                    server.port,
                    next_request,
                    clients=options["clients"],
                    seconds=options["seconds"],
                    ok=ok,
                )
                cpu = server.cpu_seconds() - cpu
                bad = {s: n for s, n in result.statuses.items() if s not in ok}
                if bad:
                    self.stderr.write(f"run {run + 1}, {label}: unexpected statuses {bad}")
                row = figures.setdefault(label, {})
                served = sum(result.statuses.values()) or 1
                for key, value in (
                    ("rate", result.rate),
                    ("p50", result.percentile_ms(50)),
                    ("p95", result.percentile_ms(95)),
                    ("p99", result.percentile_ms(99)),
                    ("cpu", cpu * 1000 / served),
                ):
                    row.setdefault(key, []).append(value)
        return figures

    def _print(self, figures: dict[str, dict[str, list[float]]], options: dict[str, Any]) -> None:
        self.stdout.write(
            f"bench_serving {datetime.now(UTC):%Y-%m-%d}: gunicorn {options['workers']} workers x "
            f"{options['threads']} threads, PostgreSQL, {options['clients']} clients, "
            f"{options['seconds']:g} s per scenario, median of {options['runs']} runs"
        )
        yardstick = median(next(iter(figures.values()))["rate"]) or 1.0
        for label, row in figures.items():
            rate = median(row["rate"])
            self.stdout.write(
                f"{label}: {rate:.0f} req/s ({rate / yardstick:.2f} of trivial), "
                f"p50 {median(row['p50']):.1f} ms, p95 {median(row['p95']):.1f} ms, "
                f"p99 {median(row['p99']):.1f} ms, CPU {median(row['cpu']):.1f} ms/request"
            )


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def _url(config: dict[str, Any]) -> str:
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = config.get("HOST") or "127.0.0.1"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{config['NAME']}"
