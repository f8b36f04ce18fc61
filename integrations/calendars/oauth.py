"""OAuth for calendar providers: authorization code with PKCE, bound to the browser session.

``oauth_begin`` keeps a pending entry in the session (state, code verifier, user, provider,
purpose, time) and returns the provider's authorization URL; ``oauth_finish`` takes the entry back once and only
exchanges the code when every part matches. A refusal stores nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from integrations.calendars import provider as providers
from integrations.calendars.provider import Grant, OAuthProvider

SESSION_PREFIX = "calendar_oauth:"
MAX_PENDING = 3
MAX_AGE = timedelta(minutes=10)
MAX_STATE_LENGTH = 200
REFUSED_MESSAGE = (
    "We couldn't confirm that this sign-in was started here, so nothing was connected. "
    "Please start again with the Connect button."
)


class OAuthRefused(Exception):
    """The callback does not match a sign-in this session started; the message is for the host."""

    def __init__(self, message: str = REFUSED_MESSAGE) -> None:
        super().__init__(message)


def oauth_provider(provider_key: str) -> OAuthProvider:
    """The registered OAuth provider of that key, configured on this server."""
    try:
        client = providers.get(provider_key)
    except KeyError:
        raise OAuthRefused("That calendar provider is not available.") from None
    if not getattr(client, "uses_oauth", False):
        raise OAuthRefused(f"{client.label} is connected with a password, not a sign-in.")
    if not client.is_configured():
        raise OAuthRefused(f"{client.label} is not set up on this server.")
    return cast(OAuthProvider, client)


# Where the provider sends the browser back, by what the sign-in is for: connecting a calendar
# (a signed-in host) or signing in to Workestra itself.
CALLBACKS = {"connect": "integrations:callback", "signin": "signin_callback"}


def redirect_uri(provider_key: str, purpose: str = "connect") -> str:
    return settings.PUBLIC_BASE_URL + reverse(CALLBACKS[purpose], args=[provider_key])


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def oauth_begin(
    request: HttpRequest,
    provider_key: str,
    *,
    purpose: str = "connect",
    extra: dict[str, Any] | None = None,
) -> str:
    """Start a sign-in at the provider; the URL to send the browser to. ``extra`` is kept with
    the pending entry and given back by :func:`oauth_finish_entry`."""
    client = oauth_provider(provider_key)
    state, verifier = pending_start(request, provider_key, purpose=purpose, extra=extra)
    return client.authorization_url(
        state=state,
        code_challenge=code_challenge(verifier),
        redirect_uri=redirect_uri(provider_key, purpose),
    )


def pending_start(
    request: HttpRequest, provider_key: str, *, purpose: str, extra: dict[str, Any] | None = None
) -> tuple[str, str]:
    """Keep a pending sign-in in the session; its ``state`` and PKCE code verifier. Other
    integrations' OAuth flows (the CRMs) use it with a ``purpose`` of their own."""
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    _forget_oldest(request, keep=MAX_PENDING - 1)
    request.session[SESSION_PREFIX + state] = {
        "state": state,
        "verifier": verifier,
        "provider": provider_key,
        "user": request.user.pk,
        "purpose": purpose,
        "extra": extra or {},
        "issued": timezone.now().timestamp(),
    }
    return state, verifier


def oauth_finish(request: HttpRequest, provider_key: str, state: str, code: str) -> Grant:
    """Check the callback against the pending entry, then exchange the code.

    Raises :class:`OAuthRefused` for an unknown, used, expired or foreign state, and lets the
    provider's ``ProviderError`` through when the exchange fails.
    """
    return oauth_finish_entry(request, provider_key, state, code)[1]


def oauth_finish_entry(
    request: HttpRequest, provider_key: str, state: str, code: str, *, purpose: str = "connect"
) -> tuple[dict[str, Any], Grant]:
    """:func:`oauth_finish` for a sign-in of ``purpose``; also the ``extra`` given at the start."""
    entry = pending_finish(request, provider_key, state, code, purpose=purpose)
    grant = oauth_provider(provider_key).exchange_code(
        code=code,
        code_verifier=str(entry["verifier"]),
        redirect_uri=redirect_uri(provider_key, purpose),
    )
    return dict(entry.get("extra") or {}), grant


def pending_finish(
    request: HttpRequest, provider_key: str, state: str, code: str, *, purpose: str
) -> dict[str, Any]:
    """Take the pending sign-in of ``state`` (once); raises :class:`OAuthRefused` for an
    unknown, used, expired or foreign state, or one started for another provider or purpose."""
    entry = _pending_take(request, state)
    if entry is None or not code or len(code) > 4096:
        raise OAuthRefused()
    if entry.get("user") != request.user.pk or entry.get("provider") != provider_key:
        raise OAuthRefused()
    if entry.get("purpose", "connect") != purpose:
        raise OAuthRefused()
    age = timezone.now().timestamp() - float(entry.get("issued", 0))
    if not 0 <= age <= MAX_AGE.total_seconds():
        raise OAuthRefused(
            "The sign-in took longer than 10 minutes, so nothing was connected. Please start again."
        )
    return entry


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in request.session.items() if k.startswith(SESSION_PREFIX)}


def _pending_take(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """Remove and return the entry whose state matches (compared in constant time)."""
    if not state or len(state) > MAX_STATE_LENGTH:
        return None
    found = None
    for key, entry in _pending(request).items():
        if hmac.compare_digest(str(entry.get("state", "")).encode(), state.encode()):
            found = key
    return request.session.pop(found) if found else None


def _forget_oldest(request: HttpRequest, *, keep: int) -> None:
    entries = sorted(_pending(request).items(), key=lambda item: item[1].get("issued", 0))
    for key, _entry in entries[: max(0, len(entries) - keep)]:
        del request.session[key]


def oauth_cancel(request: HttpRequest, state: str) -> None:
    """The provider reported an error: forget the pending sign-in of that state."""
    _pending_take(request, state)
