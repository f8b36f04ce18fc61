"""The Microsoft 365 calendar provider: sign-in through the identity platform (msal), calendars,
busy time, events and change subscriptions through Microsoft Graph (httpx).

Nothing else imports ``msal``. Settings: ``MICROSOFT_CLIENT_ID`` / ``MICROSOFT_CLIENT_SECRET``
(the app registration), ``MICROSOFT_AUTHORITY`` (``…/common`` unless set),
``MICROSOFT_GRAPH_BASE`` and ``MICROSOFT_CA_BUNDLE`` (a CA file to trust instead of the system's;
tests only). The connection's ``secret`` is the refresh token; Microsoft rotates it on every
refresh and the new one is kept.
"""

from __future__ import annotations

import ssl
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx
import msal
import requests
from django.conf import settings
from django.utils import timezone

from integrations.calendars.provider import (
    EventData,
    Grant,
    ProviderError,
    Range,
    RemoteCalendar,
    SyncResult,
    Watch,
    WrittenEvent,
)
from integrations.microsoft import events

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

# msal adds offline_access, openid and profile itself (and refuses them in this list).
SCOPES = ["Calendars.ReadWrite", "User.Read"]
AUTHORIZE_SCOPES = "offline_access openid profile Calendars.ReadWrite User.Read"
TIMEOUT_SECONDS = 15.0
# An access token this close to its expiry is refreshed before use.
EXPIRY_MARGIN = timedelta(minutes=2)
# Graph keeps a subscription to Outlook events alive for at most 4230 minutes.
MAX_SUBSCRIPTION = timedelta(minutes=4230)
PREFER_UTC = 'outlook.timezone="UTC"'
PAGE_SIZE = 100
# Token-endpoint errors that mean the host must sign in again.
AUTH_ERRORS = frozenset({"invalid_grant", "interaction_required", "consent_required"})
# Token-endpoint errors that are our own configuration's fault: retrying cannot help.
CONFIG_ERRORS = frozenset({"invalid_client", "unauthorized_client", "invalid_scope"})
GONE_CODES = frozenset({"syncstatenotfound", "syncstateinvalid", "resyncrequired"})
NOT_CONFIGURED = "Microsoft 365 is not set up: the app's client id and secret are missing."


def _verify() -> ssl.SSLContext | bool:
    bundle = settings.MICROSOFT_CA_BUNDLE
    return ssl.create_default_context(cafile=bundle) if bundle else True


def _retry_after(value: str | None) -> timedelta | None:
    """``Retry-After`` in seconds or as an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment - timezone.now(), timedelta(0))


# -- the identity platform (msal) ------------------------------------------------------------


class _Session(requests.Session):
    """msal's HTTP client: our CA file and timeout on every request.

    Set per request because requests lets ``REQUESTS_CA_BUNDLE`` override a session's own
    ``verify``.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.ca_bundle: str | bool = settings.MICROSOFT_CA_BUNDLE or True

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("verify", self.ca_bundle)
        return super().request(method, url, *args, **kwargs)


def _app(timeout: float = TIMEOUT_SECONDS) -> msal.ConfidentialClientApplication:
    """A client for one operation: msal keeps tokens in the app, and ours live in the database.

    Building it reads the authority's OpenID configuration. Instance discovery is off: the
    authority is the one configured, never looked up elsewhere.
    """
    return msal.ConfidentialClientApplication(
        settings.MICROSOFT_CLIENT_ID,
        client_credential=settings.MICROSOFT_CLIENT_SECRET,
        authority=settings.MICROSOFT_AUTHORITY,
        validate_authority=False,
        instance_discovery=False,
        http_client=_Session(timeout),
    )


