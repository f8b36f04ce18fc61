"""iCloud and any CalDAV server, reached with a server URL, a user name and a password.

The only module that imports ``caldav``. The server URL is one a host typed, so every connection
goes through :mod:`workestra.lib.guarded_requests` (public addresses only; loopback too when
``CALENDAR_ALLOW_LOOPBACK`` is on). Changes come from WebDAV sync-collection (RFC 6578): each
stored object is one event, known by its URL (``external_id``) because a deletion reports only
the URL. Busy time is computed here from the events themselves (``ical.remote_event``).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import caldav
import requests
from caldav.elements import cdav, dav
from caldav.lib import error as dav_error
from django.conf import settings

from integrations.caldav import ical
from integrations.calendars.provider import (
    EventData,
    Grant,
    PasswordProvider,
    ProviderError,
    Range,
    RemoteCalendar,
    RemoteEvent,
    SyncResult,
    WrittenEvent,
)
from workestra.lib import guarded_requests, outbound

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

log = logging.getLogger(__name__)

ICLOUD_URL = "https://caldav.icloud.com/"
TIMEOUT_SECONDS = 20
REFUSED_CREDENTIALS = (
    "The server refused that user name and password. Check them; for iCloud, use an "
    "app-specific password from appleid.apple.com, not your Apple ID password."
)


def _loopback_ok() -> bool:
    return bool(getattr(settings, "CALENDAR_ALLOW_LOOPBACK", False))


class _Session:
    """One CalDAV client for one operation, remembering the last answer and counting requests
    (caldav's exceptions do not carry the status, which decides how a failure is reported)."""

    def __init__(self, server_url: str, username: str, password: str, timeout: float) -> None:
        self.client = caldav.DAVClient(
            server_url,
            username=username,
            password=password,
            # Basic from the first request saves a 401 round trip per operation (iCloud and most
            # servers take it); caldav still switches to Digest when the server asks for it.
            auth=requests.auth.HTTPBasicAuth(username, password),
            timeout=timeout,  # type: ignore[arg-type]  # handed to requests, which takes floats
        )
        self.client.session.close()
        self.client.session = guarded_requests.session(loopback_ok=_loopback_ok)
        self.client.session.hooks["response"].append(self._answered)
        self.last: requests.Response | None = None
        self.calls = 0

    def _answered(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last = response
        self.calls += 1

    def close(self) -> None:
        self.client.close()


def _retry_after(response: requests.Response) -> timedelta | None:
    raw = response.headers.get("Retry-After", "").strip()
    return timedelta(seconds=int(raw)) if raw.isdigit() else None


def _status_error(response: requests.Response, action: str) -> ProviderError:
    status = response.status_code
    if status in (401, 403, 409) and "valid-sync-token" in response.text:
        return ProviderError("The calendar's sync token expired.", retry=False, gone=True)
    if status == 401:
        return ProviderError(REFUSED_CREDENTIALS, auth=True)
    if status == 403:
        return ProviderError(f"The calendar server refused to {action} (403).", auth=True)
    if status == 429:
        return ProviderError(
            "The calendar server asked us to slow down (429).",
            retry_after=_retry_after(response),
        )
    if status >= 500:
        return ProviderError(
            f"The calendar server failed to {action} ({status}).",
            retry_after=_retry_after(response),
        )
    return ProviderError(f"The calendar server could not {action} ({status}).", retry=False)


# lxml's XML errors are SyntaxErrors.
_UNREADABLE = (AssertionError, AttributeError, KeyError, SyntaxError, TypeError, ValueError)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


@contextmanager
def _translated(session: _Session, action: str, url: str) -> Iterator[None]:
    """Every failure inside as a :class:`ProviderError` saying whether a retry can help."""
    try:
        yield
    except outbound.Refused as exc:
        raise ProviderError(str(exc), retry=False) from None
    except outbound.Unresolved:
        message = f"Could not find the server {_host(url)}. Check the server address."
        raise ProviderError(message) from None
    except requests.exceptions.SSLError:
        message = (
            f"The certificate of {_host(url)} could not be verified. Check the server address."
        )
        raise ProviderError(message, retry=False) from None
    except requests.Timeout:
        raise ProviderError(f"{_host(url)} did not answer in time.") from None
    except requests.ConnectionError:
        message = f"Could not connect to {_host(url)}. Check the server address."
        raise ProviderError(message) from None
    except (dav_error.DAVError, requests.RequestException) as exc:
        response = session.last
        if response is not None and response.status_code >= 400:
            raise _status_error(response, action) from None
        raise ProviderError(f"The calendar server could not {action}: {exc}", retry=False) from None
    except _UNREADABLE:
        # caldav fails in these ways on answers that are not CalDAV (a web site's page, say).
        log.warning("Unreadable CalDAV answer from %s", _host(url), exc_info=True)
        message = f"{_host(url)} did not answer like a CalDAV server. Check the server address."
        raise ProviderError(message, retry=False) from None


def _checked(response: requests.Response | None, action: str, *, missing_ok: bool = False) -> None:
    """Raise for an answer that is not a success (caldav raises only for 401 and 403)."""
    if response is None:
        raise ProviderError(f"The calendar server did not answer when asked to {action}.")
    status = response.status_code
    if not (200 <= status < 300 or (missing_ok and status == 404)):
        raise _status_error(response, action)


def _url_problem(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter the server address starting with https://, e.g. https://caldav.icloud.com/."
    if parts.username is not None:
        return "Remove the user name from the address; enter it in the user name field instead."
    return ""


def _event_calendars(principal: Any) -> list[Any]:
    """The principal's calendars that hold events (iCloud lists reminder lists as well)."""
    found = []
    for calendar in principal.calendars():
        try:
            components = calendar.get_supported_components()
        except (KeyError, TypeError, dav_error.DAVError):
            components = []  # not announced: any component may be stored
        if not components or "VEVENT" in components:
            found.append(calendar)
    return found


def _principal_email(principal: Any) -> str:
    try:
        addresses = principal.calendar_user_address_set()
    except (dav_error.DAVError, requests.RequestException):
        return ""
    for address in addresses or []:
        if str(address).lower().startswith("mailto:"):
            return str(address)[len("mailto:") :]
    return ""


_TZID = re.compile(r"^TZID:(.+)$", re.MULTILINE)


def _zone_from(text: Any) -> tzinfo:
    """The zone named in a CALDAV:calendar-timezone value; UTC when none or unknown."""
    match = _TZID.search(str(text or "").replace("\r\n", "\n"))
    if not match:
        return UTC
    try:
        return ZoneInfo(match.group(1).strip())
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _calendar_zone(calendar: Any) -> tzinfo:
    """The calendar's own zone, for floating times and all-day dates; else UTC."""
    try:
        return _zone_from(calendar.get_property(cdav.CalendarTimeZone()))
    except (dav_error.DAVError, requests.RequestException):
        return UTC


def _token_and_zone(calendar: Any) -> tuple[str, tzinfo]:
    """The calendar's current sync token and zone, in one request (RFC 6578 offers the token
    as a property; a server that does not is asked with an empty sync-collection report)."""
    props = calendar.get_properties([dav.SyncToken(), cdav.CalendarTimeZone()])
    token = props.get(dav.SyncToken.tag) or ""
    if not token:
        token = calendar.objects_by_sync_token(load_objects=False).sync_token
    return str(token), _zone_from(props.get(cdav.CalendarTimeZone.tag))


def _emails(connection: CalendarConnection) -> set[str]:
    return {a.lower() for a in (connection.account, connection.username) if "@" in a}


def _object_url(calendar_url: str, ical_uid: str) -> str:
    """Our event's address, from its UID, so a repeated create after a timeout overwrites
    the same object instead of adding a second one."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", ical_uid)
    if name != ical_uid:  # keep two UIDs that differ only in replaced characters apart
        name += "-" + hashlib.sha256(ical_uid.encode()).hexdigest()[:12]
    return calendar_url.rstrip("/") + f"/{name}.ics"


class CalDAVCalendar:
    key = "caldav"
    label = "iCloud / CalDAV"
    uses_oauth = False
    can_push = False
    can_add_meeting = False

    def is_configured(self) -> bool:
        return True  # nothing to set up: each host brings their own server and password

    @contextmanager
    def _session(
        self,
        server_url: str,
        username: str,
        password: str,
        action: str,
        timeout: float = TIMEOUT_SECONDS,
    ) -> Iterator[_Session]:
        url = server_url.strip() or ICLOUD_URL
        problem = _url_problem(url)
        if problem:
            raise ProviderError(problem, retry=False)
        session = _Session(url, username, password, timeout)
        try:
            with _translated(session, action, url):
                yield session
        finally:
            session.close()

    def _connect(
        self, connection: CalendarConnection, action: str, timeout: float = TIMEOUT_SECONDS
    ) -> AbstractContextManager[_Session]:
        return self._session(
            connection.server_url, connection.username, connection.secret, action, timeout
        )

    def login(self, *, server_url: str, username: str, password: str) -> Grant:
        """Check the credentials by finding the account's calendars."""
        with self._session(server_url, username, password, "find your calendars") as session:
            principal = session.client.principal()
            _event_calendars(principal)
            account = _principal_email(principal) or username
        return Grant(account=account, secret=password)

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        with self._connect(connection, "list your calendars") as session:
            found = _event_calendars(session.client.principal())
            return [
                RemoteCalendar(
                    external_id=str(calendar.url),
                    name=calendar.name or calendar.url.path.rstrip("/").rsplit("/", 1)[-1],
                    is_primary=index == 0,
                    writable=True,
                )
                for index, calendar in enumerate(found)
            ]

    def sync(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        token: str,
        start: datetime,
        end: datetime,
    ) -> SyncResult:
        """With a token, the objects changed since (sync-collection); without one, the current
        token and every event in [start, end)."""
        with self._connect(connection, "sync your calendar") as session:
            calendar = session.client.calendar(url=calendar_id)
            zone = functools.cache(lambda: _calendar_zone(calendar))
            emails = _emails(connection)
            if token:
                changes = calendar.objects_by_sync_token(sync_token=token, load_objects=True)
                events = [
                    _changed(obj, start=start, end=end, zone=zone, emails=emails) for obj in changes
                ]
                found = [e for e in events if e is not None]
                return SyncResult(events=found, token=changes.sync_token, calls=session.calls)
            # The token first: a change made during the search is then reported next time.
            current, calendar_zone = _token_and_zone(calendar)
            found = _window(
                calendar, start=start, end=end, zone=lambda: calendar_zone, emails=emails
            )
            return SyncResult(events=found, token=current, full=True, calls=session.calls)

    def busy(
        self,
        connection: CalendarConnection,
        calendar_ids: list[str],
        *,
        start: datetime,
        end: datetime,
        timeout: float,
    ) -> list[Range]:
        with self._connect(connection, "check your calendar", timeout=timeout) as session:
            emails = _emails(connection)
            ranges: list[Range] = []
            for calendar_id in calendar_ids:
                calendar = session.client.calendar(url=calendar_id)
                zone = functools.cache(lambda c=calendar: _calendar_zone(c))
                for event in _window(calendar, start=start, end=end, zone=zone, emails=emails):
                    ranges.extend(event.busy)
            return sorted(ranges)

    def create_event(
        self, connection: CalendarConnection, calendar_id: str, data: EventData
    ) -> WrittenEvent:
        url = _object_url(calendar_id, data.ical_uid)
        with self._connect(connection, "add the event") as session:
            _put(session, url, ical.event_ics(data, sequence=0, now=datetime.now(UTC)))
        return WrittenEvent(external_id=url)

    def update_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, data: EventData
    ) -> WrittenEvent:
        """Replace the event at its URL, one SEQUENCE higher so invitees' calendars update."""
        with self._connect(connection, "update the event") as session:
            stored = session.client.request(external_id, "GET")
            _checked(session.last, "update the event", missing_ok=True)
            sequence = ical.sequence_of(stored.raw) + 1 if stored.status != 404 else 1
            body = ical.event_ics(data, sequence=sequence, now=datetime.now(UTC))
            _put(session, external_id, body)
        return WrittenEvent(external_id=external_id)

    def delete_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, *, notify: bool
    ) -> None:
        """Delete the object; one already gone (404) is deleted. The server tells attendees
        only when it schedules for this account, which ``notify`` cannot change."""
        with self._connect(connection, "delete the event") as session:
            session.client.delete(external_id)
            _checked(session.last, "delete the event", missing_ok=True)

    def revoke(self, connection: CalendarConnection) -> None:
        """Nothing to revoke: a CalDAV password is the host's own (an app-specific password
        for iCloud), which only they can withdraw at their provider. Forgetting it is enough."""


def _put(session: _Session, url: str, body: bytes) -> None:
    session.client.put(url, body.decode("utf-8"), {"Content-Type": "text/calendar; charset=utf-8"})
    _checked(session.last, "save the event")


def _window(
    calendar: Any, *, start: datetime, end: datetime, zone: ical.ZoneSource, emails: set[str]
) -> list[RemoteEvent]:
    """Every event with an occurrence in [start, end) (the server's time-range search),
    expanded here."""
    found = []
    for obj in calendar.search(start=start, end=end, event=True):
        event = ical.remote_event(
            obj.data, href=str(obj.url), start=start, end=end, zone=zone, emails=emails
        )
        if event is not None:
            found.append(event)
    return found


def _changed(
    obj: Any, *, start: datetime, end: datetime, zone: ical.ZoneSource, emails: set[str]
) -> RemoteEvent | None:
    """One sync-collection entry: gone when it could not be loaded (the server reported it
    deleted), else the event as it is now."""
    if not obj.data:
        return RemoteEvent(external_id=str(obj.url), cancelled=True)
    return ical.remote_event(
        obj.data, href=str(obj.url), start=start, end=end, zone=zone, emails=emails
    )


if TYPE_CHECKING:
    # mypy checks here that the class offers everything the settings page and sync call.
    _checked_shape: PasswordProvider = CalDAVCalendar()
