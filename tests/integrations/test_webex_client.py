"""The Webex client against the fake Webex: connecting with PKCE, tokens, meetings, and failures
that say whether a retry can help."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from integrations.calendars.provider import ProviderError
from integrations.conferencing.provider import MeetingData, get_conferencing
from integrations.models import CalendarConnection
from integrations.webex.client import WebexMeetings
from tests.factories import MembershipFactory
from tests.integrations import fixtures_webex
from tests.integrations.fake_webex import ACCOUNT, CLIENT_SECRET
from tests.integrations.fixtures_webex import connect_webex

# The fixture, by name (bound here, not imported, so test parameters do not shadow an import).
fake_webex = fixtures_webex.fake_webex

BERLIN = ZoneInfo("Europe/Berlin")
REDIRECT = "https://book.example.com/settings/integrations/webex/callback"
webex = WebexMeetings()

# Meeting times and token expiry are dates: every test runs on the frozen clock.
pytestmark = pytest.mark.usefixtures("frozen")


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def booking(**changes) -> MeetingData:
    fields = {
        "topic": "Intro call with Alice",
        "agenda": "Booked through Workestra",
        "start": datetime(2026, 12, 1, 9, tzinfo=BERLIN),
        "end": datetime(2026, 12, 1, 9, 30, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "host_email": ACCOUNT,
    }
    return MeetingData(**{**fields, **changes})


@pytest.fixture
def connection(fake_webex, db) -> CalendarConnection:
    return connect_webex(fake_webex, MembershipFactory().user)


# Connecting --------------------------------------------------------------------------------------


def test_webex_is_offered_only_once_its_client_credentials_are_set(settings):
    provider = get_conferencing("webex")
    assert (provider.key, provider.label, provider.uses_oauth) == ("webex", "Webex", True)
    settings.WEBEX_CLIENT_ID, settings.WEBEX_CLIENT_SECRET = "", ""
    assert not provider.is_configured()
    settings.WEBEX_CLIENT_ID, settings.WEBEX_CLIENT_SECRET = "id", "secret"
    assert provider.is_configured()


def test_connecting_trades_code_and_verifier_for_a_grant_naming_the_account(fake_webex, db):
    verifier, challenge = pkce()
    url = webex.authorization_url(state="st-1", code_challenge=challenge, redirect_uri=REDIRECT)
    asked = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{fake_webex.base_url}/authorize?")
    assert asked["code_challenge"] == [challenge] and asked["code_challenge_method"] == ["S256"]
    assert asked["scope"] == ["meeting:schedules_read meeting:schedules_write spark:people_read"]
    code = fake_webex.issue_code(challenge, REDIRECT, email="pat@webex.example.com")

    grant = webex.exchange_code(code=code, code_verifier=verifier, redirect_uri=REDIRECT)

    assert grant.account == "pat@webex.example.com"
    assert grant.secret and grant.access_token
    assert grant.expires_at == timezone.now() + timedelta(seconds=1209599)
    form = fake_webex.token_requests("authorization_code")[0].body
    assert form["client_secret"] == CLIENT_SECRET  # Webex wants the credentials in the form
    assert "authorization" not in fake_webex.token_requests("authorization_code")[0].headers


def test_a_wrong_verifier_is_refused_and_the_host_must_start_again(fake_webex, db):
    _, challenge = pkce()
    code = fake_webex.issue_code(challenge, REDIRECT)

    with pytest.raises(ProviderError) as refused:
        webex.exchange_code(code=code, code_verifier=pkce()[0], redirect_uri=REDIRECT)

    assert refused.value.auth and not refused.value.retry
    assert "invalid_grant" in str(refused.value)
    assert fake_webex.api_requests() == []  # nothing asked with a token it never got


def test_a_webex_account_has_no_calendars_and_disconnecting_calls_nothing(connection, fake_webex):
    assert webex.calendars(connection) == []
    webex.revoke(connection)
    assert fake_webex.requests == []


# Tokens ------------------------------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_and_stored_encrypted(fake_webex, db):
    user = MembershipFactory().user
    past = timezone.now() - timedelta(minutes=5)
    connection = connect_webex(fake_webex, user, access_expires_at=past)
    stale = connection.access_token

    webex.create_meeting(connection, booking())

    assert len(fake_webex.token_requests("refresh_token")) == 1
    stored = CalendarConnection.objects.get(pk=connection.pk)
    assert stored.access_token != stale and stored.access_token
    assert stored.access_token not in stored.access_token_encrypted
    assert stored.access_expires_at == timezone.now() + timedelta(seconds=1209599)
    # The next call uses the stored token: no second refresh.
    webex.delete_meeting(stored, "gone-already")
    assert len(fake_webex.token_requests("refresh_token")) == 1


def test_a_revoked_integration_asks_the_host_to_reconnect(connection, fake_webex):
    fake_webex.revoke_all()

    with pytest.raises(ProviderError) as refused:
        webex.create_meeting(connection, booking())

    assert refused.value.auth and not refused.value.retry
    assert fake_webex.meetings == {}


# Meetings ----------------------------------------------------------------------------------------


def test_a_created_meeting_has_its_join_link_and_dial_in_lines(connection, fake_webex):
    meeting = webex.create_meeting(connection, booking())

    held = fake_webex.meetings[meeting.meeting_id]
    assert meeting.join_url == held["webLink"]
    assert held["title"] == "Intro call with Alice"
    assert held["start"] == "2026-12-01T09:00:00+01:00"
    assert held["timezone"] == "Europe/Berlin"
    assert held["enabledAutoRecordMeeting"] is False
    assert held["allowAnyUserToBeCoHost"] is False
    lines = meeting.dial_in.splitlines()
    assert lines[:2] == [
        "United States Toll: +1-415-655-0001",
        "Germany Toll: +49-619-6781-9736",
    ]
    assert lines[2] == f"Access code: {held['telephony']['accessCode']}"


def test_a_reschedule_moves_the_meeting_in_place(connection, fake_webex):
    created = webex.create_meeting(connection, booking())
    later = booking(
        topic="Intro call with Alice (moved)",
        start=datetime(2026, 12, 2, 14, tzinfo=BERLIN),
        end=datetime(2026, 12, 2, 14, 45, tzinfo=BERLIN),
    )

    moved = webex.update_meeting(connection, created.meeting_id, later)

    assert moved.meeting_id == created.meeting_id and moved.join_url == created.join_url
    held = fake_webex.meetings[created.meeting_id]
    assert (held["start"], held["end"]) == (
        "2026-12-02T14:00:00+01:00",
        "2026-12-02T14:45:00+01:00",
    )
    assert held["title"] == "Intro call with Alice (moved)"
    assert len(fake_webex.meetings) == 1


def test_a_cancel_deletes_the_meeting_and_a_gone_one_counts_as_deleted(connection, fake_webex):
    meeting = webex.create_meeting(connection, booking())

    webex.delete_meeting(connection, meeting.meeting_id)
    assert fake_webex.meetings == {}

    webex.delete_meeting(connection, meeting.meeting_id)  # the host deleted it first: no error
    assert [r.method for r in fake_webex.api_requests()] == ["POST", "DELETE", "DELETE"]


# Failures ----------------------------------------------------------------------------------------


def test_rate_limited_is_retried_after_the_wait_webex_asked_for(connection, fake_webex):
    fake_webex.fail_next(429, retry_after=30)

    with pytest.raises(ProviderError) as failed:
        webex.create_meeting(connection, booking())

    assert failed.value.retry and failed.value.retry_after == timedelta(seconds=30)
    assert fake_webex.meetings == {}


def test_a_server_error_is_retried_and_the_retry_creates_the_meeting(connection, fake_webex):
    fake_webex.fail_next(500)

    with pytest.raises(ProviderError) as failed:
        webex.create_meeting(connection, booking())
    assert failed.value.retry and not failed.value.auth

    meeting = webex.create_meeting(connection, booking())
    assert list(fake_webex.meetings) == [meeting.meeting_id]


def test_a_bad_request_is_final(connection, fake_webex):
    fake_webex.fail_next(400)

    with pytest.raises(ProviderError) as failed:
        webex.create_meeting(connection, booking())

    assert not failed.value.retry and not failed.value.auth
    assert "Injected 400" in str(failed.value)
