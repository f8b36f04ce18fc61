"""A real HTTP server, in a thread, that speaks just enough of the Webex REST API (``/v1``) for the
Webex client's tests.

OAuth: ``/v1/access_token`` (``authorization_code`` with the PKCE S256 check and the client
credentials in the form, ``refresh_token``). API, with a bearer token checked on every call
(401 otherwise): ``/v1/people/me`` and the meetings (``POST /v1/meetings``, ``GET``/``PUT``/
``DELETE /v1/meetings/{id}``). Tests stand in for the host's browser with ``issue_code`` and break
things with ``fail_next``, ``revoke_all`` and ``expire_access_tokens``; ``requests`` is every
request received and ``meetings`` the meetings as Webex holds them.
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

CLIENT_ID = "C0ffee-webex-test-client"
CLIENT_SECRET = "test-webex-client-secret"
ACCOUNT = "host@webex.example.com"
ACCESS_TOKEN_SECONDS = 1209599  # 14 days, as Webex grants
REFRESH_TOKEN_SECONDS = 7775999
SITE = "https://workestra-test.webex.com"
CALL_IN = (
    {"label": "United States Toll", "callInNumber": "+1-415-655-0001", "tollType": "toll"},
    {"label": "Germany Toll", "callInNumber": "+49-619-6781-9736", "tollType": "toll"},
)
REQUIRED = ("title", "start", "end")

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


def error(status: int, message: str) -> Answer:
    """Webex's error shape: a message, the same in ``errors``, and a tracking id."""
    payload = {
        "message": message,
        "errors": [{"description": message}],
        "trackingId": f"ROUTER_{secrets.token_hex(8)}",
    }
    return status, payload, {}


