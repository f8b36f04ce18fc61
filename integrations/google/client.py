"""Google Calendar: the only module that imports Google's SDKs (google-api-python-client,
google-auth); the plain-HTTP OAuth steps are in ``oauth.py``.

The Calendar API goes through google-api-python-client (its bundled discovery document, so no
network call to build it) with google-auth credentials made from the connection's refresh token.
A refreshed access token, and a rotated refresh token, are written back to the connection after
every call. Every failure becomes a :class:`GoogleError` (a ``ProviderError``) that says whether a
retry can help and whether the account must be reconnected.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import google_auth_httplib2  # type: ignore[import-untyped]
import httplib2  # type: ignore[import-untyped]
from django.conf import settings
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build  # type: ignore[import-untyped]
from googleapiclient.errors import HttpError  # type: ignore[import-untyped]

from integrations.calendars.provider import (
    EventData,
    Grant,
    Range,
    RemoteCalendar,
    SyncResult,
    Watch,
    WrittenEvent,
)
from integrations.google import events, oauth
from integrations.google.oauth import GoogleError
from workestra.lib import crypto

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

TIMEOUT = oauth.TIMEOUT  # seconds, for every call but free/busy (which gets the caller's)
PAGE_SIZE = 250
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
WRITABLE_ROLES = {"owner", "writer"}


def _from_http_error(exc: HttpError) -> GoogleError:
    status = exc.resp.status
    reasons = {d.get("reason") for d in exc.error_details or () if isinstance(d, dict)}
    message = f"Google answered {status}: {exc.reason}"
    retry_after = oauth.retry_after(exc.resp.get("retry-after"))
    if status == 401 or (status == 403 and "insufficientPermissions" in reasons):
        # 403 insufficientPermissions: the host unticked calendar access when consenting.
        return GoogleError(message, status=status, auth=True)
    if status == 429 or status >= 500 or (status == 403 and reasons & RATE_LIMIT_REASONS):
        return GoogleError(message, status=status, retry=True, retry_after=retry_after)
    return GoogleError(message, status=status, retry=False)


def _from_refresh_error(exc: RefreshError) -> GoogleError:
    if getattr(exc, "retryable", False):
        return GoogleError(f"Google's token service failed: {exc}", retry=True)
    return GoogleError(f"Google refused the refresh token: {exc}", auth=True)


def _naive_utc(moment: datetime | None) -> datetime | None:
    """google-auth keeps expiry as a naive UTC datetime."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


class _Session:
    """One connection's credentials, an HTTP client with a timeout, and the Calendar service."""

    def __init__(
        self,
        *,
        access_token: str,
        refresh_token: str,
        expires_at: datetime | None,
        timeout: float = TIMEOUT,
        connection: CalendarConnection | None = None,
    ) -> None:
        self.connection = connection
        self.credentials = Credentials(
            token=access_token or None,
            refresh_token=refresh_token,
            token_uri=settings.GOOGLE_TOKEN_URI,
            client_id=settings.GOOGLE_CLIENT_ID,
            client_secret=settings.GOOGLE_CLIENT_SECRET,
            expiry=_naive_utc(expires_at),
        )
        self._kept = (access_token, refresh_token)
        http = google_auth_httplib2.AuthorizedHttp(
            self.credentials, http=httplib2.Http(timeout=timeout)
        )
        self.service = build(
            "calendar",
            "v3",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": f"{settings.GOOGLE_API_BASE}/calendar/v3/"},
        )
        self.calls = 0

    @classmethod
    def of(cls, connection: CalendarConnection, timeout: float = TIMEOUT) -> _Session:
        try:
            access_token, refresh_token = connection.access_token, connection.secret
        except crypto.Undecryptable as exc:
            raise GoogleError(str(exc), auth=True) from exc
        return cls(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=connection.access_expires_at,
            timeout=timeout,
            connection=connection,
        )

    def run(self, request: Any) -> dict[str, Any]:
        """Execute one API request (no retries here: the caller's task decides)."""
        self.calls += 1
        try:
            return request.execute(num_retries=0) or {}
        except HttpError as exc:
            raise _from_http_error(exc) from exc
        except RefreshError as exc:
            raise _from_refresh_error(exc) from exc
        except (TransportError, httplib2.HttpLib2Error, OSError) as exc:
            raise GoogleError(f"Google could not be reached: {exc!r}", retry=True) from exc
        finally:
            self._keep_tokens()

    def _keep_tokens(self) -> None:
        token = self.credentials.token or ""
        refresh = self.credentials.refresh_token or ""
        if self.connection is None or (token, refresh) == self._kept:
            return
        if token and token != self._kept[0]:
            expiry = self.credentials.expiry
            self.connection.store_access_token(
                token, expiry.replace(tzinfo=UTC) if expiry else None
            )
        if refresh and refresh != self._kept[1]:
            self.connection.store_secret(refresh)
        self._kept = (token, refresh)


