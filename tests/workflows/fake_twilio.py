"""A real HTTP server, in a thread, that speaks just enough of Twilio's REST API for the tests.

It answers ``POST /2010-04-01/Accounts/<sid>/Messages.json`` and ``…/Calls.json`` with the JSON
Twilio returns (a fresh ``sid`` each time), records every request (path, form fields, basic-auth
user), and can be told to answer the next requests with an error instead. Any other path on the
same server acts as a plain JSON endpoint (a voice agent), recording what it was sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-" + "1" * 16
FROM_NUMBER = "+14155550100"


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    body: bytes
    headers: dict[str, str]
    user: str


@dataclass
class FakeTwilio:
    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    errors: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, status: int = 500, code: int | None = None, message: str = "") -> None:
        """The next request is answered with ``status`` and Twilio's error JSON."""
        with self._lock:
            self.errors.append(
                (
                    status,
                    {
                        "code": code,
                        "message": message or "Service unavailable",
                        "more_info": "",
                        "status": status,
                    },
                )
            )

    def messages(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/Messages.json")]

    def calls(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/Calls.json")]

    def others(self) -> list[Recorded]:
        return [r for r in self.requests if r not in self.messages() and r not in self.calls()]

    def answer(self, recorded: Recorded) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(recorded)
            if self.errors:
                return self.errors.pop(0)
            number = next(self._ids)
        account = f"/2010-04-01/Accounts/{ACCOUNT_SID}"
        if recorded.path == f"{account}/Messages.json":
            sid = f"SM{number:032x}"
            return 201, {
                "sid": sid,
                "account_sid": ACCOUNT_SID,
                "to": recorded.form.get("To"),
                "from": recorded.form.get("From"),
                "body": recorded.form.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"{account}/Messages/{sid}.json",
            }
        if recorded.path == f"{account}/Calls.json":
            sid = f"CA{number:032x}"
            return 201, {
                "sid": sid,
                "account_sid": ACCOUNT_SID,
                "to": recorded.form.get("To"),
                "from": recorded.form.get("From"),
                "status": "queued",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"{account}/Calls/{sid}.json",
            }
        if recorded.path.startswith("/2010-04-01/"):
            return 404, {"code": 20404, "message": "The requested resource was not found"}
        return 200, {"ok": True}


def _handler(fake_ref: list[FakeTwilio]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            form: dict[str, str] = {}
            if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            user = ""
            auth = self.headers.get("Authorization") or ""
            if auth.startswith("Basic "):
                user = base64.b64decode(auth[6:]).decode().partition(":")[0]
            recorded = Recorded(
                method="POST",
                path=self.path,
                form=form,
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
                user=user,
            )
            status, payload = fake_ref[0].answer(recorded)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


def start() -> FakeTwilio:
    ref: list[FakeTwilio] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    fake = FakeTwilio(server=server)
    ref.append(fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake


def stop(fake: FakeTwilio) -> None:
    fake.server.shutdown()
    fake.server.server_close()


def running(settings) -> Iterator[FakeTwilio]:
    """For a fixture: the fake Twilio, running, with ``settings`` pointing at it."""
    fake = start()
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_API_BASE = fake.base_url
    settings.PUBLIC_BASE_URL = "https://book.example.com"
    try:
        yield fake
    finally:
        stop(fake)
