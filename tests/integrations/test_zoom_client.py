"""The Zoom client against the fake Zoom: connecting, tokens, meetings for bookings, and failures
that say whether a retry can help or the host must reconnect."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from integrations.calendars.provider import ProviderError
from integrations.conferencing.provider import MeetingData, get_conferencing
from integrations.models import CalendarConnection
from integrations.zoom.client import ZoomMeetings
from tests.integrations import fake_zoom as server
from tests.integrations import fixtures_zoom
from tests.integrations.fixtures_zoom import connect_zoom

# The fixture, by name (bound here, not imported, so test parameters do not shadow an import).
fake_zoom = fixtures_zoom.fake_zoom

BERLIN = ZoneInfo("Europe/Berlin")
REDIRECT = "https://book.example.com/integrations/zoom/callback"
zoom = ZoomMeetings()

# Meeting times and token expiry are dates: every test here runs on the frozen clock.
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
        "end": datetime(2026, 12, 1, 9, 45, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "host_email": server.ACCOUNT,
    }
    return MeetingData(**{**fields, **changes})


def expected_basic_auth() -> str:
    pair = f"{server.CLIENT_ID}:{server.CLIENT_SECRET}".encode()
    return "Basic " + base64.b64encode(pair).decode()


# Connecting --------------------------------------------------------------------------------------


def test_the_sign_in_goes_to_zoom_with_a_pkce_challenge(fake_zoom):
    url = zoom.authorization_url(state="st-1", code_challenge="chal", redirect_uri=REDIRECT)

    parts = urlsplit(url)
    asked = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake_zoom.base_url}/oauth/authorize"
    assert asked["client_id"] == [server.CLIENT_ID] and asked["state"] == ["st-1"]
    assert asked["code_challenge"] == ["chal"] and asked["code_challenge_method"] == ["S256"]
    assert asked["redirect_uri"] == [REDIRECT] and asked["response_type"] == ["code"]


def test_connecting_trades_code_and_verifier_for_tokens_and_the_account_email(fake_zoom):
    verifier, challenge = pkce()
    code = fake_zoom.issue_code(challenge, REDIRECT, email="ana@zoom.example.com")

    grant = zoom.exchange_code(code=code, code_verifier=verifier, redirect_uri=REDIRECT)

    assert grant.account == "ana@zoom.example.com"
    assert fake_zoom.is_valid_refresh_token(grant.secret)
    assert grant.expires_at == timezone.now() + timedelta(seconds=server.ACCESS_TOKEN_SECONDS)
    [exchange] = fake_zoom.token_requests("authorization_code")
    assert exchange.headers["authorization"] == expected_basic_auth()
    [me] = fake_zoom.api_requests("GET", "/users/me")
    assert me.headers["authorization"] == f"Bearer {grant.access_token}"


def test_a_wrong_verifier_is_refused_and_grants_nothing(fake_zoom):
    _, challenge = pkce()
    other_verifier, _ = pkce()
    code = fake_zoom.issue_code(challenge, REDIRECT)

    with pytest.raises(ProviderError) as refused:
        zoom.exchange_code(code=code, code_verifier=other_verifier, redirect_uri=REDIRECT)

    assert refused.value.auth and not refused.value.retry
    assert fake_zoom.api_requests() == []  # no account was read: no token came back


def test_zoom_is_offered_once_its_app_is_set_up(fake_zoom, settings):
    client = get_conferencing("zoom")
    assert isinstance(client, ZoomMeetings) and client.is_configured()
    settings.ZOOM_CLIENT_SECRET = ""
    assert not client.is_configured()


def test_a_zoom_account_has_no_calendars(fake_zoom, db):
    assert zoom.calendars(connect_zoom(fake_zoom)) == []


# Tokens ------------------------------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_kept(fake_zoom, db):
    connection = connect_zoom(fake_zoom, access_expires_at=timezone.now() - timedelta(minutes=1))
    old_refresh = connection.secret

    zoom.create_meeting(connection, booking())

    stored = CalendarConnection.objects.get(pk=connection.pk)
    assert stored.secret != old_refresh and fake_zoom.is_valid_refresh_token(stored.secret)
    assert not fake_zoom.is_valid_refresh_token(old_refresh)
    assert stored.secret not in stored.secret_encrypted  # kept encrypted, never in clear
    assert stored.access_token not in stored.access_token_encrypted
    assert stored.access_expires_at == timezone.now() + timedelta(
        seconds=server.ACCESS_TOKEN_SECONDS
    )
    [refresh] = fake_zoom.token_requests("refresh_token")
    assert refresh.headers["authorization"] == expected_basic_auth()


def test_an_access_token_zoom_no_longer_accepts_is_refreshed_once(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    fake_zoom.expire_access_tokens()

    meeting = zoom.create_meeting(connection, booking())

    assert int(meeting.meeting_id) in fake_zoom.meetings
    assert len(fake_zoom.token_requests("refresh_token")) == 1


def test_a_revoked_app_asks_the_host_to_reconnect(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    fake_zoom.revoke_all()

    with pytest.raises(ProviderError) as failed:
        zoom.create_meeting(connection, booking())

    assert failed.value.auth and not failed.value.retry
    assert fake_zoom.meetings == {}


# Meetings ----------------------------------------------------------------------------------------


def test_a_booking_gets_a_scheduled_zoom_meeting_with_join_link_and_dial_in(fake_zoom, db):
    connection = connect_zoom(fake_zoom)

    meeting = zoom.create_meeting(connection, booking())

    created = fake_zoom.meetings[int(meeting.meeting_id)]
    assert created["type"] == 2 and created["topic"] == "Intro call with Alice"
    assert created["start_time"] == "2026-12-01T08:00:00Z"  # 09:00 in Berlin
    assert created["duration"] == 45 and created["timezone"] == "Europe/Berlin"
    assert created["agenda"] == "Booked through Workestra"
    assert created["settings"]["waiting_room"] is True
    assert created["settings"]["join_before_host"] is False
    assert meeting.join_url == created["join_url"]
    spaced_id = f"{meeting.meeting_id[:3]} {meeting.meeting_id[3:7]} {meeting.meeting_id[7:]}"
    assert meeting.dial_in.splitlines() == [
        "Join by phone:",
        "  +1 646 558 8656 (New York, US)",
        "  +49 69 3807 9883 (Germany)",
        f"Meeting ID: {spaced_id}",
        f"Passcode: {created['pstn_password']}",
    ]


def test_an_account_without_phone_numbers_gets_no_dial_in(fake_zoom, db):
    fake_zoom.dial_in = ()

    meeting = zoom.create_meeting(connect_zoom(fake_zoom), booking())

    assert meeting.dial_in == "" and meeting.join_url


def test_a_long_topic_and_agenda_are_cut_to_what_zoom_accepts(fake_zoom, db):
    meeting = zoom.create_meeting(
        connect_zoom(fake_zoom), booking(topic="T" * 300, agenda="A" * 3000)
    )

    created = fake_zoom.meetings[int(meeting.meeting_id)]
    assert len(created["topic"]) == 200 and len(created["agenda"]) == 2000


def test_a_reschedule_moves_the_meeting_and_keeps_its_link(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    first = zoom.create_meeting(connection, booking())

    moved = zoom.update_meeting(
        connection,
        first.meeting_id,
        booking(
            start=datetime(2026, 12, 3, 14, tzinfo=BERLIN),
            end=datetime(2026, 12, 3, 15, tzinfo=BERLIN),
        ),
    )

    stored = fake_zoom.meetings[int(first.meeting_id)]
    assert stored["start_time"] == "2026-12-03T13:00:00Z" and stored["duration"] == 60
    assert moved == first  # same meeting, link and phone details
    assert len(fake_zoom.meetings) == 1


def test_a_cancel_deletes_the_meeting(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    meeting = zoom.create_meeting(connection, booking())

    zoom.delete_meeting(connection, meeting.meeting_id)

    assert fake_zoom.meetings == {}


def test_deleting_a_meeting_the_host_already_deleted_counts_as_done(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    meeting = zoom.create_meeting(connection, booking())
    fake_zoom.meetings.clear()  # the host deleted it in Zoom

    zoom.delete_meeting(connection, meeting.meeting_id)

    [delete] = fake_zoom.api_requests("DELETE")
    assert delete.path == f"/v2/meetings/{meeting.meeting_id}"


def test_moving_a_meeting_the_host_deleted_fails_for_good(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    meeting = zoom.create_meeting(connection, booking())
    fake_zoom.meetings.clear()

    with pytest.raises(ProviderError) as failed:
        zoom.update_meeting(connection, meeting.meeting_id, booking())

    assert not failed.value.retry and "Meeting does not exist" in str(failed.value)


# Failures ----------------------------------------------------------------------------------------


def test_a_rate_limit_is_retried_after_the_wait_zoom_asks_for(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    fake_zoom.fail_next(429, retry_after=30)

    with pytest.raises(ProviderError) as limited:
        zoom.create_meeting(connection, booking())

    assert limited.value.retry and limited.value.retry_after == timedelta(seconds=30)
    assert fake_zoom.meetings == {}
    zoom.create_meeting(connection, booking())  # the retry, later
    assert len(fake_zoom.meetings) == 1


def test_a_server_error_is_retried(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    fake_zoom.fail_next(500)

    with pytest.raises(ProviderError) as failed:
        zoom.create_meeting(connection, booking())

    assert failed.value.retry and not failed.value.auth and failed.value.retry_after is None
    zoom.create_meeting(connection, booking())
    assert len(fake_zoom.meetings) == 1


def test_a_refused_request_is_final(fake_zoom, db):
    connection = connect_zoom(fake_zoom)
    fake_zoom.fail_next(400)

    with pytest.raises(ProviderError) as refused:
        zoom.create_meeting(connection, booking())

    assert not refused.value.retry and not refused.value.auth


# Disconnecting -----------------------------------------------------------------------------------


def test_disconnecting_revokes_the_app_at_zoom(fake_zoom, db):
    connection = connect_zoom(fake_zoom)

    zoom.revoke(connection)

    assert not fake_zoom.is_valid_refresh_token(connection.secret)
    [revoke] = [r for r in fake_zoom.requests if r.path == "/oauth/revoke"]
    assert revoke.method == "POST" and revoke.query["token"] == connection.access_token
    assert revoke.headers["authorization"] == expected_basic_auth()


def test_disconnecting_with_an_expired_access_token_revokes_by_the_refresh_token(fake_zoom, db):
    connection = connect_zoom(fake_zoom, access_expires_at=timezone.now() - timedelta(minutes=1))

    zoom.revoke(connection)

    assert not fake_zoom.is_valid_refresh_token(connection.secret)
    [revoke] = [r for r in fake_zoom.requests if r.path == "/oauth/revoke"]
    assert revoke.query["token"] == connection.secret


def test_a_failed_revoke_is_logged_not_raised(fake_zoom, db, caplog):
    connection = connect_zoom(fake_zoom)
    fake_zoom.revoke_all()  # already revoked at Zoom

    with caplog.at_level(logging.WARNING, logger="integrations.zoom.client"):
        zoom.revoke(connection)

    assert "Zoom refused to revoke" in caplog.text
