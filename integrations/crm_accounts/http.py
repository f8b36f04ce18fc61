"""The CRM clients' JSON calls: every request fits in the caller's time budget, the access token
is refreshed when it has expired or is refused (once), and a refresh the CRM refuses marks the
connection broken.

Every failure is a :class:`CrmError` whose ``outcome`` is ``"timeout"`` (the budget ran out or
the CRM did not answer in time) or ``"error"``, with a short ``detail`` for the response record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from django.utils import timezone

from integrations.calendars.provider import ProviderError
from integrations.conferencing import oauth_http
from integrations.conferencing.oauth_http import OAuthApp
from integrations.models import CrmConnection

logger = logging.getLogger(__name__)
#: How a provider reads the access token's expiry from a token response (Salesforce sends none).
ExpiryReader = Callable[[dict[str, Any]], datetime | None]
#: Less than this left of the budget is not worth a request.
MIN_REQUEST_SECONDS = 0.05


class CrmError(Exception):
    def __init__(self, detail: str, *, outcome: str = "error") -> None:
        super().__init__(detail)
        self.detail = detail
        self.outcome = outcome


@dataclass
class Budget:
    """A deadline on the monotonic clock, shared by every request of one lookup."""

    seconds: float
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + max(self.seconds, 0.0)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, label: str) -> float:
        """The time left for one request; raises when too little is left."""
        left = self.remaining()
        if left < MIN_REQUEST_SECONDS:
            raise CrmError(f"{label} did not answer in time.", outcome="timeout")
        return left


def call(
    app: OAuthApp,
    connection: CrmConnection,
    method: str,
    url: str,
    budget: Budget,
    *,
    json: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
    expires_at: ExpiryReader | None = None,
) -> httpx.Response:
    """One request with the connection's access token; a 401 refreshes the token and tries once
    more. The answer is returned whatever its status, except a second 401 (:class:`CrmError`)."""
    for attempt in range(2):
        token = _access_token(app, connection, budget, force=attempt > 0, expires_at=expires_at)
        try:
            response = httpx.request(
                method,
                url,
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=budget.timeout(app.label),
            )
        except httpx.TimeoutException as exc:
            raise CrmError(f"{app.label} did not answer in time.", outcome="timeout") from exc
        except httpx.HTTPError as exc:
            logger.warning("%s could not be reached: %r", app.label, exc)
            raise CrmError(f"{app.label} could not be reached.") from exc
        if response.status_code != 401:
            return response
    reason = f"{app.label} refused the connection's token; connect it again."
    connection.mark_broken(reason)
    raise CrmError(f"{app.label} answered 401.")


def _access_token(
    app: OAuthApp,
    connection: CrmConnection,
    budget: Budget,
    *,
    force: bool,
    expires_at: ExpiryReader | None,
) -> str:
    token = connection.access_token
    expires = connection.access_expires_at
    fresh = expires is None or expires - oauth_http.EXPIRY_MARGIN > timezone.now()
    if token and fresh and not force:
        return token
    try:
        tokens = app.refresh(connection.refresh_token, timeout=budget.timeout(app.label))
    except ProviderError as exc:
        if isinstance(exc.__cause__, httpx.TimeoutException):
            raise CrmError(f"{app.label} did not answer in time.", outcome="timeout") from exc
        if exc.auth:
            connection.mark_broken(str(exc))
            raise CrmError(f"{app.label} refused to renew the connection's token.") from exc
        raise CrmError(str(exc)) from exc
    access = str(tokens["access_token"])
    reader = expires_at or oauth_http.expires_at
    connection.store_tokens(access, reader(tokens), str(tokens.get("refresh_token") or ""))
    return access


def status_error(label: str, response: httpx.Response) -> CrmError:
    """A CRM answer that is not a success, as the error a lookup records."""
    return CrmError(f"{label} answered {response.status_code}.")


def json_body(label: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise CrmError(f"{label} answered with something other than JSON.") from exc


def revoke_quietly(
    label: str, method: str, url: str, *, data: dict[str, str] | None = None
) -> None:
    """Ask the CRM to end a token; a failure is only logged (the connection goes anyway)."""
    try:
        response = httpx.request(method, url, data=data, timeout=oauth_http.TIMEOUT)
    except httpx.HTTPError as exc:
        logger.warning("Revoking a %s token failed: %r", label, exc)
        return
    if response.status_code >= 300:
        logger.warning("%s refused to revoke a token (%s)", label, response.status_code)
