"""A real HTTP server, in a thread, that speaks just enough of GoTo's OAuth and G2M REST API for
the tests, so the GoTo Meeting client talks to it over HTTP unchanged.

OAuth: ``/oauth/token`` (``authorization_code`` with the PKCE S256 check, ``refresh_token``; the
client credentials as HTTP Basic auth) and ``/oauth/revoke``. Meetings: ``POST
/G2M/rest/meetings`` answers a one-item list like GoTo does, ``GET``/``PUT``/``DELETE
/G2M/rest/meetings/{id}``, each with the bearer token checked. Tests sign the host in with
``issue_code`` (or ``grant``) and break things with ``fail_next``, ``revoke_all`` and
``expire_access_tokens``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "goto-test-client"
CLIENT_SECRET = "goto-test-secret"
ACCOUNT = "host@goto.example"
ACCESS_TOKEN_SECONDS = 3600
DIAL_IN = "United States: +1 (571) 317-3112\nAccess Code: {code}"
Answer = tuple[int, Any, dict[str, str]]  # status, JSON payload (None: no body), headers


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class FakeGoTo:
    server: ThreadingHTTPServer | None = None
    requests: list[Recorded] = field(default_factory=list)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)  # meeting id -> meeting
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> email
    _access: dict[str, str] = field(default_factory=dict)  # access token -> refresh token
    _errors: list[tuple[int, int | None]] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # What tests call -----------------------------------------------------------------------

    def issue_code(self, code_challenge: str, redirect_uri: str, email: str = ACCOUNT) -> str:
        """The code GoTo would send back after the host consented (S256 ``code_challenge``)."""
        with self._lock:
            code = f"code-{next(self._numbers)}-{secrets.token_urlsafe(8)}"
            self._codes[code] = {
                "challenge": code_challenge,
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
        """The host removed the app from their GoTo account: every token stops working."""
        with self._lock:
            self._refresh.clear()
            self._access.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """The next ``count`` meeting API requests are answered with ``status``."""
        with self._lock:
            self._errors.extend([(status, retry_after)] * count)

    def api_requests(self, method: str = "") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path.startswith("/G2M/") and (not method or r.method == method)
        ]

    def token_requests(self, grant_type: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path == "/oauth/token"
            and isinstance(r.body, dict)
            and r.body.get("grant_type") == grant_type
        ]

    def is_live(self, refresh_token: str) -> bool:
        with self._lock:
            return refresh_token in self._refresh

    # Serving -------------------------------------------------------------------------------

    def answer(self, recorded: Recorded) -> Answer:
        with self._lock:
            self.requests.append(recorded)
            if recorded.path in ("/oauth/token", "/oauth/revoke"):
                if not self._client_ok(recorded.headers.get("authorization", "")):
                    return 401, {"error": "invalid_client"}, {}
                if recorded.path == "/oauth/revoke":
                    return self._revoke(recorded.body)
                return self._token(recorded.body)
            if not recorded.path.startswith("/G2M/rest/meetings"):
                return 404, {"int_err_code": "NotFound", "msg": "Not found"}, {}
            if self._errors:
                status, retry_after = self._errors.pop(0)
                headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
                return status, {"int_err_code": "Injected", "msg": f"Injected {status}"}, headers
            bearer = recorded.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self._access:
                return 401, {"int_err_code": "InvalidToken", "msg": "Invalid token"}, {}
            return self._route(recorded, self._refresh[self._access[bearer]])

    def _client_ok(self, header: str) -> bool:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        return header == f"Basic {expected}"

    # OAuth ---------------------------------------------------------------------------------

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self._refresh:
                return 400, {"error": "invalid_grant", "error_description": "Revoked"}, {}
            return 200, self._tokens(refresh, self._refresh[refresh]), {}
        return 400, {"error": "unsupported_grant_type"}, {}

    def _exchange(self, form: dict[str, str]) -> Answer:
        issued = self._codes.pop(form.get("code", ""), None)
        if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}, {}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != issued["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "Bad verifier"}, {}
        refresh = self._new_refresh(issued["email"])
        return 200, self._tokens(refresh, issued["email"]), {}

    def _tokens(self, refresh: str, email: str) -> dict[str, Any]:
        return {
            "access_token": self._new_access(refresh),
            "token_type": "Bearer",
            "refresh_token": refresh,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "account_key": "9000000000000000001",
            "organizer_key": "8000000000000000001",
            "email": email,
        }

    def _revoke(self, form: dict[str, str]) -> Answer:
        token = form.get("token", "")
        refresh = self._access.get(token, token)
        self._refresh.pop(refresh, None)
        for access in [a for a, r in self._access.items() if r == refresh]:
            del self._access[access]
        return 200, None, {}

    def _new_refresh(self, email: str) -> str:
        refresh = f"refresh-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._refresh[refresh] = email
        return refresh

    def _new_access(self, refresh: str) -> str:
        access = f"access-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._access[access] = refresh
        return access

    # Meetings ------------------------------------------------------------------------------

    def _route(self, recorded: Recorded, owner: str) -> Answer:
        rest = recorded.path.removeprefix("/G2M/rest/meetings").strip("/")
        if not rest:
            if recorded.method == "POST":
                return self._create(recorded.body, owner)
            return 405, {"int_err_code": "MethodNotAllowed"}, {}
        meeting = self.meetings.get(rest)
        if meeting is None or meeting["owner"] != owner:
            return 404, {"int_err_code": "NotFound", "msg": "Meeting not found"}, {}
        if recorded.method == "GET":
            return 200, [_public(meeting)], {}
        if recorded.method == "PUT":
            problem = _invalid(recorded.body)
            if problem:
                return 400, {"int_err_code": "InvalidRequest", "msg": problem}, {}
            meeting.update(_fields(recorded.body))
            return 204, None, {}
        if recorded.method == "DELETE":
            del self.meetings[rest]
            return 204, None, {}
        return 405, {"int_err_code": "MethodNotAllowed"}, {}

    def _create(self, body: Any, owner: str) -> Answer:
        problem = _invalid(body)
        if problem:
            return 400, {"int_err_code": "InvalidRequest", "msg": problem}, {}
        meeting_id = str(100000000 + next(self._numbers))
        meeting = {
            "meetingid": int(meeting_id),
            "owner": owner,
            "joinURL": f"https://global.gotomeeting.com/join/{meeting_id}",
            "conferenceCallInfo": DIAL_IN.format(code=meeting_id),
            **_fields(body),
        }
        self.meetings[meeting_id] = meeting
        answer = {
            "joinURL": meeting["joinURL"],
            "maxParticipants": 250,
            "uniqueMeetingId": int(meeting_id) * 10,
            "conferenceCallInfo": meeting["conferenceCallInfo"],
            "meetingid": meeting["meetingid"],
        }
        return 201, [answer], {}


def _invalid(body: Any) -> str:
    if not isinstance(body, dict):
        return "A JSON object is required."
    for name in ("subject", "starttime", "endtime"):
        if not body.get(name):
            return f"{name} is required."
    for name in ("starttime", "endtime"):
        if not str(body[name]).endswith("Z"):
            return f"{name} must be in UTC."
    if body["endtime"] <= body["starttime"]:
        return "endtime must be after starttime."
    return ""


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    keys = ("subject", "starttime", "endtime", "passwordrequired", "conferencecallinfo")
    return {key: body.get(key) for key in keys}


def _public(meeting: dict[str, Any]) -> dict[str, Any]:
    return {
        "meetingId": meeting["meetingid"],
        "subject": meeting["subject"],
        "startTime": meeting["starttime"],
        "endTime": meeting["endtime"],
        "passwordRequired": meeting["passwordrequired"],
        "conferenceCallInfo": meeting["conferenceCallInfo"],
        "meetingType": "scheduled",
        "joinURL": meeting["joinURL"],
    }


def _handler(fake_ref: list[FakeGoTo]) -> type[BaseHTTPRequestHandler]:
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
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            status, payload, headers = fake_ref[0].answer(recorded)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


def start() -> FakeGoTo:
    ref: list[FakeGoTo] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    fake = FakeGoTo(server=server)
    ref.append(fake)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake


def stop(fake: FakeGoTo) -> None:
    assert fake.server is not None
    fake.server.shutdown()
    fake.server.server_close()