def _token_call(
    call: Callable[[msal.ConfidentialClientApplication], dict[str, Any]],
    timeout: float = TIMEOUT_SECONDS,
) -> dict:
    """Run one token request; every failure becomes a :class:`ProviderError`."""
    try:
        with warnings.catch_warnings():
            # msal flags the code grant as superseded by its own flow helper, which would keep
            # the PKCE verifier itself; ours comes from our own state.
            warnings.simplefilter("ignore", DeprecationWarning)
            result = call(_app(timeout))
    except requests.RequestException as exc:
        raise ProviderError(f"Microsoft sign-in could not be reached: {exc}") from exc
    except ValueError as exc:  # the authority's configuration or answer is not readable
        raise ProviderError(f"Microsoft sign-in answered unexpectedly: {exc}") from exc
    error = result.get("error")
    if error:
        message = f"Microsoft sign-in refused: {error} {result.get('error_description', '')}"
        if error in AUTH_ERRORS:
            raise ProviderError(message.strip(), auth=True)
        raise ProviderError(message.strip(), retry=error not in CONFIG_ERRORS)
    return result


def _expires_at(result: dict[str, Any]) -> datetime:
    return timezone.now() + timedelta(seconds=int(result.get("expires_in") or 3600))


def _refresh(connection: CalendarConnection, timeout: float = TIMEOUT_SECONDS) -> str:
    """A new access token from the refresh token; both new tokens are stored."""
    refresh_token = connection.secret
    if not refresh_token:
        raise ProviderError("The Microsoft connection has no refresh token.", auth=True)
    result = _token_call(
        lambda app: app.acquire_token_by_refresh_token(refresh_token, SCOPES), timeout
    )
    connection.store_access_token(result["access_token"], _expires_at(result))
    rotated = result.get("refresh_token")
    if rotated and rotated != refresh_token:
        connection.store_secret(rotated)
    return str(result["access_token"])


def _access_token(connection: CalendarConnection, timeout: float = TIMEOUT_SECONDS) -> str:
    expires = connection.access_expires_at
    token = connection.access_token
    if token and expires and expires - EXPIRY_MARGIN > timezone.now():
        return token
    return _refresh(connection, timeout)


# -- Graph -----------------------------------------------------------------------------------


def _graph_error(response: httpx.Response) -> ProviderError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = str(error.get("code") or "") if isinstance(error, dict) else ""
    message = f"Microsoft Graph answered {response.status_code} {code}".strip()
    status = response.status_code
    if status == 410 or code.lower() in GONE_CODES:
        return ProviderError(message, gone=True)
    if status == 401:
        return ProviderError(message, auth=True)
    if status in (429, 503, 504):
        return ProviderError(message, retry_after=_retry_after(response.headers.get("Retry-After")))
    return ProviderError(message, retry=status >= 500)


