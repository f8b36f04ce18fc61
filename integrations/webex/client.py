"""Webex meetings for a host's own Webex account: OAuth 2.0 with PKCE, then the Meetings API.

Settings: ``WEBEX_CLIENT_ID`` / ``WEBEX_CLIENT_SECRET`` (the integration registered at
developer.webex.com) and ``WEBEX_API_BASE`` (``https://webexapis.com/v1``; the sign-in pages are
``{base}/authorize`` and ``{base}/access_token``). Webex takes the client credentials in the token
form, not as Basic auth. The connection's ``secret`` is the refresh token (valid 90 days, renewed
by every refresh); access tokens last 14 days.

Meetings are created in the account that connected: no ``hostEmail`` is sent, since scheduling
for another user needs an admin's scope, and the Webex account's address need not be the one the
host signs in to Workestra with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from integrations.calendars.provider import Grant, ProviderError, RemoteCalendar
from integrations.conferencing import oauth_http
from integrations.conferencing.provider import Meeting, MeetingData

if TYPE_CHECKING:
    from integrations.models import CalendarConnection

SCOPES = ("meeting:schedules_read", "meeting:schedules_write", "spark:people_read")
#: Webex refuses longer titles and agendas.
TITLE_MAX = 128
AGENDA_MAX = 1300


def _base() -> str:
    return str(settings.WEBEX_API_BASE).rstrip("/")


APP = oauth_http.OAuthApp(
    label="Webex",
    authorize_url=lambda: f"{_base()}/authorize",
    token_url=lambda: f"{_base()}/access_token",
    client_id=lambda: str(settings.WEBEX_CLIENT_ID),
    client_secret=lambda: str(settings.WEBEX_CLIENT_SECRET),
    scopes=SCOPES,
    basic_auth=False,
)


class WebexMeetings:
    key = "webex"
    label = "Webex"
    uses_oauth = True

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
        grant = APP.grant(tokens, account="")
        me = oauth_http.api(APP, _unsaved(grant), "GET", f"{_base()}/people/me")
        emails = me.get("emails") or []
        if not emails:
            raise ProviderError("Webex did not say which account signed in.", retry=False)
        return Grant(
            account=str(emails[0]),
            secret=grant.secret,
            access_token=grant.access_token,
            expires_at=grant.expires_at,
            scopes=grant.scopes or " ".join(SCOPES),
        )

    def revoke(self, connection: CalendarConnection) -> None:
        """Nothing to call: Webex offers integrations no endpoint to revoke a token. Deleting the
        connection forgets the tokens; the host removes the app from their Webex account's
        settings to end its access there too."""

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        return []

    def create_meeting(self, connection: CalendarConnection, data: MeetingData) -> Meeting:
        body = oauth_http.api(APP, connection, "POST", f"{_base()}/meetings", json=_body(data))
        return _meeting(body)

    def update_meeting(
        self, connection: CalendarConnection, meeting_id: str, data: MeetingData
    ) -> Meeting:
        # Webex replaces the whole meeting on PUT: title, start and end are required.
        url = f"{_base()}/meetings/{meeting_id}"
        return _meeting(oauth_http.api(APP, connection, "PUT", url, json=_body(data)))

    def delete_meeting(self, connection: CalendarConnection, meeting_id: str) -> None:
        url = f"{_base()}/meetings/{meeting_id}"
        oauth_http.api(APP, connection, "DELETE", url, ok_missing=True)


def _unsaved(grant: Grant) -> CalendarConnection:
    """The fresh tokens as a connection not yet saved, for the one call that names the account."""
    from integrations.models import CalendarConnection, Provider

    connection = CalendarConnection(provider=Provider.WEBEX, access_expires_at=grant.expires_at)
    connection.secret = grant.secret
    connection.access_token = grant.access_token
    return connection


def _body(data: MeetingData) -> dict[str, Any]:
    return {
        "title": data.topic[:TITLE_MAX],
        "agenda": data.agenda[:AGENDA_MAX],
        "start": data.start.isoformat(timespec="seconds"),
        "end": data.end.isoformat(timespec="seconds"),
        "timezone": data.timezone,
        "enabledAutoRecordMeeting": False,
        "allowAnyUserToBeCoHost": False,
    }


def _meeting(body: dict[str, Any]) -> Meeting:
    if not body.get("id") or not body.get("webLink"):
        # Not retried: the meeting may well exist, and a second try would make another.
        raise ProviderError("Webex answered without the meeting's id or link.", retry=False)
    return Meeting(
        meeting_id=str(body["id"]), join_url=str(body["webLink"]), dial_in=_dial_in(body)
    )


def _dial_in(body: dict[str, Any]) -> str:
    """The telephony block as lines: each call-in number with its label, then the access code."""
    telephony = body.get("telephony") or {}
    lines = []
    for number in telephony.get("callInNumbers") or []:
        if number.get("callInNumber"):
            label = number.get("label") or "Call in"
            lines.append(f"{label}: {number['callInNumber']}")
    if telephony.get("accessCode"):
        lines.append(f"Access code: {telephony['accessCode']}")
    return "\n".join(lines)