class GoogleCalendar:
    key = "google"
    label = "Google Calendar"
    uses_oauth = True
    can_push = True
    can_add_meeting = True

    def is_configured(self) -> bool:
        return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)

    # OAuth ------------------------------------------------------------------------------------

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        return oauth.authorization_url(
            state=state, code_challenge=code_challenge, redirect_uri=redirect_uri
        )

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> Grant:
        grant = oauth.exchange_code(
            code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
        )
        if grant.account:
            return grant
        # No email in the ID token: the primary calendar's id is the account's address.
        session = _Session(
            access_token=grant.access_token,
            refresh_token=grant.secret,
            expires_at=grant.expires_at,
        )
        primary = session.run(session.service.calendarList().get(calendarId="primary"))
        return dataclasses.replace(grant, account=primary.get("id", ""))

    def revoke(self, connection: CalendarConnection) -> None:
        """Drop the grant at Google (revoking the refresh token ends its access tokens too)."""
        try:
            token = connection.secret or connection.access_token
        except crypto.Undecryptable:
            return  # nothing we can name to Google; the host can remove the app themselves
        if token:
            oauth.revoke(token, label=f"connection {connection.pk}")

    # Reading ----------------------------------------------------------------------------------

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        session = _Session.of(connection)
        found: list[RemoteCalendar] = []
        page_token = None
        while True:
            page = session.run(
                session.service.calendarList().list(maxResults=PAGE_SIZE, pageToken=page_token)
            )
            found.extend(
                RemoteCalendar(
                    external_id=item["id"],
                    name=item.get("summaryOverride") or item.get("summary") or item["id"],
                    is_primary=bool(item.get("primary")),
                    writable=item.get("accessRole") in WRITABLE_ROLES,
                )
                for item in page.get("items") or ()
            )
            page_token = page.get("nextPageToken")
            if not page_token:
                return found

    def sync(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        token: str,
        start: datetime,
        end: datetime,
    ) -> SyncResult:
        """Changes since ``token``, or with none every event of [start, end).

        Recurring events come expanded into their instances (``singleEvents``). The token of a
        windowed full sync is kept: Google's later changes then cover that series of events.
        """
        session = _Session.of(connection)
        params: dict[str, Any] = {
            "calendarId": calendar_id,
            "singleEvents": True,
            "showDeleted": True,
            "maxResults": PAGE_SIZE,
        }
        if token:
            params["syncToken"] = token  # Google refuses timeMin/timeMax alongside it
        else:
            params["timeMin"] = events.rfc3339(start)
            params["timeMax"] = events.rfc3339(end)
        result = SyncResult(full=not token)
        page_token = None
        try:
            while True:
                page = session.run(session.service.events().list(**params, pageToken=page_token))
                calendar_zone = page.get("timeZone") or "UTC"
                result.events.extend(
                    events.to_remote(item, calendar_zone) for item in page.get("items") or ()
                )
                page_token = page.get("nextPageToken")
                if not page_token:
                    result.token = page.get("nextSyncToken") or ""
                    break
        except GoogleError as exc:
            if exc.status == 410:
                raise GoogleError(
                    "Google's sync token expired; a full sync is needed.",
                    status=410,
                    retry=False,
                    gone=True,
                ) from exc
            raise
        result.calls = session.calls
        return result

    def busy(
        self,
        connection: CalendarConnection,
        calendar_ids: list[str],
        *,
        start: datetime,
        end: datetime,
        timeout: float,
    ) -> list[Range]:
        session = _Session.of(connection, timeout=timeout)
        body = {
            "timeMin": events.rfc3339(start),
            "timeMax": events.rfc3339(end),
            "items": [{"id": calendar_id} for calendar_id in calendar_ids],
        }
        answer = session.run(session.service.freebusy().query(body=body))
        ranges: list[Range] = []
        for calendar_id, found in (answer.get("calendars") or {}).items():
            errors = {e.get("reason") for e in found.get("errors") or ()}
            if errors - {"notFound"}:
                raise GoogleError(
                    f"Google could not read the free/busy of {calendar_id}: {sorted(errors)}",
                    retry=True,
                )
            for period in found.get("busy") or ():
                ranges.append(
                    (
                        datetime.fromisoformat(period["start"]).astimezone(UTC),
                        datetime.fromisoformat(period["end"]).astimezone(UTC),
                    )
                )
        return sorted(ranges)

    # Writing ----------------------------------------------------------------------------------

    def create_event(
        self, connection: CalendarConnection, calendar_id: str, data: EventData
    ) -> WrittenEvent:
        session = _Session.of(connection)
        body = {**events.event_body(data), "iCalUID": data.ical_uid}
        try:
            item = session.run(
                session.service.events().insert(calendarId=calendar_id, body=body, **_write(data))
            )
        except GoogleError as exc:
            if exc.status != 409:
                raise
            # An earlier attempt went through (its answer was lost): write over that event.
            item = self._rewrite(session, calendar_id, data)
        return WrittenEvent(external_id=item["id"], meeting_url=events.meeting_url(item))

    def _rewrite(self, session: _Session, calendar_id: str, data: EventData) -> dict[str, Any]:
        found = session.run(
            session.service.events().list(
                calendarId=calendar_id, iCalUID=data.ical_uid, showDeleted=True
            )
        )
        items = found.get("items") or ()
        if not items:
            raise GoogleError("Google reports the event both there and missing.", retry=True)
        body = {**events.event_body(data), "status": "confirmed"}
        return session.run(
            session.service.events().patch(
                calendarId=calendar_id, eventId=items[0]["id"], body=body, **_write(data)
            )
        )

    def update_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, data: EventData
    ) -> WrittenEvent:
        session = _Session.of(connection)
        item = session.run(
            session.service.events().patch(
                calendarId=calendar_id,
                eventId=external_id,
                body=events.event_body(data),
                **_write(data),
            )
        )
        return WrittenEvent(external_id=item["id"], meeting_url=events.meeting_url(item))

    def delete_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, *, notify: bool
    ) -> None:
        session = _Session.of(connection)
        try:
            session.run(
                session.service.events().delete(
                    calendarId=calendar_id,
                    eventId=external_id,
                    sendUpdates="all" if notify else "none",
                )
            )
        except GoogleError as exc:
            if exc.status not in (404, 410):  # already gone is what we wanted
                raise

    # Push -------------------------------------------------------------------------------------

    def watch(
        self,
        connection: CalendarConnection,
        calendar_id: str,
        *,
        address: str,
        watch_id: str,
        secret: str,
        expires_at: datetime,
    ) -> Watch:
        session = _Session.of(connection)
        body = {
            "id": watch_id,
            "type": "web_hook",
            "address": address,
            "token": secret,
            "expiration": events.to_millis(expires_at),
        }
        channel = session.run(session.service.events().watch(calendarId=calendar_id, body=body))
        return Watch(
            watch_id=channel.get("id") or watch_id,
            resource_id=channel.get("resourceId") or "",
            expires_at=events.from_millis(channel.get("expiration"), expires_at),
        )

    def stop_watch(
        self, connection: CalendarConnection, calendar_id: str, watch_id: str, resource_id: str
    ) -> None:
        session = _Session.of(connection)
        body = {"id": watch_id, "resourceId": resource_id}
        try:
            session.run(session.service.channels().stop(body=body))
        except GoogleError as exc:
            if exc.status != 404:  # the channel expired or was stopped already
                raise


def _write(data: EventData) -> dict[str, Any]:
    """Query parameters of an insert or patch: invitations, and Meet links when asked."""
    return {
        "sendUpdates": "all" if data.send_invites else "none",
        "conferenceDataVersion": 1 if data.add_meeting else 0,
    }
