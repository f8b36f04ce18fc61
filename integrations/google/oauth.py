"""Google's OAuth endpoints over plain HTTP: the sign-in link, the code exchange, revoking.

The Calendar API itself, and refreshing tokens, go through the SDK in ``client.py``.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.utils import timezone as dj_timezone

from integrations.calendars.provider import Grant, ProviderError

logger = logging.getLogger(__name__)

CALENDAR_SCOPES = (
    "https://www.googleapis.com/auth/calendar.events",  # write our events, sync theirs
    "https://www.googleapis.com/auth/calendar.readonly",  # the calendar list and free/busy
)
SCOPES = ("openid", "email", *CALENDAR_SCOPES)  # openid email: the ID token names the account
TIMEOUT = 30.0


class GoogleError(ProviderError):
    """A failed Google call, with the HTTP status when Google answered (0 when it did not)."""

    def __init__(self, message: str, *, status: int = 0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status = status


def retry_after(value: str | None) -> timedelta | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as a wait."""
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value))
    try:
        return max(parsedate_to_datetime(value) - dj_timezone.now(), timedelta(0))
    except (TypeError, ValueError):
        return None


def authorization_url(*, state: str, code_challenge: str, redirect_uri: str) -> str:
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",  # a refresh token, for syncing while the host is away
        "prompt": "consent",  # ... which Google sends again only after consent
        "include_granted_scopes": "true",
    }
    return f"{settings.GOOGLE_AUTH_URI}?{urlencode(query)}"


def exchange_code(*, code: str, code_verifier: str, redirect_uri: str) -> Grant:
    """Trade the code for tokens; ``account`` is the ID token's email ("" if it had none)."""
    payload = _token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri,
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
        }
    )
    refresh_token = payload.get("refresh_token") or ""
    access_token = payload.get("access_token") or ""
    if not refresh_token or not access_token:
        raise GoogleError("Google gave no offline access; connect again.", retry=False)
    granted = set(str(payload.get("scope") or " ".join(SCOPES)).split())
    if not set(CALENDAR_SCOPES) <= granted:
        raise GoogleError(
            "Calendar access was not allowed; connect again and tick every box Google shows.",
            retry=False,
        )
    claims = _id_token_claims(payload.get("id_token") or "")
    return Grant(
        account=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") is True,
        secret=refresh_token,
        access_token=access_token,
        expires_at=dj_timezone.now() + timedelta(seconds=int(payload.get("expires_in") or 0)),
        scopes=payload.get("scope") or " ".join(SCOPES),
    )


def revoke(token: str, *, label: str) -> None:
    """Ask Google to drop the grant; a failure is logged, not raised (the host can still remove
    the app in their Google account)."""
    try:
        response = httpx.post(settings.GOOGLE_REVOKE_URI, data={"token": token}, timeout=10)
    except httpx.HTTPError as exc:
        logger.warning("Revoking Google access for %s failed: %r", label, exc)
        return
    if response.status_code != 200:
        logger.warning("Google did not revoke %s: %s", label, response.status_code)


def _id_token_claims(id_token: str) -> dict[str, Any]:
    """The claims of the ID token the token endpoint just sent (none when it is not ours).

    It came straight from the token endpoint over TLS, which OpenID Connect accepts in place of
    checking the signature; the audience must still be our client.
    """
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    if not isinstance(claims, dict) or claims.get("aud") != settings.GOOGLE_CLIENT_ID:
        return {}
    return claims


def _token_request(data: dict[str, str]) -> dict[str, Any]:
    try:
        response = httpx.post(settings.GOOGLE_TOKEN_URI, data=data, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise GoogleError(f"Google could not be reached: {exc!r}", retry=True) from exc
    try:
        payload: dict[str, Any] = response.json()
    except ValueError:
        payload = {}
    status = response.status_code
    if status >= 500 or status == 429:
        raise GoogleError(
            f"Google's token service failed ({status})",
            status=status,
            retry=True,
            retry_after=retry_after(response.headers.get("retry-after")),
        )
    if status != 200:
        reason = payload.get("error_description") or payload.get("error") or "refused"
        raise GoogleError(f"Google refused the sign-in: {reason}", status=status, retry=False)
    return payload
