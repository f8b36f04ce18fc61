"""The embedded default as people run it: ``manage.py serve`` on a fresh SQLite file, the demo
seeded, and 200 clients booking the same slot over HTTP at once. Exactly one gets it; everyone
else hears "just taken" (409), never a 5xx or a dropped connection."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

pytestmark = pytest.mark.concurrency
ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 200
# This run's own settings: the server gets a fresh SQLite file and its defaults instead.
OWN_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "SQLITE_PATH",
    "DEBUG",
    "PUBLIC_BASE_URL",
    "SERVE_ADDR",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``manage.py serve`` as dev.py runs it, after migrate and seed_demo, on a free port."""
    tmp = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items() if k not in OWN_ENV}
    env.update(
        SQLITE_PATH=str(tmp / "db.sqlite3"),
        SECRET_KEY="embedded-server-test-" + "x1y2z3" * 8,
        DEMO_PASSWORD="demo-test-password",
        # Every client reaches the database: the race is decided there, not by the limit.
        RATELIMIT_BOOKINGS_PER_MINUTE="1000",
    )
    manage(env, "migrate", "--no-input")
    manage(env, "seed_demo")
    port = free_port()
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, port, log_path)
        yield port, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited:\n{log_path.read_text()}")
        try:
            if request(port, "GET", "/login")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"The server did not answer within a minute:\n{log_path.read_text()}")


def first_open_slot(port: int) -> str:
    """Whatever day the test runs, the demo link's first open slot, from its own slots API."""
    # The server runs on the real clock, not on the one the tests travel to.
    today = time_machine.escape_hatch.datetime.datetime.now(ZoneInfo("Europe/Berlin")).date()
    query = f"start={today}&end={today + timedelta(days=30)}&timezone=Europe/Berlin"
    status, body = request(port, "GET", f"/api/v1/public/links/intro/slots?{query}")
    assert status == 200, body
    days = json.loads(body)["slots"]
    return next(slot["start"] for day in sorted(days) for slot in days[day])


def test_two_hundred_clients_booking_one_slot_get_one_201_and_only_409s(server):
    port, log_path = server
    start = first_open_slot(port)
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[int | str] = []
    bodies: list[bytes] = []
    lock = threading.Lock()

    def book(n: int) -> None:
        payload = {
            "start": start,
            "timezone": "Europe/Berlin",
            "name": f"Client {n}",
            "email": f"client{n}@example.com",
        }
        barrier.wait()
        try:
            status, body = request(port, "POST", "/api/v1/public/links/intro/bookings", payload)
        except OSError as exc:  # a reset or refused connection is a failure to report
            status, body = type(exc).__name__, b""
        with lock:
            outcomes.append(status)
            if status == 201:
                bodies.append(body)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(outcomes) == {201: 1, 409: CLIENTS - 1}, log_path.read_text()[-3000:]
    booking = json.loads(bodies[0])
    assert booking["start"] == start
    # Links follow the address actually served, not a default port.
    assert booking["reschedule_url"].startswith(f"http://127.0.0.1:{port}/book/reschedule/")


def test_it_is_a_production_server_with_the_products_pages_and_exactly_one_ticker(server):
    port, log_path = server

    status, page = request(port, "GET", "/no-such-page")
    assert status == 404
    assert b"There is nothing at this address" in page
    assert b"Traceback" not in page and b"DEBUG = True" not in page

    status, login = request(port, "GET", "/login")
    stylesheet = re.search(rb'href="(/static/css/app\.[0-9a-f]+\.css)"', login)
    assert stylesheet, login  # hashed names: collected, DEBUG off
    status, css = request(port, "GET", stylesheet[1].decode())
    assert (status, css[:5]) == (200, b":root")

    log = log_path.read_text()
    assert "gunicorn" in log
    assert "development server" not in log
    assert log.count("Outbox ticker started") == 1
