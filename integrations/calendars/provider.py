"""What every calendar provider's client offers, in one shape, so the sync, the event writes and the
settings page never care which provider they talk to.

Each provider's ``client.py`` (``integrations/google``, ``microsoft``, ``caldav``, ``exchange``)
defines one class implementing :class:`CalendarProvider` and is named in ``PROVIDER_CLASSES``; the
registry builds them once. Every failure is a :class:`ProviderError` that says whether a retry
can help, whether the account needs reconnecting (``auth``) and whether a sync token expired
(``gone``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

Range = tuple[datetime, datetime]


class ProviderError(Exception):
    """A provider call failed.

    ``auth``: the token is revoked or expired beyond refresh, or the password is wrong; the
    connection is marked broken. ``gone``: the sync token is no longer valid; sync starts over.
    ``retry``: trying again later can help (timeouts, 429, 5xx); ``retry_after`` when the provider
    said how long to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        retry: bool = True,
        auth: bool = False,
        gone: bool = False,
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(message)
        self.retry = retry and not auth
        self.auth = auth
        self.gone = gone
        self.retry_after = retry_after


@dataclass(frozen=True)
class Grant:
    """What an OAuth code exchange or a password check gave us."""

    account: str
    secret: str  # refresh token, or the password for CalDAV / Exchange
    access_token: str = ""
    expires_at: datetime | None = None
    scopes: str = ""
    # The provider vouches that ``account`` belongs to whoever signed in (signing in by it).
    email_verified: bool = False


@dataclass(frozen=True)
class RemoteCalendar:
    external_id: str
    name: str
    is_primary: bool = False
    writable: bool = True


@dataclass(frozen=True)
class RemoteEvent:
    """One event as a sync reports it.

    ``busy``: the ranges it blocks inside the synced window (every occurrence of a recurring
    event; empty when it is free/transparent, declined by the owner, or cancelled).
    ``start``/``end``: the event's own time (for a single event), used to notice a host moving
    one of our events. ``cancelled``: deleted, or its status is cancelled.
    """

    external_id: str
    ical_uid: str = ""
    busy: tuple[Range, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    cancelled: bool = False


@dataclass
class SyncResult:
    """``full``: the events are everything in the window (replace the cache); otherwise they are
    the changes since the token given."""

    events: list[RemoteEvent] = field(default_factory=list)
    token: str = ""
    full: bool = False
    calls: int = 0  # provider requests made, for the benchmark's figures


@dataclass(frozen=True)
class EventData:
    """A booking as a calendar event."""

    ical_uid: str
    title: str
    description: str
    start: datetime
    end: datetime
    timezone: str
    organizer_email: str
    attendees: tuple[tuple[str, str], ...]  # (name, email)
    location: str = ""
    add_meeting: bool = False  # Google Meet or Teams link, where the provider makes one
    send_invites: bool = False  # the provider emails the attendees (calendar-invite mode)


@dataclass(frozen=True)
class WrittenEvent:
    external_id: str
    meeting_url: str = ""


@dataclass(frozen=True)
class Watch:
    """A push channel (Google) or subscription (Graph) the provider confirmed."""

    watch_id: str
    resource_id: str
    expires_at: datetime


class CalendarProvider(Protocol):
    key: str
    label: str
    uses_oauth: bool
    can_push: bool  # sends change notifications (else polled)
    can_add_meeting: bool  # makes a Meet / Teams link

    def is_configured(self) -> bool: ...

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]: ...

    def sync(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        token: str,
        start: datetime,
        end: datetime,
    ) -> SyncResult: ...

    def busy(
        self,
        connection: CalendarConnection,
        calendar_ids: list[str],
        *,
        start: datetime,
        end: datetime,
        timeout: float,
    ) -> list[Range]: ...

    def create_event(
        self, connection: CalendarConnection, calendar_id: str, data: EventData
    ) -> WrittenEvent: ...

    def update_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, data: EventData
    ) -> WrittenEvent: ...

    def delete_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, *, notify: bool
    ) -> None: ...

    def revoke(self, connection: CalendarConnection) -> None: ...


class OAuthProvider(CalendarProvider, Protocol):
    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str: ...

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> Grant: ...

    def watch(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        address: str,
        watch_id: str,
        secret: str,
        expires_at: datetime,
    ) -> Watch: ...

    def stop_watch(
        self, connection: CalendarConnection, calendar_id: str, watch_id: str, resource_id: str
    ) -> None: ...


class PasswordProvider(CalendarProvider, Protocol):
    def login(self, *, server_url: str, username: str, password: str) -> Grant:
        """Check the credentials (raise ``ProviderError`` with a message for the host)."""
        ...


PROVIDER_CLASSES = {
    "google": "integrations.google.client.GoogleCalendar",
    "microsoft": "integrations.microsoft.client.MicrosoftCalendar",
    "caldav": "integrations.caldav.client.CalDAVCalendar",
    "exchange": "integrations.exchange.client.ExchangeCalendar",
}
#: Video-conferencing accounts connect through the same page and OAuth flow (no calendars).
CONFERENCING_CLASSES = {
    "zoom": "integrations.zoom.client.ZoomMeetings",
    "webex": "integrations.webex.client.WebexMeetings",
    "gotomeeting": "integrations.gotomeeting.client.GoToMeetings",
}
_PROVIDERS: dict[str, CalendarProvider] = {}
_FIXED: list[bool] = [False]  # True while a test has replaced the whole registry


def register(key: str, provider: CalendarProvider) -> None:
    """Use ``provider`` for ``key`` (tests put their own in)."""
    _PROVIDERS[key] = provider


@contextmanager
def only(replacements: dict[str, CalendarProvider]) -> Iterator[None]:
    """Offer exactly ``replacements`` for the duration (tests), then the real ones again."""
    saved, fixed = dict(_PROVIDERS), _FIXED[0]
    _PROVIDERS.clear()
    _PROVIDERS.update(replacements)
    _FIXED[0] = True
    try:
        yield
    finally:
        _PROVIDERS.clear()
        _PROVIDERS.update(saved)
        _FIXED[0] = fixed


def get(key: str) -> CalendarProvider:
    """The provider for ``key``, built on first use: the SDKs are imported only by processes that
    talk to a provider (exchangelib alone takes about a second to import)."""
    if key not in _PROVIDERS and not _FIXED[0]:
        path = PROVIDER_CLASSES.get(key) or CONFERENCING_CLASSES[key]
        _PROVIDERS[key] = import_string(path)()
    return _PROVIDERS[key]


def available() -> dict[str, CalendarProvider]:
    """Every provider this server offers, by key."""
    if _FIXED[0]:
        return dict(_PROVIDERS)
    return {key: get(key) for key in (*PROVIDER_CLASSES, *CONFERENCING_CLASSES)}
