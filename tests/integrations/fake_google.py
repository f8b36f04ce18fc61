"""A real HTTP server, in a thread, that speaks just enough of Google's OAuth and Calendar v3 for
the tests, so the real SDKs (google-api-python-client, google-auth) talk to it unchanged.

OAuth: ``/o/oauth2/v2/auth`` (consents at once and redirects back with a code), ``/token``
(``authorization_code`` with the PKCE S256 check, ``refresh_token``), ``/revoke``. Calendar v3 at
the discovery document's paths, with a bearer token checked on every call. State: calendars and
events with change stamps behind sync tokens, recurring events expanded into instances, push
channels. Tests act as the host in Google Calendar through ``add_event``, ``move_event`` and
``delete_event``, and break things with ``fail_next``, ``delay_next``, ``revoke_all``,
``expire_access_tokens`` and ``expire_sync_tokens``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.integrations import fake_google_calendar as calendar_api
from tests.integrations.fake_google_calendar import ACCOUNT, Answer, error

CLIENT_ID = "workestra-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-google-client-secret"
ACCESS_TOKEN_SECONDS = 3599
FULL_SCOPES = (
    "openid email https://www.googleapis.com/auth/calendar.events"
    " https://www.googleapis.com/auth/calendar.readonly"
)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeGoogle(calendar_api.CalendarState):
    server: ThreadingHTTPServer | None = None
    requests: list[Recorded] = field(default_factory=list)
    rotate_refresh_tokens: bool = False  # answer each refresh with a new refresh token too
    send_id_token: bool = True  # False: the code exchange answers without an ID token
    signed_in: str = ACCOUNT  # who signs in at the consent page
    email_verified: bool = True  # what the ID token says of that address
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> email
    _access: dict[str, str] = field(default_factory=dict)  # access token -> refresh token
    _errors: list[tuple[int, int | None, str]] = field(default_factory=list)
    _delays: list[float] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # What tests call -----------------------------------------------------------------------

    def issue_code(
        self,
        challenge: str,
        *,
        redirect_uri: str = "",
        email: str = ACCOUNT,
        scopes: str = FULL_SCOPES,
    ) -> str:
        """The code Google would send back after the host consented (S256 ``challenge``)."""
        with self._lock:
            return self._new_code(challenge, redirect_uri, email, scopes)

    def grant(self, email: str = ACCOUNT) -> tuple[str, str]:
        """A refresh token and an access token for ``email``, as if the host had connected."""
        with self._lock:
            refresh = f"1//refresh-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
            self._refresh[refresh] = email
            return refresh, self._new_access(refresh)

    def revoke_all(self) -> None:
        """The host removed the app in their Google account: every token stops working."""
        with self._lock:
            self._refresh.clear()
            self._access.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    def fail_next(
        self, status: int, count: int = 1, retry_after: int | None = None, reason: str = ""
    ) -> None:
        """The next ``count`` Calendar API requests are answered with ``status`` (and Google's
        usual reason for it, or ``reason``)."""
        with self._lock:
            self._errors.extend([(status, retry_after, reason)] * count)

    def delay_next(self, seconds: float) -> None:
        """The next Calendar API request is answered only after ``seconds``."""
        with self._lock:
            self._delays.append(seconds)

    def api_requests(self, path_part: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/calendar/") and path_part in r.path]

    @property
    def calls(self) -> int:
        """Calendar API requests received so far."""
        return len(self.api_requests())

    def token_requests(self, grant_type: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path == "/token"
            and isinstance(r.body, dict)
            and r.body.get("grant_type") == grant_type
        ]

    # Serving -------------------------------------------------------------------------------

    def answer(self, recorded: Recorded) -> Answer:
        with self._lock:
            self.requests.append(recorded)
            delay = (
                self._delays.pop(0)
                if recorded.path.startswith("/calendar/") and self._delays
                else 0
            )
        if delay:
            time.sleep(delay)
        with self._lock:
            if recorded.path == "/o/oauth2/v2/auth":
                return self._consent(recorded.query)
            if recorded.path == "/token":
                return self._token(recorded.body)
            if recorded.path == "/revoke":
                return self._revoke(recorded.body)
            if not recorded.path.startswith("/calendar/v3/"):
                return error(404, "Not Found", "notFound")
            if self._errors:
                return self._injected(*self._errors.pop(0))
            bearer = recorded.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self._access:
                return error(401, "Request had invalid authentication credentials.", "authError")
            owner = self._refresh[self._access[bearer]]
            return self.route(recorded, owner)

    def _injected(self, status: int, retry_after: int | None, reason: str) -> Answer:
        reasons = {401: "authError", 403: "forbidden", 404: "notFound", 410: "fullSyncRequired"}
        reason = reason or reasons.get(status, "rateLimitExceeded" if status == 429 else "")
        answer = error(status, f"Injected {status}", reason or "backendError")
        if retry_after is not None:
            answer[2]["Retry-After"] = str(retry_after)
        return answer

    # OAuth ---------------------------------------------------------------------------------

    def _consent(self, query: dict[str, str]) -> Answer:
        if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
            return 400, {"error": "invalid_request"}, {}
        code = self._new_code(
            query["code_challenge"], query["redirect_uri"], self.signed_in, query.get("scope", "")
        )
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, None, {"Location": target}

    def _new_code(self, challenge: str, redirect_uri: str, email: str, scopes: str) -> str:
        code = f"4/code-{next(self._numbers)}-{secrets.token_urlsafe(8)}"
        self._codes[code] = {
            "challenge": challenge,
            "redirect_uri": redirect_uri,
            "email": email,
            "scopes": scopes,
        }
        return code

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, {}
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token":
            return self._refresh_grant(form)
        return 400, {"error": "unsupported_grant_type"}, {}

    def _exchange(self, form: dict[str, str]) -> Answer:
        issued = self._codes.pop(form.get("code", ""), None)
        if issued is None:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}, {}
        if issued["redirect_uri"] and issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, {}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != issued["challenge"]:
            return (
                400,
                {"error": "invalid_grant", "error_description": "Invalid code verifier."},
                {},
            )
        refresh = f"1//refresh-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._refresh[refresh] = issued["email"]
        payload = {
            "access_token": self._new_access(refresh),
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": refresh,
            "scope": issued["scopes"],
            "token_type": "Bearer",
        }
        if self.send_id_token:
            payload["id_token"] = _id_token(issued["email"], self.email_verified)
        return 200, payload, {}

    def _refresh_grant(self, form: dict[str, str]) -> Answer:
        refresh = form.get("refresh_token", "")
        if refresh not in self._refresh:
            refused = {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
            return 400, refused, {}
        payload: dict[str, Any] = {
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": FULL_SCOPES,
            "token_type": "Bearer",
        }
        if self.rotate_refresh_tokens:
            email = self._refresh.pop(refresh)
            refresh = f"1//refresh-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
            self._refresh[refresh] = email
            payload["refresh_token"] = refresh
        payload["access_token"] = self._new_access(refresh)
        return 200, payload, {}

    def _revoke(self, form: dict[str, str]) -> Answer:
        token = form.get("token", "")
        refresh = self._access.get(token, token)
        if refresh not in self._refresh:
            return 400, {"error": "invalid_token", "error_description": "Bad Request"}, {}
        del self._refresh[refresh]
        for access in [a for a, r in self._access.items() if r == refresh]:
            del self._access[access]
        return 200, {}, {}

    def _new_access(self, refresh: str) -> str:
        access = f"ya29.access-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._access[access] = refresh
        return access


def _id_token(email: str, email_verified: bool = True) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": CLIENT_ID,
        "sub": hashlib.sha256(email.encode()).hexdigest()[:21],
        "email": email,
        "email_verified": email_verified,
        "iat": now,
        "exp": now + 3600,
    }
    return f"{part({'alg': 'RS256', 'kid': 'fake'})}.{part(claims)}.c2lnbmF0dXJl"


def _handler(fake_ref: list[FakeGoogle]) -> type[BaseHTTPRequestHandler]:
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
                self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


def start() -> FakeGoogle:
    ref: list[FakeGoogle] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    fake = FakeGoogle(server=server)
    fake.add_calendar(ACCOUNT, ACCOUNT, primary=True)
    ref.append(fake)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return fake


def stop(fake: FakeGoogle) -> None:
    assert fake.server is not None
    fake.server.shutdown()
    fake.server.server_close()
