"""The GoTo Meeting provider: a host connects their GoTo account by OAuth 2.0 (PKCE, the client
credentials as HTTP Basic auth) and each confirmed booking on GoTo Meeting gets its own scheduled
meeting through the G2M REST API.

Settings: ``GOTO_CLIENT_ID`` / ``GOTO_CLIENT_SECRET`` (the app from the GoTo developer center),
``GOTO_AUTH_BASE`` (sign-in: ``/oauth/authorize``, ``/oauth/token``, ``/oauth/revoke``) and
``GOTO_API_BASE`` (meetings at ``/G2M/rest/meetings``). The connection's ``secret`` is the
refresh token; the account shown is the ``email`` GoTo returns with the tokens.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings

from integrations.calendars.provider import Grant, ProviderError, RemoteCalendar
from integrations.conferencing import oauth_http
from integrations.conferencing.oauth_http import OAuthApp
from integrations.conferencing.provider import Meeting, MeetingData

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

logger = logging.getLogger(__name__)
LABEL = "GoTo Meeting"
#: Phone numbers and VoIP both, so attendees can dial in.
CALL_INFO = "Hybrid"
#: Where GoTo sends attendees for a meeting id, when an answer carries no join URL.
JOIN_BASE = "https://global.gotomeeting.com/join/"

APP = OAuthApp(
    label=LABEL,
    authorize_url=lambda: f"{settings.GOTO_AUTH_BASE}/oauth/authorize",
    token_url=lambda: f"{settings.GOTO_AUTH_BASE}/oauth/token",
    client_id=lambda: settings.GOTO_CLIENT_ID,
    client_secret=lambda: settings.GOTO_CLIENT_SECRET,
    basic_auth=True,
)


def _meetings_url(meeting_id: str = "") -> str:
    base = f"{settings.GOTO_API_BASE}/G2M/rest/meetings"
    return f"{base}/{meeting_id}" if meeting_id else base


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _body(data: MeetingData) -> dict[str, Any]:
    return {
        "subject": data.topic[:100],
        "starttime": _utc(data.start),
        "endtime": _utc(data.end),
        "passwordrequired": False,
        "conferencecallinfo": CALL_INFO,
        "timezonekey": "",
        "meetingtype": "scheduled",
    }


def _meeting(answer: dict[str, Any], meeting_id: str = "") -> Meeting:
    found = str(answer.get("meetingid") or answer.get("meetingId") or meeting_id)
    if not found:
        raise ProviderError(f"{LABEL} answered without a meeting id.", retry=False)
    return Meeting(
        meeting_id=found,
        join_url=str(answer.get("joinURL") or f"{JOIN_BASE}{found}"),
        dial_in=str(answer.get("conferenceCallInfo") or "").strip(),
    )


class GoToMeetings:
    key = "gotomeeting"
    label = LABEL
    uses_oauth = True
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
        email = str(tokens.get("email") or "")
        if not email:
            raise ProviderError(f"{LABEL} did not say which account signed in.", retry=False)
        return APP.grant(tokens, email)

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        return []

    def revoke(self, connection: CalendarConnection) -> None:
        """Tell GoTo to forget the refresh token; a failure is logged (the host disconnects)."""
        pair = f"{APP.client_id()}:{APP.client_secret()}".encode()
        try:
            response = httpx.post(
                f"{settings.GOTO_AUTH_BASE}/oauth/revoke",
                data={"token": connection.secret, "token_type_hint": "refresh_token"},
                headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
                timeout=oauth_http.TIMEOUT,
            )
        except httpx.HTTPError as exc:
            logger.warning("GoTo token revocation failed for %s: %r", connection.pk, exc)
            return
        if response.status_code >= 300:
            logger.warning(
                "GoTo token revocation for %s answered %s", connection.pk, response.status_code
            )

    def create_meeting(self, connection: CalendarConnection, data: MeetingData) -> Meeting:
        answers = oauth_http.api_list(APP, connection, "POST", _meetings_url(), json=_body(data))
        if not answers:
            raise ProviderError(f"{LABEL} answered without the new meeting.", retry=False)
        return _meeting(answers[0])

    def update_meeting(
        self, connection: CalendarConnection, meeting_id: str, data: MeetingData
    ) -> Meeting:
        """Move the meeting; GoTo keeps its id and join URL, read back for the dial-in."""
        oauth_http.api(APP, connection, "PUT", _meetings_url(meeting_id), json=_body(data))
        answers = oauth_http.api_list(APP, connection, "GET", _meetings_url(meeting_id))
        return _meeting(answers[0] if answers else {}, meeting_id)

    def delete_meeting(self, connection: CalendarConnection, meeting_id: str) -> None:
        oauth_http.api(APP, connection, "DELETE", _meetings_url(meeting_id), ok_missing=True)
