"""A real HTTPS server, in a thread, that speaks enough of the Microsoft identity platform and of
Microsoft Graph's calendar API for msal and our client to talk to it as to Microsoft.

Identity: ``/{tenant}/v2.0/.well-known/openid-configuration``, ``/{tenant}/oauth2/v2.0/authorize``
(signs in :attr:`FakeMicrosoft.signed_in` at once and redirects with a code) and
``/{tenant}/oauth2/v2.0/token`` (the code grant with its PKCE verifier checked, refresh tokens
rotated on each use, ``invalid_grant`` after :meth:`FakeMicrosoft.revoke_all`).

Graph (``/v1.0``, bearer token checked): ``/me``, ``/me/calendars``, ``calendarView`` and its
``delta`` (pages, deltaLink tokens, 410 ``syncStateNotFound`` for an unknown token), events
create / update / delete / cancel with Teams join links, ``/subscriptions``.

Tests act as the host in Outlook with :meth:`add_event`, :meth:`move_event`,
:meth:`delete_event`; :meth:`fail_next` makes the next Graph requests fail; :meth:`notify` gives
the body Graph would post to a subscription's notification URL.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from tests.integrations import tls
from tests.integrations.fake_microsoft_graph import GraphMixin, error
from tests.integrations.fake_microsoft_store import FakeCalendar, FakeEvent

CLIENT_ID = "00000000-0000-0000-0000-00000000c11e"
CLIENT_SECRET = "fake-client-secret"
TENANT = "common"
DEFAULT_ACCOUNT = "host@contoso.test"
TOKEN_LIFETIME = 3600
Answer = tuple[int, dict[str, str], Any]  # status, headers, JSON body (None: empty)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON or form fields


@dataclass
class Code:
    challenge: str
    account: str
    redirect_uri: str


def oauth_error(code: str, description: str, status: int = 400) -> Answer:
    return status, {}, {"error": code, "error_description": description}


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class FakeMicrosoft(GraphMixin):
    server: ThreadingHTTPServer | None = None
    directory: Path | None = None
    base_url: str = ""
    ca_file: str = ""
    signed_in: str = DEFAULT_ACCOUNT
    requests: list[Recorded] = field(default_factory=list)
    calendars: dict[str, FakeCalendar] = field(default_factory=dict)
    events: dict[str, FakeEvent] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: dict[str, str] = field(default_factory=dict)  # event id -> cancellation comment
    # Called with (notificationUrl, validationToken) on subscription create; returns the echo.
    validation_handler: Callable[[str, str], str] | None = None
    codes: dict[str, Code] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> account
    access_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    delta_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    skip_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[tuple[int, int | None]] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    token_delays: list[float] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # -- set-up and test-side helpers --------------------------------------------------------

    @property
    def authority(self) -> str:
        return f"{self.base_url}/{TENANT}"

    @property
    def graph_base(self) -> str:
        return f"{self.base_url}/v1.0"

    def add_account(self, email: str) -> None:
        """A mailbox with a default, writable "Calendar" and a read-only "Holidays"."""
        with self.lock:
            n = next(self.ids)
            for cal in (
                FakeCalendar(f"AAMkCal{n}main", "Calendar", email, is_default=True),
                FakeCalendar(f"AAMkCal{n}hols", "Holidays", email, can_edit=False),
            ):
                self.calendars[cal.id] = cal

    def calendar_of(self, account: str = DEFAULT_ACCOUNT, *, default: bool = True) -> str:
        return next(
            c.id for c in self.calendars.values() if c.owner == account and c.is_default == default
        )

    def issue_code(
        self, code_challenge: str, account: str = DEFAULT_ACCOUNT, redirect_uri: str = ""
    ) -> str:
        """What the authorize page gives after the host signs in (without a browser)."""
        code = "M." + secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = Code(code_challenge, account, redirect_uri)
        return code

    def issue_tokens(self, account: str = DEFAULT_ACCOUNT) -> dict[str, Any]:
        """A token response for ``account``, as after a sign-in."""
        with self.lock:
            refresh = "0.AR-" + secrets.token_urlsafe(32)
            access = "eyJ0-" + secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = account
            self.access_tokens[access] = (account, time.time() + TOKEN_LIFETIME)
        return {
            "token_type": "Bearer",
            "scope": "Calendars.ReadWrite User.Read openid profile",
            "expires_in": TOKEN_LIFETIME,
            "ext_expires_in": TOKEN_LIFETIME,
            "access_token": access,
            "refresh_token": refresh,
        }

    def revoke_all(self) -> None:
        """The host removed the app's consent: every token stops working."""
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.delta_tokens.clear()

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """The next ``count`` Graph requests get ``status`` (with ``Retry-After`` if given)."""
        with self.lock:
            self.failures.extend([(status, retry_after)] * count)

    def delay_next(self, seconds: float, count: int = 1, *, token: bool = False) -> None:
        """The next ``count`` Graph requests (``token``: token requests) are answered only
        after ``seconds``."""
        with self.lock:
            (self.token_delays if token else self.delays).extend([seconds] * count)

    def graph_requests(self, method: str = "", path: str = "") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path.startswith("/v1.0/")
            and (not method or r.method == method)
            and (not path or re.search(path, r.path))
        ]

    def add_event(
        self,
        subject: str,
        start: datetime,
        end: datetime,
        *,
        calendar_id: str = "",
        tz: str = "UTC",
        **fields: Any,
    ) -> str:
        """The host adds an event in Outlook; aware times are taken as wall times in ``tz``."""
        zone_start, zone_end = (_wall(moment, tz) for moment in (start, end))
        with self.lock:
            event = FakeEvent(
                id=f"AAMkEv{next(self.ids)}",
                calendar_id=calendar_id or self.calendar_of(),
                subject=subject,
                start=zone_start,
                end=zone_end,
                tz=tz,
                **fields,
            )
            self.events[event.id] = event
        return event.id

    def move_event(self, event_id: str, start: datetime, end: datetime) -> None:
        with self.lock:
            event = self.events[event_id]
            event.start, event.end = _wall(start, event.tz), _wall(end, event.tz)

    def delete_event(self, event_id: str) -> None:
        with self.lock:
            del self.events[event_id]

    def notify(
        self, subscription_id: str, change_type: str = "updated", event_id: str = ""
    ) -> dict[str, Any]:
        """The JSON Graph posts to the subscription's notification URL about a change."""
        sub = self.subscriptions[subscription_id]
        return {
            "value": [
                {
                    "subscriptionId": subscription_id,
                    "subscriptionExpirationDateTime": sub["expirationDateTime"],
                    "changeType": change_type,
                    "resource": f"Users/{sub['owner']}/Events/{event_id}",
                    "resourceData": {
                        "@odata.type": "#Microsoft.Graph.Event",
                        "@odata.id": f"Users/{sub['owner']}/Events/{event_id}",
                        "id": event_id,
                    },
                    "clientState": sub["clientState"],
                    "tenantId": "00000000-0000-0000-0000-0000000000aa",
                }
            ]
        }

    # -- dispatch ----------------------------------------------------------------------------

    def answer(self, recorded: Recorded) -> Answer:
        graph = recorded.path.startswith("/v1.0/")
        with self.lock:
            self.requests.append(recorded)
            delays = self.delays if graph else self.token_delays
            if not graph and not recorded.path.endswith("/token"):
                delays = []
            delay = delays.pop(0) if delays else 0.0
        time.sleep(delay)  # outside the lock: other requests are answered meanwhile
        with self.lock:
            return self.graph(recorded) if graph else self.identity(recorded)

    def identity(self, r: Recorded) -> Answer:
        match = re.fullmatch(
            r"/([^/]+)/(v2\.0/\.well-known/openid-configuration|oauth2/v2\.0/\w+)", r.path
        )
        if not match:
            return error(404, "NotFound")
        tenant, what = match.groups()
        if what.endswith("openid-configuration"):
            return 200, {}, self._openid_configuration(tenant)
        if what == "oauth2/v2.0/authorize" and r.method == "GET":
            return self._authorize(r)
        if what == "oauth2/v2.0/token" and r.method == "POST":
            return self._token(r.body)
        return error(404, "NotFound")

    def _openid_configuration(self, tenant: str) -> dict[str, Any]:
        root = f"{self.base_url}/{tenant}"
        return {
            "issuer": f"{root}/v2.0",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
        }

    def _authorize(self, r: Recorded) -> Answer:
        q = r.query
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return oauth_error("unauthorized_client", "AADSTS700016: unknown application")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return oauth_error("invalid_request", "AADSTS501491: PKCE S256 required")
        code = self.issue_code(q["code_challenge"], self.signed_in, q.get("redirect_uri", ""))
        location = (
            f"{q.get('redirect_uri')}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        )
        return 302, {"Location": location}, None

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return oauth_error("invalid_client", "AADSTS7000215: Invalid client secret", 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._code_grant(form)
        if grant == "refresh_token":
            account = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if account is None:
                return oauth_error("invalid_grant", "AADSTS70000: The refresh token was revoked.")
            return 200, {}, self.issue_tokens(account)
        return oauth_error("unsupported_grant_type", "AADSTS70003")

    def _code_grant(self, form: dict[str, str]) -> Answer:
        code = self.codes.pop(form.get("code", ""), None)
        if code is None:
            return oauth_error("invalid_grant", "AADSTS70008: The code has expired or was used.")
        if s256(form.get("code_verifier", "")) != code.challenge:
            return oauth_error(
                "invalid_grant",
                "AADSTS501481: The Code_Verifier does not match the code_challenge.",
            )
        if code.redirect_uri and form.get("redirect_uri") != code.redirect_uri:
            return oauth_error("invalid_grant", "AADSTS50011: The redirect URI does not match.")
        return 200, {}, self.issue_tokens(code.account)


def _wall(moment: datetime, tz: str) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    return moment.replace(tzinfo=None)


def _handler(fake: FakeMicrosoft) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if "json" in (self.headers.get("Content-Type") or ""):
                body: Any = json.loads(raw or b"null")
            else:
                body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            recorded = Recorded(
                method=self.command,
                path=unquote(parts.path),
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            status, headers, payload = fake.answer(recorded)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) or refused our certificate is not a fake's error."""


def start() -> FakeMicrosoft:
    directory = Path(tempfile.mkdtemp(prefix="fake-microsoft-"))
    certs = tls.make(directory)
    fake = FakeMicrosoft(ca_file=str(certs.ca_file), directory=directory)
    server = _QuietServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    server.socket = certs.server_context().wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    fake.server = server
    fake.base_url = f"https://127.0.0.1:{server.server_address[1]}"
    fake.add_account(DEFAULT_ACCOUNT)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return fake


def stop(fake: FakeMicrosoft) -> None:
    if fake.server is not None:
        fake.server.shutdown()
        fake.server.server_close()
    if fake.directory is not None:
        shutil.rmtree(fake.directory, ignore_errors=True)
