"""Zoom meetings for bookings: a host connects their own Zoom account (OAuth 2.0 with PKCE), and
each booking that takes place on Zoom gets a scheduled meeting in that account.

Settings: ``ZOOM_CLIENT_ID`` / ``ZOOM_CLIENT_SECRET`` (the OAuth app; Zoom wants them as HTTP Basic
auth), ``ZOOM_OAUTH_BASE`` (``{base}/oauth/authorize``, ``/oauth/token``, ``/oauth/revoke``) and
``ZOOM_API_BASE`` (the REST API v2). The connection's ``secret`` is the refresh token; Zoom issues
a new one on every refresh and the new one is kept (``oauth_http``). The scopes are the ones set
on the app in Zoom's marketplace: reading the user (``user:read``) and writing meetings.
"""

from __future__ import annotations

import base64
import logging
import math
from datetime import UTC
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.utils import timezone

from integrations.calendars.provider import Grant, ProviderError, RemoteCalendar
from integrations.conferencing import oauth_http
from integrations.conferencing.oauth_http import OAuthApp, api
from integrations.conferencing.provider import Meeting, MeetingData

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

logger = logging.getLogger(__name__)

LABEL = "Zoom"
SCHEDULED = 2  # Zoom's meeting type for a meeting at a set time
MAX_TOPIC = 200  # Zoom refuses longer topics and agendas
MAX_AGENDA = 2000

APP = OAuthApp(
    label=LABEL,
    authorize_url=lambda: f"{settings.ZOOM_OAUTH_BASE}/oauth/authorize",
    token_url=lambda: f"{settings.ZOOM_OAUTH_BASE}/oauth/token",
    client_id=lambda: settings.ZOOM_CLIENT_ID,
    client_secret=lambda: settings.ZOOM_CLIENT_SECRET,
)


def _api(path: str) -> str:
    return f"{settings.ZOOM_API_BASE}{path}"


class ZoomMeetings:
    key = "zoom"
    label = LABEL
    uses_oauth = True
    # Asked of every connection by the calendar code; a Zoom account has no calendars.
    can_push = False
    can_add_meeting = False

    def is_configured(self) -> bool:
        return APP.is_configured()

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        return APP.authorization_url(
            state=state, code_challenge=code_challenge, redirect_uri=redirect_uri
        )

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> Grant:
        tokens = APP.exchange_code(
            code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
        )
        return APP.grant(tokens, _account_email(str(tokens["access_token"])))

    def revoke(self, connection: CalendarConnection) -> None:
        """Tell Zoom to end the app's access (best effort: the host is disconnecting anyway)."""
        token = _revocable_token(connection)
        if not token:
            return
        try:
            response = httpx.post(
                f"{settings.ZOOM_OAUTH_BASE}/oauth/revoke",
                params={"token": token},
                headers={"Authorization": _basic_auth(), "Accept": "application/json"},
                timeout=oauth_http.TIMEOUT,
            )
        except httpx.HTTPError as exc:
            logger.warning(
                "Revoking the Zoom token of connection %s failed: %r", connection.pk, exc
            )
            return
        if response.status_code >= 300:
            logger.warning(
                "Zoom refused to revoke the token of connection %s (%s)",
                connection.pk,
                response.status_code,
            )

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        return []

    def create_meeting(self, connection: CalendarConnection, data: MeetingData) -> Meeting:
        created = api(APP, connection, "POST", _api("/users/me/meetings"), json=_body(data))
        return _meeting(created)

    def update_meeting(
        self, connection: CalendarConnection, meeting_id: str, data: MeetingData
    ) -> Meeting:
        # Zoom answers a PATCH with 204 and no body: read the meeting back for its links.
        api(APP, connection, "PATCH", _api(f"/meetings/{meeting_id}"), json=_body(data))
        return _meeting(api(APP, connection, "GET", _api(f"/meetings/{meeting_id}")))

    def delete_meeting(self, connection: CalendarConnection, meeting_id: str) -> None:
        # 404 (Zoom's code 3001, "Meeting does not exist"): the host deleted it already.
        api(APP, connection, "DELETE", _api(f"/meetings/{meeting_id}"), ok_missing=True)


def _basic_auth() -> str:
    pair = f"{settings.ZOOM_CLIENT_ID}:{settings.ZOOM_CLIENT_SECRET}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def _revocable_token(connection: CalendarConnection) -> str:
    """The access token while it is still valid, else the refresh token (either ends the
    authorization at Zoom)."""
    expires = connection.access_expires_at
    if connection.access_token and expires is not None and expires > timezone.now():
        return connection.access_token
    return connection.secret


def _account_email(access_token: str) -> str:
    """The signed-in Zoom user's email, shown to the host as the connected account."""
    try:
        response = httpx.get(
            _api("/users/me"),
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=oauth_http.TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"{LABEL} could not be reached: {exc!r}") from exc
    if response.status_code != 200:
        raise ProviderError(
            f"{LABEL} did not tell us which account signed in ({response.status_code}).",
            retry=response.status_code == 429 or response.status_code >= 500,
        )
    email = str(response.json().get("email") or "")
    if not email:
        raise ProviderError(f"{LABEL} did not tell us which account signed in.", retry=False)
    return email


def _body(data: MeetingData) -> dict[str, Any]:
    minutes = math.ceil((data.end - data.start).total_seconds() / 60)
    return {
        "topic": data.topic[:MAX_TOPIC],
        "type": SCHEDULED,
        "start_time": data.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": max(minutes, 1),
        "timezone": data.timezone,
        "agenda": data.agenda[:MAX_AGENDA],
        "settings": {"join_before_host": False, "waiting_room": True},
    }


def _meeting(payload: dict[str, Any]) -> Meeting:
    meeting_id = str(payload.get("id") or "")
    if not meeting_id or not payload.get("join_url"):
        raise ProviderError(f"{LABEL} answered without a meeting id or join link.", retry=False)
    return Meeting(
        meeting_id=meeting_id,
        join_url=str(payload["join_url"]),
        dial_in=_dial_in(meeting_id, payload),
    )


def _dial_in(meeting_id: str, payload: dict[str, Any]) -> str:
    """The phone numbers and codes to join by phone, as lines a guest can read ("" when the
    account has no dial-in numbers)."""
    numbers = (payload.get("settings") or {}).get("global_dial_in_numbers") or []
    lines = []
    for entry in numbers:
        number = str(entry.get("number") or "").strip()
        if not number:
            continue
        country = entry.get("country_name") or entry.get("country") or ""
        place = ", ".join(str(part) for part in (entry.get("city"), country) if part)
        lines.append(f"{number} ({place})" if place else number)
    if not lines:
        return ""
    text = ["Join by phone:", *(f"  {line}" for line in lines)]
    text.append(f"Meeting ID: {_grouped(meeting_id)}")
    passcode = payload.get("pstn_password") or payload.get("password")
    if passcode:
        text.append(f"Passcode: {passcode}")
    return "\n".join(text)


def _grouped(meeting_id: str) -> str:
    """``85212345678`` as Zoom prints it: ``852 1234 5678``."""
    if not meeting_id.isdigit() or len(meeting_id) < 9:
        return meeting_id
    head = len(meeting_id) - 8
    return f"{meeting_id[:head]} {meeting_id[head:-4]} {meeting_id[-4:]}"
