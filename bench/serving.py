"""``bench_serving``: the seeded data, the gunicorn server it is served by and the scenarios
driven against it. The data lives in a database of its own, made afresh for every run."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection

from bench.endpoint import ZONE, _analyze, _busy_blocks, _link, _next_monday
from bench.load import Next
from booking.models import BookingLink, LinkHost
from workestra.models import Membership, User, Workspace

BOOK_SLUG = "bench-book"
RR_SLUG = "bench-rr"
ONE_SLUG = "bench-one"
TRIVIAL_PATH = "/bench/trivial"


def seed() -> dict[str, Any]:
    """The benchmark scenarios' data: a one-on-one link and a 50-host round-robin, each host with
    three busy blocks a working day over the month, and a link to book (every 15 minutes)."""
    rng = random.Random(50)
    first_day = _next_monday()
    days = [first_day + timedelta(days=i) for i in range(31)]
    workspace = Workspace.objects.create(name="Benchmark", slug="bench")
    hosts = User.objects.bulk_create(
        User(email=f"bench-host-{i}@example.com", name=f"Host {i}") for i in range(51)
    )
    Membership.objects.bulk_create(Membership(workspace=workspace, user=h) for h in hosts)
    _link(workspace, hosts[50], slug=ONE_SLUG)
    rr = _link(workspace, hosts[0], slug=RR_SLUG, kind=BookingLink.Kind.ROUND_ROBIN)
    LinkHost.objects.bulk_create(LinkHost(link=rr, user=h) for h in hosts[:50])
    other = _link(workspace, hosts[0], slug="bench-other")
    _busy_blocks(rng, other, hosts, days)
    booker = User.objects.create(email="bench-booker@example.com", name="Booker")
    Membership.objects.create(workspace=workspace, user=booker)
    book = _link(workspace, booker, slug=BOOK_SLUG)
    book.max_days_ahead = 365
    schedule = book.schedule
    assert schedule is not None
    schedule.weekly = {str(d): [["00:00", "23:45"]] for d in range(7)}
    schedule.save()
    book.save()
    _analyze()
    return {"first_day": first_day.isoformat()}


def double_bookings() -> tuple[int, int]:
    """(bookings on the link to book, pairs of a host's reservations that overlap)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM booking_booking b JOIN booking_bookinglink l ON l.id = b.link_id "
            "WHERE l.slug = %s",
            [BOOK_SLUG],
        )
        booked = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM booking_reservation a JOIN booking_reservation b "
            "ON a.host_id = b.host_id AND a.id < b.id "
            "AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end"
        )
        return booked, cursor.fetchone()[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _stat(int(entry))
                if stat and int(stat[1]) == self.process.pid:
                    pids.append(int(entry))
        return pids

    def cpu_seconds(self) -> float:
        """User and system CPU of the workers so far (from /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            stat = _stat(pid)
            if stat:
                total += int(stat[11]) + int(stat[12])
        return total / ticks

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first), or [] if gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return []


def start_server(env: dict[str, str], *, workers: int, threads: int) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--no-control-socket",
        "--log-level",
        "warning",
        "workestra.wsgi:application",
    ]
    process = subprocess.Popen(argv, env=env)  # noqa: S603
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                if len(server.worker_pids()) >= workers:
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not start within 60 s")


def _get(path: str, headers: dict[str, str] | None = None) -> Next:
    request = ("GET", path, {"Accept-Encoding": "gzip", **(headers or {})}, b"")
    return lambda: request


def scenarios(first_day: date) -> list[tuple[str, Next, set[int]]]:
    """(label, the next request, the statuses that count) of each scenario, bookings last."""
    last = first_day + timedelta(days=30)
    month = urlencode(
        {
            "start": first_day.isoformat(),
            "end": last.isoformat(),
            "timezone": ZONE.key,
            "duration": 30,
        }
    )
    page = f"/book/{ONE_SLUG}?tz={ZONE.key}&month={first_day:%Y-%m}"
    day = f"{page}&date={first_day + timedelta(days=1)}"
    return [
        ("trivial two-query JSON view", _get(TRIVIAL_PATH), {200}),
        (
            "slots API, one-on-one, month",
            _get(f"/api/v1/public/links/{ONE_SLUG}/slots?{month}"),
            {200},
        ),
        (
            "slots API, 50-host round-robin, month",
            _get(f"/api/v1/public/links/{RR_SLUG}/slots?{month}"),
            {200},
        ),
        ("public page", _get(page), {200}),
        ("public page day swap (HTMX)", _get(day, {"HX-Request": "true"}), {200}),
        ("bookings to distinct free slots", _bookings(first_day), {201}),
    ]


def _bookings(first_day: date) -> Next:
    starts = _starts(first_day + timedelta(days=2))

    def next_request() -> tuple[str, str, dict[str, str], bytes]:
        start = next(starts)
        body = (
            f'{{"start": "{start.isoformat()}", "timezone": "{ZONE.key}", '
            f'"name": "Load", "email": "load-{start.timestamp():.0f}@example.com"}}'
        ).encode()
        return (
            "POST",
            f"/api/v1/public/links/{BOOK_SLUG}/bookings",
            {"Content-Type": "application/json"},
            body,
        )

    return next_request


def _starts(day: date) -> Iterator[datetime]:
    """Every other 15-minute start from ``day`` on (30-minute meetings), each offered once."""
    moment = datetime.combine(day, datetime.min.time(), ZoneInfo("UTC"))
    while True:
        local = moment.astimezone(ZONE)
        if local.hour * 60 + local.minute <= 23 * 60 + 15:
            yield local
        moment += timedelta(minutes=30)