@dataclass
class FakeWebex:
    server: ThreadingHTTPServer | None = None
    requests: list[Recorded] = field(default_factory=list)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> email
    _access: dict[str, str] = field(default_factory=dict)  # access token -> email
    _errors: list[tuple[int, int | None]] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """What ``WEBEX_API_BASE`` is set to."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    # What tests call -----------------------------------------------------------------------

    def issue_code(self, challenge: str, redirect_uri: str, *, email: str = ACCOUNT) -> str:
        """The code Webex sends back after the host consented (S256 ``challenge``)."""
        with self._lock:
            code = f"code-{next(self._numbers)}-{secrets.token_urlsafe(8)}"
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
            return refresh, self._new_access(email)

    def revoke_all(self) -> None:
        """The host removed the integration from their Webex account: no token works any more."""
        with self._lock:
            self._refresh.clear()
            self._access.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """The next ``count`` API requests (not sign-ins) are answered with ``status``."""
        with self._lock:
            self._errors.extend([(status, retry_after)] * count)

    def api_requests(self, method: str = "") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path != "/v1/access_token" and (not method or r.method == method)
        ]

    def token_requests(self, grant_type: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path == "/v1/access_token"
            and isinstance(r.body, dict)
            and r.body.get("grant_type") == grant_type
        ]

    # Serving -------------------------------------------------------------------------------

    def answer(self, recorded: Recorded) -> Answer:
        with self._lock:
            self.requests.append(recorded)
            if recorded.path == "/v1/access_token" and recorded.method == "POST":
                return self._token(recorded.body if isinstance(recorded.body, dict) else {})
            if self._errors:
                status, retry_after = self._errors.pop(0)
                answer = error(status, f"Injected {status}")
                if retry_after is not None:
                    answer[2]["Retry-After"] = str(retry_after)
                return answer
            bearer = recorded.headers.get("authorization", "").removeprefix("Bearer ")
            email = self._access.get(bearer)
            if email is None:
                return error(401, "The request requires a valid access token set in the header.")
            return self._route(recorded, email)

    def _route(self, recorded: Recorded, email: str) -> Answer:
        path, method = recorded.path, recorded.method
        if path == "/v1/people/me" and method == "GET":
            return 200, _person(email), {}
        if path == "/v1/meetings" and method == "POST":
            return self._create(recorded.body, email)
        if path.startswith("/v1/meetings/"):
            meeting_id = path.removeprefix("/v1/meetings/")
            meeting = self.meetings.get(meeting_id)
            if meeting is None or meeting["hostEmail"] != email:
                return error(404, "The requested resource could not be found.")
            if method == "GET":
                return 200, meeting, {}
            if method == "PUT":
                return self._update(meeting, recorded.body)
            if method == "DELETE":
                del self.meetings[meeting_id]
                return 204, None, {}
            return error(405, "Method not allowed.")
        return error(404, "The requested resource could not be found.")

    # Meetings ------------------------------------------------------------------------------

    def _create(self, body: Any, email: str) -> Answer:
        missing = _missing(body)
        if missing:
            return error(400, f"{missing} is required.")
        number = next(self._numbers)
        meeting_id = secrets.token_hex(16)
        meeting_number = f"2551{number:06d}"
        meeting = {
            "id": meeting_id,
            "meetingNumber": meeting_number,
            "meetingType": "meetingSeries",
            "state": "active",
            "hostEmail": email,
            "webLink": f"{SITE}/workestra-test/j.php?MTID=m{meeting_id}",
            "sipAddress": f"{meeting_number}@workestra-test.webex.com",
            "password": secrets.token_urlsafe(8),
            "telephony": {
                "accessCode": f"{meeting_number[:4]} {meeting_number[4:7]} {meeting_number[7:]}",
                "callInNumbers": [dict(n) for n in CALL_IN],
            },
        }
        meeting.update(_fields(body))
        self.meetings[meeting_id] = meeting
        return 200, meeting, {}

    def _update(self, meeting: dict[str, Any], body: Any) -> Answer:
        missing = _missing(body)
        if missing:
            return error(400, f"{missing} is required.")
        meeting.update(_fields(body))
        return 200, meeting, {}

    # OAuth ---------------------------------------------------------------------------------

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client", "error_description": "Bad client."}, {}
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token":
            email = self._refresh.get(form.get("refresh_token", ""))
            if email is None:
                return 400, {"error": "invalid_grant", "error_description": "Revoked."}, {}
            return 200, self._tokens(email, form["refresh_token"]), {}
        return 400, {"error": "unsupported_grant_type"}, {}

    def _exchange(self, form: dict[str, str]) -> Answer:
        issued = self._codes.pop(form.get("code", ""), None)
        if issued is None:
            return 400, {"error": "invalid_grant", "error_description": "Unknown code."}, {}
        if issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_request", "error_description": "redirect_uri"}, {}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != issued["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed."}, {}
        email = issued["email"]
        return 200, self._tokens(email, self._new_refresh(email)), {}

    def _tokens(self, email: str, refresh: str) -> dict[str, Any]:
        return {
            "access_token": self._new_access(email),
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": "meeting:schedules_read meeting:schedules_write spark:people_read",
        }

    def _new_refresh(self, email: str) -> str:
        refresh = f"refresh-{next(self._numbers)}-{secrets.token_urlsafe(16)}"
        self._refresh[refresh] = email
        return refresh

    def _new_access(self, email: str) -> str:
        access = f"access-{next(self._numbers)}-{secrets.token_urlsafe(16)}"
        self._access[access] = email
        return access


def _missing(body: Any) -> str:
    if not isinstance(body, dict):
        return "body"
    return next((name for name in REQUIRED if not body.get(name)), "")


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    kept = (*REQUIRED, "agenda", "timezone", "enabledAutoRecordMeeting", "allowAnyUserToBeCoHost")
    return {name: body[name] for name in kept if name in body}


def _person(email: str) -> dict[str, Any]:
    return {
        "id": base64.urlsafe_b64encode(f"people/{email}".encode()).decode(),
        "emails": [email],
        "displayName": email.split("@")[0].title(),
        "type": "person",
    }


def _handler(fake_ref: list[FakeWebex]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
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
                path=urlsplit(self.path).path,
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

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


def start() -> FakeWebex:
    ref: list[FakeWebex] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    fake = FakeWebex(server=server)
    ref.append(fake)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake


def stop(fake: FakeWebex) -> None:
    assert fake.server is not None
    fake.server.shutdown()
    fake.server.server_close()
