"""The one adapter around the Twilio SDK: send an SMS, place a call, check a webhook signature.

Nothing else imports ``twilio``. Settings: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``,
``TWILIO_FROM_NUMBER`` and ``TWILIO_API_BASE`` (the REST API's base URL, the real one unless set).
The three account settings are the server's default; a workspace may use its own account (see
:mod:`integrations.twilio.accounts`), passed in as :class:`Credentials`.
Every failure comes out as :class:`TwilioError`, whose ``permanent`` flag says whether trying
again could help (a refused number will stay refused; a timeout or a 503 may pass).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

# The SDK logs every request and response at INFO; keep that for debugging only, unless the
# logging settings ask for it.
_http_log = logging.getLogger("integrations.twilio.http")
if _http_log.level == logging.NOTSET:
    _http_log.setLevel(logging.WARNING)

DEFAULT_API_BASE = "https://api.twilio.com"
TIMEOUT_SECONDS = 15
NOT_CONNECTED = (
    "Twilio is not connected: add the account SID, auth token and sending number "
    "in the settings first."
)
# Twilio error codes that mean the recipient asked not to hear from this sender.
UNSUBSCRIBED_CODES = frozenset({21610})
_SDK_PREFIX = re.compile(r"^Unable to \w+ record: ")


class TwilioError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.code = code

    @property
    def unsubscribed(self) -> bool:
        return self.code in UNSUBSCRIBED_CODES


class NotConfigured(TwilioError):
    def __init__(self) -> None:
        super().__init__(NOT_CONNECTED, permanent=True)


@dataclass(frozen=True)
class Credentials:
    """One Twilio account and the number it sends from; ``own`` when a workspace's."""

    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str
    own: bool = False


def server_credentials() -> Credentials | None:
    """The server's account from the settings, or None when any part is missing."""
    if not is_configured():
        return None
    return Credentials(
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER
    )


def is_configured() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER
    )


def from_number() -> str:
    return settings.TWILIO_FROM_NUMBER


def _client(credentials: Credentials | None = None) -> Client:
    credentials = credentials or server_credentials()
    if credentials is None:
        raise NotConfigured
    client = Client(
        credentials.account_sid,
        credentials.auth_token,
        http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS, logger=_http_log),
    )
    client.api.base_url = (settings.TWILIO_API_BASE or DEFAULT_API_BASE).rstrip("/")
    return client


def _call(action: str, create: Any, **params: Any) -> str:
    try:
        instance = create(**params)
    except TwilioRestException as exc:
        status = int(exc.status or 0)
        permanent = 400 <= status < 500 and status not in (408, 409, 429)
        # The SDK puts "Unable to create record: " and the like before Twilio's own message.
        detail = _SDK_PREFIX.sub("", str(exc.msg or "")) or f"HTTP {status}"
        code = f" (error {exc.code})" if exc.code else ""
        raise TwilioError(
            f"Twilio refused the {action}{code}: {detail}",
            permanent=permanent,
            status=status,
            code=exc.code,
        ) from exc
    except (TwilioException, OSError, ValueError) as exc:
        # OSError covers the HTTP library's connection errors and timeouts.
        raise TwilioError(f"Could not reach Twilio for the {action}: {exc}") from exc
    sid = getattr(instance, "sid", None)
    if not sid:
        raise TwilioError(f"Twilio answered the {action} without an id.")
    return str(sid)


def send_sms(
    to: str, body: str, status_callback: str = "", *, credentials: Credentials | None = None
) -> str:
    """Send ``body`` to ``to`` (E.164) from the account's number (the server's unless
    ``credentials`` are given); return the message SID."""
    client = _client(credentials)
    sender = credentials.from_number if credentials else from_number()
    params: dict[str, Any] = {"to": to, "from_": sender, "body": body}
    if status_callback:
        params["status_callback"] = status_callback
    return _call("message", client.messages.create, **params)


def place_call(to: str, twiml: str, *, credentials: Credentials | None = None) -> str:
    """Call ``to`` (E.164) and run ``twiml`` (see :func:`say_twiml`); return the call SID."""
    client = _client(credentials)
    sender = credentials.from_number if credentials else from_number()
    return _call("call", client.calls.create, to=to, from_=sender, twiml=twiml)


def check_account(credentials: Credentials) -> None:
    """Ask Twilio for the account itself (one cheap GET); raise :class:`TwilioError` with
    Twilio's own message when the SID and token are refused."""
    client = _client(credentials)
    _call("account check", client.api.v2010.accounts(credentials.account_sid).fetch)


def validate_signature(
    url: str,
    params: Mapping[str, Any],
    signature: str | None,
    tokens: Iterable[str] | None = None,
) -> bool:
    """Whether ``signature`` (the X-Twilio-Signature header) signs ``url`` and ``params`` with
    one of ``tokens`` (the server's auth token unless given)."""
    if not signature:
        return False
    candidates = [settings.TWILIO_AUTH_TOKEN] if tokens is None else list(tokens)
    return any(
        RequestValidator(token).validate(url, params, signature) for token in candidates if token
    )


def say_twiml(text: str) -> str:
    """TwiML that speaks ``text`` once the call is answered."""
    response = VoiceResponse()
    response.say(text)
    return str(response)


def message_twiml(text: str = "") -> str:
    """TwiML answering an inbound SMS with ``text`` (no reply when empty)."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)
