"""A real HTTP server, in a thread, that speaks just enough of Twilio's REST API for the tests.

It answers ``POST /2010-04-01/Accounts/<sid>/Messages.json`` and ``…/Calls.json`` with the JSON
Twilio returns (a fresh ``sid`` each time) and ``GET /2010-04-01/Accounts/<sid>.json`` with the
account, each only with the basic auth of an account it knows (``accounts``: the server's from the
start, more with :meth:`FakeTwilio.add_account`; others get Twilio's 401). It records every request
(path, form fields, basic-auth user), and can be told to answer the next requests with an error
instead. Any other path on the
same server acts as a plain JSON endpoint (a voice agent), recording what it was sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-" + "1" * 16
FROM_NUMBER = "+14155550100"
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+?)(?P<rest>\.json|/.*)$")
UNAUTHENTICATED = {
    "code": 20003,
    "message": "Authenticate",
    "more_info": "https://www.twilio.com/docs/errors/20003",
    "status": 401,
}


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    body: bytes
    headers: dict[str, str]
    user: str
    password: str = ""


@dataclass
class FakeTwilio:
    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    errors: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=lambda: {ACCOUNT_SID: AUTH_TOKEN})
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        assert isinstance(host, str)  # an IPv4 server: never bytes
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

    def add_account(self, sid: str, token: str) -> None:
        with self._lock:
            self.accounts[sid] = token

    def account_checks(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "GET" and r.path.endswith(".json")]

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
            match = ACCOUNT_PATH.match(recorded.path)
            if match and self.accounts.get(match["sid"]) != recorded.password:
                return 401, UNAUTHENTICATED
        if match is None:
            return (200, {"ok": True}) if not recorded.path.startswith("/2010-04-01/") else _gone()
        return _account_answer(recorded, match["sid"], match["rest"], number)


def _gone() -> tuple[int, dict[str, Any]]:
    return 404, {"code": 20404, "message": "The requested resource was not found"}


def _account_answer(
    recorded: Recorded, account_sid: str, rest: str, number: int
) -> tuple[int, dict[str, Any]]:
    account = f"/2010-04-01/Accounts/{account_sid}"
    if recorded.method == "GET" and rest == ".json":
        return 200, {
            "sid": account_sid,
            "friendly_name": "Test account",
            "status": "active",
            "type": "Full",
            "uri": f"{account}.json",
        }
    if recorded.method == "POST" and rest == "/Messages.json":
        sid = f"SM{number:032x}"
        return 201, {
            "sid": sid,
            "account_sid": account_sid,
            "to": recorded.form.get("To"),
            "from": recorded.form.get("From"),
            "body": recorded.form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"{account}/Messages/{sid}.json",
        }
    if recorded.method == "POST" and rest == "/Calls.json":
        sid = f"CA{number:032x}"
        return 201, {
            "sid": sid,
            "account_sid": account_sid,
            "to": recorded.form.get("To"),
            "from": recorded.form.get("From"),
            "status": "queued",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"{account}/Calls/{sid}.json",
        }
    return _gone()


def _handler(fake_ref: list[FakeTwilio]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._answer("POST")

        def do_GET(self) -> None:
            self._answer("GET")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            form: dict[str, str] = {}
            if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            user = password = ""
            auth = self.headers.get("Authorization") or ""
            if auth.startswith("Basic "):
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            recorded = Recorded(
                method=method,
                path=self.path,
                form=form,
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
                user=user,
                password=password,
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
