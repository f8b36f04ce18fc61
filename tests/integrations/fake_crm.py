"""What the fake HubSpot and Salesforce share: an OAuth token endpoint (``authorization_code``
with the PKCE S256 check, ``refresh_token``; client credentials in the form), bearer tokens
checked on every API call, and the switches tests use to break things.

Tests play the admin at the CRM with ``issue_code`` and ``grant``, and break the API with
``fail_next`` (answer 401, 429, 500 ...), ``delay`` (seconds to wait before every API answer),
``expire_access_tokens`` and ``revoke_all``. ``requests`` logs every request received.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests.integrations.fake_http import Answer, Recorded


@dataclass
class FakeCrm:
    server: ThreadingHTTPServer | None = None
    requests: list[Recorded] = field(default_factory=list)
    delay: float = 0.0
    client_id: str = ""
    client_secret: str = ""
    token_path: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> account
    _access: dict[str, str] = field(default_factory=dict)  # access token -> refresh token
    _errors: list[int] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # What tests call -----------------------------------------------------------------------

    def issue_code(self, challenge: str, redirect_uri: str, account: str) -> str:
        """The code the CRM sends back after the admin allowed access (S256 ``challenge``)."""
        with self._lock:
            code = f"code-{next(self._numbers)}-{secrets.token_urlsafe(8)}"
            self._codes[code] = {
                "challenge": challenge,
                "redirect_uri": redirect_uri,
                "account": account,
            }
            return code

    def grant(self, account: str) -> tuple[str, str]:
        """A refresh token and an access token, as if the admin had connected."""
        with self._lock:
            refresh = self._new_refresh(account)
            return refresh, self._new_access(refresh)

    def fail_next(self, status: int, count: int = 1) -> None:
        """The next ``count`` API requests are answered with ``status``."""
        with self._lock:
            self._errors.extend([status] * count)

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    def revoke_all(self) -> None:
        """The admin removed the app at the CRM: no token works any more."""
        with self._lock:
            self._refresh.clear()
            self._access.clear()

    def is_valid_refresh_token(self, token: str) -> bool:
        with self._lock:
            return token in self._refresh

    def token_requests(self, grant_type: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path == self.token_path
            and isinstance(r.body, dict)
            and r.body.get("grant_type") == grant_type
        ]

    def api_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path != self.token_path]

    # Serving -------------------------------------------------------------------------------

    def answer(self, recorded: Recorded) -> Answer:
        if recorded.path == self.token_path:
            with self._lock:
                self.requests.append(recorded)
                return self._token(recorded)
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.requests.append(recorded)
            if self._errors:
                return self.error(self._errors.pop(0), "Injected failure")
            bearer = recorded.headers.get("authorization", "").removeprefix("Bearer ")
            account = self._refresh.get(self._access.get(bearer, ""), None)
            if account is None and not self.public(recorded):
                return self.error(401, "Invalid or expired token")
            return self.route(recorded, account or "")

    # What each CRM defines -----------------------------------------------------------------

    def error(self, status: int, message: str) -> Answer:
        raise NotImplementedError

    def route(self, recorded: Recorded, account: str) -> Answer:
        raise NotImplementedError

    def public(self, recorded: Recorded) -> bool:
        """Whether the request needs no bearer token."""
        return False

    def token_extras(self) -> dict[str, Any]:
        return {}

    # OAuth ---------------------------------------------------------------------------------

    def revoke_token(self, token: str) -> bool:
        """End a refresh token and its access tokens (call with the lock held)."""
        if self._refresh.pop(token, None) is None:
            return False
        for access in [a for a, r in self._access.items() if r == token]:
            del self._access[access]
        return True

    def _token(self, recorded: Recorded) -> Answer:
        form = recorded.body if isinstance(recorded.body, dict) else {}
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return 401, {"error": "invalid_client"}, {}
        if form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if form.get("grant_type") == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self._refresh:
                return 400, {"error": "invalid_grant"}, {}
            return 200, self._tokens(refresh, with_refresh=False), {}
        return 400, {"error": "unsupported_grant_type"}, {}

    def _exchange(self, form: dict[str, str]) -> Answer:
        issued = self._codes.pop(form.get("code", ""), None)
        if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}, {}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != issued["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "code_verifier"}, {}
        return 200, self._tokens(self._new_refresh(issued["account"]), with_refresh=True), {}

    def _tokens(self, refresh: str, *, with_refresh: bool) -> dict[str, Any]:
        tokens: dict[str, Any] = {
            "access_token": self._new_access(refresh),
            "token_type": "bearer",
            **self.token_extras(),
        }
        if with_refresh:
            tokens["refresh_token"] = refresh
        return tokens

    def _new_refresh(self, account: str) -> str:
        refresh = f"r-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._refresh[refresh] = account
        return refresh

    def _new_access(self, refresh: str) -> str:
        access = f"a-{next(self._numbers)}-{secrets.token_urlsafe(12)}"
        self._access[access] = refresh
        return access