class _Graph:
    """Graph requests for one operation on one connection, counted, within one time budget."""

    def __init__(self, connection: CalendarConnection, *, timeout: float = TIMEOUT_SECONDS):
        self.connection = connection
        self.calls = 0
        self.deadline = time.monotonic() + timeout
        self.http = httpx.Client(verify=_verify(), timeout=timeout)

    def __enter__(self) -> _Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        return f"{settings.MICROSOFT_GRAPH_BASE}{path}"

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ProviderError("Microsoft Graph took too long.")
        return left

    def _send(self, method: str, url: str, token: str, **kwargs: Any) -> httpx.Response:
        remaining = self.remaining()
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        self.calls += 1
        try:
            return self.http.request(method, url, headers=headers, timeout=remaining, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(f"Microsoft Graph could not be reached: {exc}") from exc

    def request(
        self, method: str, url: str, *, allow: tuple[int, ...] = (), **kwargs: Any
    ) -> dict[str, Any]:
        """The JSON answer (``{}`` when empty or one of the ``allow``-ed statuses).

        A 401 is answered once with a fresh access token: Microsoft may end a token early.
        """
        if not url.startswith(settings.MICROSOFT_GRAPH_BASE + "/"):
            raise ProviderError("Refusing a link outside Microsoft Graph.", gone=True)
        token = _access_token(self.connection, self.remaining())
        response = self._send(method, url, token, **kwargs)
        if response.status_code == 401:
            token = _refresh(self.connection, self.remaining())
            response = self._send(method, url, token, **kwargs)
        if response.status_code in allow:
            return {}
        if response.status_code >= 400:
            raise _graph_error(response)
        return response.json() if response.content else {}

    def pages(self, url: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every page of a collection, following ``@odata.nextLink``."""
        page = self.request("GET", url, **kwargs)
        yield page
        kwargs.pop("params", None)
        while page.get("@odata.nextLink"):
            page = self.request("GET", page["@odata.nextLink"], **kwargs)
            yield page


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _graph_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value.rstrip("Z")[:19])
    return moment.replace(tzinfo=UTC)


def _calendar_path(calendar_id: str) -> str:
    return f"/me/calendars/{quote(calendar_id, safe='')}"


def _event_path(external_id: str) -> str:
    return f"/me/events/{quote(external_id, safe='')}"


class MicrosoftCalendar:
    """Microsoft 365 (Outlook) calendars over Microsoft Graph."""

    key = "microsoft"
    label = "Microsoft 365"
    uses_oauth = True
    can_push = True
    can_add_meeting = True

    def is_configured(self) -> bool:
        return bool(settings.MICROSOFT_CLIENT_ID and settings.MICROSOFT_CLIENT_SECRET)

    # -- sign-in -----------------------------------------------------------------------------

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        params = {
            "client_id": settings.MICROSOFT_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "response_mode": "query",
            "scope": AUTHORIZE_SCOPES,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "prompt": "select_account",
        }
        return f"{settings.MICROSOFT_AUTHORITY}/oauth2/v2.0/authorize?{urlencode(params)}"

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> Grant:
        if not self.is_configured():
            raise ProviderError(NOT_CONFIGURED, retry=False)
        result = _token_call(
            lambda app: app.acquire_token_by_authorization_code(
                code, SCOPES, redirect_uri=redirect_uri, data={"code_verifier": code_verifier}
            )
        )
        if not result.get("refresh_token"):
            raise ProviderError("Microsoft gave no refresh token (offline_access).", retry=False)
        me = self._me(result["access_token"])
        scope = result.get("scope") or ""
        account = str(me.get("mail") or me.get("userPrincipalName") or "")
        return Grant(
            account=account,
            # The directory's own address of the signed-in user (its tenant manages it).
            email_verified=bool(account),
            secret=result["refresh_token"],
            access_token=result["access_token"],
            expires_at=_expires_at(result),
            scopes=" ".join(scope) if isinstance(scope, list) else str(scope),
        )

    def _me(self, access_token: str) -> dict[str, Any]:
        url = f"{settings.MICROSOFT_GRAPH_BASE}/me"
        try:
            with httpx.Client(verify=_verify(), timeout=TIMEOUT_SECONDS) as http:
                response = http.get(
                    url,
                    params={"$select": "mail,userPrincipalName"},
                    headers={"Authorization": f"Bearer {access_token}"},
                )
        except httpx.HTTPError as exc:
            raise ProviderError(f"Microsoft Graph could not be reached: {exc}") from exc
        if response.status_code >= 400:
            raise _graph_error(response)
        return dict(response.json())

    def revoke(self, connection: CalendarConnection) -> None:
        """Nothing to call: Microsoft offers an app no way to revoke one delegated refresh token
        (``revokeSignInSessions`` would sign the host out of every app). Disconnecting forgets
        the tokens; the host removes the app's consent at myapplications.microsoft.com."""

    # -- reading -----------------------------------------------------------------------------

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        params = {"$select": "id,name,isDefaultCalendar,canEdit", "$top": str(PAGE_SIZE)}
        with _Graph(connection) as graph:
            return [
                RemoteCalendar(
                    external_id=item["id"],
                    name=item.get("name") or "",
                    is_primary=bool(item.get("isDefaultCalendar")),
                    writable=bool(item.get("canEdit", True)),
                )
                for page in graph.pages(graph.url("/me/calendars"), params=params)
                for item in page.get("value", [])
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
        """A calendarView delta: recurring events come as their occurrences. Without ``token``
        every event of the window, else the changes since; the last page's deltaLink is the
        next token. An expired token is ``ProviderError(gone=True)``."""
        local_tz = connection.user.timezone
        headers = {"Prefer": f"{PREFER_UTC}, odata.maxpagesize={PAGE_SIZE}"}
        result = SyncResult(full=not token)
        with _Graph(connection) as graph:
            if token:
                pages = graph.pages(token, headers=headers)
            else:
                url = graph.url(f"{_calendar_path(calendar_id)}/calendarView/delta")
                params = {"startDateTime": _iso(start), "endDateTime": _iso(end)}
                pages = graph.pages(url, params=params, headers=headers)
            for page in pages:
                result.events.extend(
                    events.remote_event(item, local_tz, (start, end))
                    for item in page.get("value", [])
                    if item.get("type") != "seriesMaster"
                )
                result.token = page.get("@odata.deltaLink", result.token)
            result.calls = graph.calls
        if not result.token:
            raise ProviderError("Microsoft Graph ended the sync without a delta link.")
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
        """The busy, tentative and out-of-office times of each calendar (calendarView, so every
        calendar counts, not only the default one getSchedule reads)."""
        local_tz = connection.user.timezone
        params = {
            "startDateTime": _iso(start),
            "endDateTime": _iso(end),
            "$select": "showAs,isAllDay,isCancelled,responseStatus,start,end",
            "$top": str(PAGE_SIZE),
        }
        ranges: list[Range] = []
        with _Graph(connection, timeout=timeout) as graph:
            for calendar_id in calendar_ids:
                url = graph.url(f"{_calendar_path(calendar_id)}/calendarView")
                for page in graph.pages(url, params=params, headers={"Prefer": PREFER_UTC}):
                    for item in page.get("value", []):
                        blocked = events.busy_range(item, local_tz, (start, end))
                        if blocked:
                            ranges.append(blocked)
        return sorted(ranges)

    # -- writing -----------------------------------------------------------------------------

    def create_event(
        self, connection: CalendarConnection, calendar_id: str, data: EventData
    ) -> WrittenEvent:
        with _Graph(connection) as graph:
            item = graph.request(
                "POST",
                graph.url(f"{_calendar_path(calendar_id)}/events"),
                json=events.event_body(data, create=True),
            )
        return WrittenEvent(external_id=item["id"], meeting_url=events.join_url(item))

    def update_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, data: EventData
    ) -> WrittenEvent:
        with _Graph(connection) as graph:
            item = graph.request(
                "PATCH",
                graph.url(_event_path(external_id)),
                json=events.event_body(data, create=False),
            )
        return WrittenEvent(external_id=item["id"], meeting_url=events.join_url(item))

    def delete_event(
        self, connection: CalendarConnection, calendar_id: str, external_id: str, *, notify: bool
    ) -> None:
        """Remove the event; an event already gone (404) is a success. With ``notify`` the
        attendees get a cancellation note (Graph mails them on a plain delete too)."""
        with _Graph(connection) as graph:
            if notify:
                graph.request(
                    "POST",
                    graph.url(f"{_event_path(external_id)}/cancel"),
                    json={"comment": "This meeting was cancelled."},
                    allow=(404,),
                )
            else:
                graph.request("DELETE", graph.url(_event_path(external_id)), allow=(404,))

    # -- push --------------------------------------------------------------------------------

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
        """Subscribe ``address`` to the calendar's event changes. Graph picks the subscription
        id (``watch_id`` is not used), and keeps it at most ~3 days: renew by watching again."""
        resource = f"{_calendar_path(calendar_id)}/events"
        expiry = events.clamp(expires_at, MAX_SUBSCRIPTION - timedelta(minutes=1), timezone.now())
        with _Graph(connection) as graph:
            item = graph.request(
                "POST",
                graph.url("/subscriptions"),
                json={
                    "changeType": "created,updated,deleted",
                    "notificationUrl": address,
                    "resource": resource,
                    "expirationDateTime": _iso(expiry),
                    "clientState": secret,
                },
            )
        return Watch(
            watch_id=item["id"],
            resource_id=item.get("resource") or resource,
            expires_at=_graph_datetime(item.get("expirationDateTime") or _iso(expiry)),
        )

    def stop_watch(
        self, connection: CalendarConnection, calendar_id: str, watch_id: str, resource_id: str
    ) -> None:
        with _Graph(connection) as graph:
            graph.request(
                "DELETE", graph.url(f"/subscriptions/{quote(watch_id, safe='')}"), allow=(404,)
            )
