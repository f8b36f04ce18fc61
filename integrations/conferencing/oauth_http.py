"""OAuth 2.0 (authorization code with PKCE, refresh) and JSON calls over httpx, shared by the
conferencing clients, whose providers have no SDK worth its weight.

Each client describes its provider with an :class:`OAuthApp` (endpoints, scopes, how it wants the
client credentials) and calls :func:`api` for every request: the access token is refreshed when
it has expired (and once more after a 401), a rotated refresh token is kept, and every failure
becomes a ``ProviderError`` that says whether a retry can help (429, 5xx, timeouts) and whether
the host must reconnect (401 after a refresh, ``invalid_grant``).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from django.utils import timezone

from integrations.calendars.provider import Grant, ProviderError

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

logger = logging.getLogger(__name__)
TIMEOUT = 20.0
#: Refresh a little before the provider says the token expires.
EXPIRY_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class OAuthApp:
    label: str
    authorize_url: Callable[[], str]
    token_url: Callable[[], str]
    client_id: Callable[[], str]
    client_secret: Callable[[], str]
    scopes: tuple[str, ...] = ()
    #: Send the client credentials as HTTP Basic auth (Zoom, GoTo) instead of in the form (Webex).
    basic_auth: bool = True

    def is_configured(self) -> bool:
        return bool(self.client_id() and self.client_secret())

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id(),
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if self.scopes:
            query["scope"] = " ".join(self.scopes)
        return f"{self.authorize_url()}?{urlencode(query)}"

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
        """The token response for a code (``access_token``, ``refresh_token``, ``expires_in``)."""
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
            }
        )

    def refresh(self, refresh_token: str, *, timeout: float = TIMEOUT) -> dict[str, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._token(form, timeout=timeout)

    def _token(self, form: dict[str, str], *, timeout: float = TIMEOUT) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if self.basic_auth:
            pair = f"{self.client_id()}:{self.client_secret()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            form = {**form, "client_id": self.client_id(), "client_secret": self.client_secret()}
        try:
            response = httpx.post(self.token_url(), data=form, headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            raise ProviderError(f"{self.label} could not be reached: {exc!r}") from exc
        body = _json(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(
                f"{self.label}'s sign-in service answered {response.status_code}.",
                retry_after=retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code != 200 or "access_token" not in body:
            error = body.get("error") or body.get("reason") or response.status_code
            raise ProviderError(
                f"{self.label} refused the sign-in ({error}). Connect the account again.",
                auth=True,
            )
        return body

    def grant(self, tokens: dict[str, Any], account: str) -> Grant:
        return Grant(
            account=account,
            secret=str(tokens.get("refresh_token", "")),
            access_token=str(tokens["access_token"]),
            expires_at=expires_at(tokens),
            scopes=str(tokens.get("scope", "")),
        )


def expires_at(tokens: dict[str, Any]) -> Any:
    seconds = int(tokens.get("expires_in") or 3600)
    return timezone.now() + timedelta(seconds=seconds)


def retry_after(value: str | None) -> timedelta | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as a wait."""
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value))
    try:
        return max(parsedate_to_datetime(value) - timezone.now(), timedelta(0))
    except (TypeError, ValueError):
        return None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def access_token(app: OAuthApp, connection: CalendarConnection, *, force: bool = False) -> str:
    """A valid access token for ``connection``, refreshed (and stored encrypted) when needed."""
    expires = connection.access_expires_at
    token = connection.access_token
    if token and not force and expires is not None and expires - EXPIRY_MARGIN > timezone.now():
        return token
    tokens = app.refresh(connection.secret)
    connection.store_access_token(str(tokens["access_token"]), expires_at(tokens))
    rotated = tokens.get("refresh_token")
    if rotated and rotated != connection.secret:
        connection.store_secret(str(rotated))
    return str(tokens["access_token"])


def api(
    app: OAuthApp,
    connection: CalendarConnection,
    method: str,
    url: str,
    *,
    json: dict[str, Any] | None = None,
    ok_missing: bool = False,
) -> dict[str, Any]:
    """One JSON API call with the connection's token. ``ok_missing``: a 404 answers ``{}``
    (deleting what is already gone)."""
    return _answer(app, _send(app, connection, method, url, json), ok_missing=ok_missing)


def api_list(
    app: OAuthApp,
    connection: CalendarConnection,
    method: str,
    url: str,
    *,
    json: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """As :func:`api`, for the calls that answer a JSON list of objects (GoTo's meetings)."""
    response = _send(app, connection, method, url, json)
    _answer(app, response, ok_missing=False)  # raises on a failure
    try:
        body = response.json()
    except ValueError:
        return []
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def _send(
    app: OAuthApp,
    connection: CalendarConnection,
    method: str,
    url: str,
    json: dict[str, Any] | None,
) -> httpx.Response:
    for attempt in range(2):
        token = access_token(app, connection, force=attempt > 0)
        try:
            response = httpx.request(
                method,
                url,
                json=json,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"{app.label} could not be reached: {exc!r}") from exc
        if response.status_code == 401 and attempt == 0:
            continue  # the token may have been revoked early: refresh once
        return response
    raise AssertionError("unreachable")


def _answer(app: OAuthApp, response: httpx.Response, *, ok_missing: bool) -> dict[str, Any]:
    status = response.status_code
    if status < 300:
        return _json(response)
    if status == 404 and ok_missing:
        return {}
    body = _json(response)
    detail = body.get("message") or body.get("error") or ""
    message = f"{app.label} answered {status}" + (f": {detail}" if detail else ".")
    if status == 401:
        raise ProviderError(message + " Reconnect the account.", auth=True)
    if status == 429 or status >= 500:
        raise ProviderError(message, retry_after=retry_after(response.headers.get("Retry-After")))
    raise ProviderError(message, retry=False)
