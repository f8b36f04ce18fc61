"""A real HTTP server, in a thread, that speaks just enough of Zoom's OAuth and REST API v2 for the
tests.

OAuth at ``/oauth/token`` (``authorization_code`` with the PKCE S256 check, ``refresh_token``
with a new refresh token on every refresh, as Zoom does; HTTP Basic client auth on both) and
``/oauth/revoke``. The API at ``/v2``: ``users/me``, ``users/me/meetings`` (create) and
``meetings/{id}`` (read, update, delete), with the bearer token checked on every call. Tests play
the host at Zoom through ``issue_code`` and ``grant``, and break things with ``fail_next``,
``revoke_all`` and ``expire_access_tokens``. ``meetings`` is the account's state; ``requests``
logs every request received.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "zoom-test-client"
CLIENT_SECRET = "test-zoom-client-secret"
ACCOUNT = "host@zoom.example.com"
ACCESS_TOKEN_SECONDS = 3599
DIAL_IN = (
    {"country": "US", "country_name": "US", "city": "New York", "number": "+1 646 558 8656"},
    {"country": "DE", "country_name": "Germany", "number": "+49 69 3807 9883"},
)
START_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MEETING_PATH = re.compile(r"^/v2/meetings/(\d+)$")

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


def error(status: int, code: int, message: str) -> Answer:
    return status, {"code": code, "message": message}, {}


@dataclass
class FakeZoom:
    server: ThreadingHTTPServer | None = None
    requests: list[Recorded] = field(default_factory=list)
    meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    dial_in: tuple[dict[str, str], ...] = DIAL_IN  # the account's phone numbers
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> email
    _access: dict[str, str] = field(default_factory=dict)  # access token -> refresh token
    _errors: list[tuple[int, int | None]] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # What tests call -----------------------------------------------------------------------

    def issue_code(self, challenge: str, redirect_uri: str = "", email: str = ACCOUNT) -> str:
        """The code Zoom would send back after the host authorized the app (S256 ``challenge``)."""
        with self._lock:
            code = f"zc-{next(self._numbers)}-{secrets.token_urlsafe(8)}"
            self._codes[code] = {
                "challenge": challenge,
                "redirect_uri": redirect_uri,
                "email": email,
            }
            return code

    def grant(self, email: str = ACCOUNT) -> tuple[str, str]:
        """A refresh token and an access token for ``email``, as if the host had connected."""
        with self._lock:
            refresh = self._new_refresh(email)
            return refresh, self._new_access(refresh)

    def revoke_all(self) -> None:
        """The host removed the app from their Zoom account: every token stops working."""
        with self._lock:
            self._refresh.clear()
            self._access.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """The next ``count`` API requests are answered with ``status``."""
        with self._lock:
            self._errors.extend([(status, retry_after)] * count)

    def is_valid_refresh_token(self, token: str) -> bool:
        with self._lock:
            return token in self._refresh

    def api_requests(self, method: str = "", path_part: str = "") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path.startswith("/v2/") and method in r.method and path_part in r.path
        ]

    def token_requests(self, grant_type: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path == "/oauth/token"
            and isinstance(r.body, dict)
            and r.body.get("grant_type") == grant_type
        ]

    # Serving -------------------------------------------------------------------------------

    def answer(self, recorded: Recorded) -> Answer:
        with self._lock:
            self.requests.append(recorded)
            if recorded.path == "/oauth/token":
                return self._token(recorded)
            if recorded.path == "/oauth/revoke":
                return self._revoke(recorded)
            if not recorded.path.startswith("/v2/"):
                return error(404, 404, "Not Found")
            if self._errors:
                return self._injected(*self._errors.pop(0))
            bearer = recorded.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self._access:
                return error(401, 124, "Invalid access token.")
            return self._route(recorded, self._refresh[self._access[bearer]])

    def _injected(self, status: int, retry_after: int | None) -> Answer:
        messages = {429: "You have exceeded the daily rate limit of your account."}
        answer = error(status, status, messages.get(status, f"Injected {status}"))
        if retry_after is not None:
            answer[2]["Retry-After"] = str(retry_after)
        return answer

    # OAuth ---------------------------------------------------------------------------------

    def _client_ok(self, recorded: Recorded) -> bool:
        pair = f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
        return recorded.headers.get("authorization") == "Basic " + base64.b64encode(pair).decode()

    def _token(self, recorded: Recorded) -> Answer:
        if not self._client_ok(recorded):
            return (
                401,
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
                {},
            )
        form = recorded.body if isinstance(recorded.body, dict) else {}
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token":
            return self._refresh_grant(form)
        return 400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}, {}

    def _exchange(self, form: dict[str, str]) -> Answer:
        issued = self._codes.pop(form.get("code", ""), None)
        if issued is None:
            return 400, {"reason": "Invalid authorization code", "error": "invalid_grant"}, {}
        if issued["redirect_uri"] and issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"reason": "Invalid redirect uri", "error": "invalid_request"}, {}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != issued["challenge"]:
            return 400, {"reason": "Invalid code_verifier", "error": "invalid_grant"}, {}
        return 200, self._tokens(self._new_refresh(issued["email"])), {}

    def _refresh_grant(self, form: dict[str, str]) -> Answer:
        old = form.get("refresh_token", "")
        if old not in self._refresh:
            return 400, {"reason": "Invalid Token!", "error": "invalid_grant"}, {}
        email = self._refresh.pop(old)  # Zoom rotates: the old refresh token stops working
        for access in [a for a, r in self._access.items() if r == old]:
            del self._access[access]
        return 200, self._tokens(self._new_refresh(email)), {}

    def _tokens(self, refresh: str) -> dict[str, Any]:
        return {
            "access_token": self._new_access(refresh),
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": "meeting:write user:read",
        }

    def _revoke(self, recorded: Recorded) -> Answer:
        if not self._client_ok(recorded):
            return (
                401,
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
                {},
            )
        token = recorded.query.get("token", "")
        refresh = self._access.get(token, token)
        if refresh not in self._refresh:
            return 400, {"reason": "Invalid Token!", "error": "invalid_request"}, {}
        del self._refresh[refresh]
        for access in [a for a, r in self._access.items() if r == refresh]:
            del self._access[access]
        return 200, {"status": "success"}, {}

    def _new_refresh(self, email: str) -> str:
        refresh = f"zr-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._refresh[refresh] = email
        return refresh

    def _new_access(self, refresh: str) -> str:
        access = f"za-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._access[access] = refresh
        return access

    # The API -------------------------------------------------------------------------------

    def _route(self, recorded: Recorded, email: str) -> Answer:
        if recorded.path == "/v2/users/me" and recorded.method == "GET":
            return (
                200,
                {"id": "u-" + hashlib.sha256(email.encode()).hexdigest()[:10], "email": email},
                {},
            )
        if recorded.path == "/v2/users/me/meetings" and recorded.method == "POST":
            return self._create(recorded.body, email)
        found = MEETING_PATH.match(recorded.path)
        if found is None:
            return error(404, 404, "Not Found")
        meeting_id = int(found.group(1))
        meeting = self.meetings.get(meeting_id)
        if meeting is None or meeting["host_email"] != email:
            return error(404, 3001, f"Meeting does not exist: {meeting_id}.")
        if recorded.method == "GET":
            return 200, meeting, {}
        if recorded.method == "PATCH":
            return self._update(meeting, recorded.body)
        if recorded.method == "DELETE":
            del self.meetings[meeting_id]
            return 204, None, {}
        return error(405, 405, "Method not allowed")

    def _create(self, body: Any, email: str) -> Answer:
        invalid = _invalid(body, creating=True)
        if invalid:
            return error(400, 300, invalid)
        meeting_id = 85_000_000_000 + next(self._numbers)
        password = secrets.token_urlsafe(6)
        meeting = {
            "id": meeting_id,
            "uuid": secrets.token_urlsafe(16),
            "host_email": email,
            "type": body["type"],
            "status": "waiting",
            "join_url": f"https://zoom.example.com/j/{meeting_id}?pwd={password}",
            "password": password,
            "pstn_password": str(100_000 + meeting_id % 900_000),
            "settings": {
                "join_before_host": False,
                "waiting_room": False,
                "global_dial_in_numbers": [dict(entry, type="toll") for entry in self.dial_in],
            },
        }
        self._apply(meeting, body)
        self.meetings[meeting_id] = meeting
        return 201, meeting, {}

    def _update(self, meeting: dict[str, Any], body: Any) -> Answer:
        invalid = _invalid(body, creating=False)
        if invalid:
            return error(400, 300, invalid)
        self._apply(meeting, body)
        return 204, None, {}

    def _apply(self, meeting: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("topic", "type", "start_time", "duration", "timezone", "agenda"):
            if key in body:
                meeting[key] = body[key]
        meeting["settings"].update(body.get("settings") or {})


def _invalid(body: Any, *, creating: bool) -> str:
    """Why Zoom would refuse this meeting body ("" when it would not)."""
    if not isinstance(body, dict):
        return "Request Body should be a valid JSON object."
    if creating and body.get("type") != 2:
        return "Only scheduled meetings (type 2) are expected here."
    if "start_time" in body and not START_TIME.match(str(body["start_time"])):
        return "Invalid field: start_time."
    duration = body.get("duration", 1)
    if not isinstance(duration, int) or duration < 1:
        return "Invalid field: duration."
    if len(str(body.get("topic", ""))) > 200:
        return "Invalid field: topic."
    return ""


def _handler(fake_ref: list[FakeZoom]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            content_type = self.headers.get("Content-Type") or ""
            body: Any = raw
            if "json" in content_type and raw:
                body = json.loads(raw)
            elif "x-www-form-urlencoded" in content_type:
                body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            recorded = Recorded(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            status, payload, headers = fake_ref[0].answer(recorded)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if payload is not None:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


def start() -> FakeZoom:
    ref: list[FakeZoom] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    fake = FakeZoom(server=server)
    ref.append(fake)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake


def stop(fake: FakeZoom) -> None:
    assert fake.server is not None
    fake.server.shutdown()
    fake.server.server_close()
