"""The Google Calendar client against the fake Google: connecting, tokens, calendars, writing
events, push channels, and failures that say whether a retry can help."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.fernet import Fernet

from integrations.calendars.provider import EventData, ProviderError
from integrations.google.client import GoogleCalendar
from integrations.models import CalendarConnection
from tests.integrations import fixtures_google
from tests.integrations.fake_google import ACCOUNT
from tests.integrations.fixtures_google import connect

# The fixtures, by name (bound here, not imported, so test parameters do not shadow an import).
fake_google = fixtures_google.fake_google
google_connection = fixtures_google.google_connection

BERLIN = ZoneInfo("Europe/Berlin")
REDIRECT = "https://book.example.com/integrations/google/callback"
google = GoogleCalendar()

# Every test here is about dates (event times, token expiry): on the frozen clock.
pytestmark = pytest.mark.usefixtures("frozen")


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def booking(**changes) -> EventData:
    fields = {
        "ical_uid": "booking-1@workestra.test",
        "title": "Intro call with Alice",
        "description": "Booked through Workestra",
        "start": datetime(2026, 12, 1, 9, tzinfo=BERLIN),
        "end": datetime(2026, 12, 1, 9, 30, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "organizer_email": ACCOUNT,
        "attendees": (("Alice Attendee", "alice@example.com"),),
    }
    return EventData(**{**fields, **changes})


# Connecting --------------------------------------------------------------------------------------


def test_connecting_trades_the_code_and_verifier_for_an_offline_grant(fake_google, db):
    verifier, challenge = pkce()
    url = google.authorization_url(state="st-1", code_challenge=challenge, redirect_uri=REDIRECT)
    asked = parse_qs(urlsplit(url).query)
    assert asked["access_type"] == ["offline"] and asked["prompt"] == ["consent"]
    assert asked["code_challenge_method"] == ["S256"]
    assert set(asked["scope"][0].split()) == {
        "openid",
        "email",
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.readonly",
    }

    consent = httpx.get(url)  # the host says yes; Google sends them back with a code
    back = parse_qs(urlsplit(consent.headers["location"]).query)
    assert consent.status_code == 302 and back["state"] == ["st-1"]

    grant = google.exchange_code(
        code=back["code"][0], code_verifier=verifier, redirect_uri=REDIRECT
    )

    assert grant.account == ACCOUNT
    assert grant.secret and grant.access_token
    assert grant.expires_at == datetime.now(UTC) + timedelta(seconds=3599)
    connection = connect(fake_google)
    connection.secret = grant.secret
    connection.access_token = grant.access_token
    assert [c.external_id for c in google.calendars(connection)] == [ACCOUNT]


def test_a_code_with_the_wrong_verifier_is_refused(fake_google, db):
    verifier, challenge = pkce()
    code = fake_google.issue_code(challenge, redirect_uri=REDIRECT)

    with pytest.raises(ProviderError) as failure:
        google.exchange_code(code=code, code_verifier=verifier + "x", redirect_uri=REDIRECT)

    assert not failure.value.retry
    with pytest.raises(ProviderError):  # and the code is spent
        google.exchange_code(code=code, code_verifier=verifier, redirect_uri=REDIRECT)


def test_without_an_id_token_the_account_is_the_primary_calendars_address(fake_google, db):
    fake_google.send_id_token = False
    verifier, challenge = pkce()
    code = fake_google.issue_code(challenge, redirect_uri=REDIRECT, email=ACCOUNT)

    grant = google.exchange_code(code=code, code_verifier=verifier, redirect_uri=REDIRECT)

    assert grant.account == ACCOUNT
    assert len(fake_google.api_requests("/calendarList/primary")) == 1


def test_a_grant_without_calendar_access_is_refused(fake_google, db):
    verifier, challenge = pkce()
    code = fake_google.issue_code(challenge, redirect_uri=REDIRECT, scopes="openid email")

    with pytest.raises(ProviderError) as failure:
        google.exchange_code(code=code, code_verifier=verifier, redirect_uri=REDIRECT)

    assert "Calendar access" in str(failure.value) and not failure.value.retry


# Tokens ------------------------------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_and_stored_encrypted(fake_google, db):
    connection = connect(fake_google, access_expires_at=datetime.now(UTC) - timedelta(minutes=1))
    old_token = connection.access_token

    google.calendars(connection)
    google.calendars(connection)

    stored = CalendarConnection.objects.get(pk=connection.pk)
    assert stored.access_token != old_token
    assert stored.access_token not in stored.access_token_encrypted
    assert stored.access_expires_at == datetime.now(UTC) + timedelta(seconds=3599)
    assert len(fake_google.token_requests("refresh_token")) == 1  # the second call reused it


def test_a_refresh_token_google_rotates_is_kept(fake_google, db):
    fake_google.rotate_refresh_tokens = True
    connection = connect(fake_google, access_expires_at=datetime.now(UTC) - timedelta(minutes=1))
    old_refresh = connection.secret

    google.calendars(connection)

    stored = CalendarConnection.objects.get(pk=connection.pk)
    assert stored.secret != old_refresh
    assert stored.secret not in stored.secret_encrypted
    fake_google.expire_access_tokens()
    assert google.calendars(stored)  # the new refresh token works


def test_a_token_google_stopped_accepting_is_refreshed_on_the_spot(fake_google, google_connection):
    old_token = google_connection.access_token
    fake_google.expire_access_tokens()

    assert google.calendars(google_connection)
    stored = CalendarConnection.objects.get(pk=google_connection.pk)
    assert stored.access_token != old_token
    assert len(fake_google.token_requests("refresh_token")) == 1


def test_after_the_host_revokes_access_the_connection_needs_reconnecting(
    fake_google, google_connection
):
    fake_google.revoke_all()

    with pytest.raises(ProviderError) as failure:
        google.calendars(google_connection)

    assert failure.value.auth and not failure.value.retry


def test_tokens_stored_under_a_dropped_key_need_reconnecting(
    fake_google, google_connection, settings
):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ProviderError) as failure:
        google.calendars(google_connection)

    assert failure.value.auth
    assert fake_google.calls == 0


def test_disconnecting_revokes_the_grant_at_google(fake_google, google_connection):
    google.revoke(google_connection)

    with pytest.raises(ProviderError) as failure:
        google.calendars(google_connection)
    assert failure.value.auth
    google.revoke(google_connection)  # revoking again is harmless


# Calendars ---------------------------------------------------------------------------------------


def test_calendars_lists_every_page_with_primary_and_writable(fake_google, google_connection):
    fake_google.page_size = 2
    fake_google.add_calendar("team@group.calendar.google.com", "Team", access_role="writer")
    fake_google.add_calendar("holidays@group.calendar.google.com", "Holidays", access_role="reader")

    found = {c.external_id: c for c in google.calendars(google_connection)}

    assert found[ACCOUNT].is_primary and found[ACCOUNT].writable
    assert found["team@group.calendar.google.com"].writable
    assert found["team@group.calendar.google.com"].name == "Team"
    assert not found["holidays@group.calendar.google.com"].writable
    assert not found["holidays@group.calendar.google.com"].is_primary
    assert fake_google.calls == 2


# Writing events ----------------------------------------------------------------------------------


def test_creating_an_event_with_a_meet_link_and_invitations(fake_google, google_connection):
    written = google.create_event(
        google_connection, ACCOUNT, booking(add_meeting=True, send_invites=True)
    )

    assert written.meeting_url.startswith("https://meet.google.com/")
    event = fake_google.event(written.external_id)
    assert event["iCalUID"] == "booking-1@workestra.test"
    assert event["summary"] == "Intro call with Alice"
    assert event["start"] == {"dateTime": "2026-12-01T09:00:00+01:00", "timeZone": "Europe/Berlin"}
    assert [a["email"] for a in event["attendees"]] == ["alice@example.com"]
    assert fake_google.updates_sent == [(written.external_id, "all")]


def test_without_invitations_google_emails_no_one(fake_google, google_connection):
    written = google.create_event(google_connection, ACCOUNT, booking())

    assert written.meeting_url == ""
    assert "hangoutLink" not in fake_google.event(written.external_id)
    assert fake_google.updates_sent == []


def test_a_create_retried_after_a_lost_answer_updates_the_same_event(
    fake_google, google_connection
):
    first = google.create_event(google_connection, ACCOUNT, booking(add_meeting=True))

    again = google.create_event(
        google_connection, ACCOUNT, booking(add_meeting=True, title="Intro call (retried)")
    )

    assert again == first  # same event, same Meet link
    (event,) = fake_google.events(ACCOUNT)
    assert event["summary"] == "Intro call (retried)"


def test_writing_a_booking_again_after_deleting_it_brings_the_event_back(
    fake_google, google_connection
):
    first = google.create_event(google_connection, ACCOUNT, booking())
    google.delete_event(google_connection, ACCOUNT, first.external_id, notify=False)

    again = google.create_event(google_connection, ACCOUNT, booking())

    assert again.external_id == first.external_id  # Google keeps a deleted event's iCalUID
    assert fake_google.event(first.external_id)["status"] == "confirmed"


def test_rescheduling_moves_the_event_and_keeps_its_meet_link(fake_google, google_connection):
    written = google.create_event(google_connection, ACCOUNT, booking(add_meeting=True))
    later = datetime(2026, 12, 2, 14, tzinfo=BERLIN)

    moved = google.update_event(
        google_connection,
        ACCOUNT,
        written.external_id,
        booking(add_meeting=True, start=later, end=later + timedelta(minutes=30)),
    )

    assert moved == written
    event = fake_google.event(written.external_id)
    assert event["start"]["dateTime"] == "2026-12-02T14:00:00+01:00"
    assert event["sequence"] == 1


def test_updating_an_event_that_no_longer_exists_is_final(fake_google, google_connection):
    with pytest.raises(ProviderError) as failure:
        google.update_event(google_connection, ACCOUNT, "nosuchevent", booking())

    assert not failure.value.retry and not failure.value.auth


def test_deleting_cancels_the_event_and_a_second_delete_is_fine(fake_google, google_connection):
    written = google.create_event(google_connection, ACCOUNT, booking())

    google.delete_event(google_connection, ACCOUNT, written.external_id, notify=True)
    google.delete_event(google_connection, ACCOUNT, written.external_id, notify=True)
    google.delete_event(google_connection, ACCOUNT, "neverexisted", notify=False)

    assert fake_google.event(written.external_id)["status"] == "cancelled"
    assert fake_google.updates_sent == [(written.external_id, "all")]


# Push channels -----------------------------------------------------------------------------------


def test_watching_a_calendar_and_stopping_the_channel(fake_google, google_connection):
    wanted = datetime.now(UTC) + timedelta(days=30)

    watch = google.watch(
        google_connection,
        ACCOUNT,
        address="https://book.example.com/integrations/google/push",
        watch_id="chan-1",
        secret="s3cret",
        expires_at=wanted,
    )

    assert watch.watch_id == "chan-1" and watch.resource_id
    assert watch.expires_at == datetime.now(UTC) + timedelta(days=7)  # Google's own limit
    assert fake_google.notification_headers("chan-1")["X-Goog-Channel-Token"] == "s3cret"

    google.stop_watch(google_connection, ACCOUNT, watch.watch_id, watch.resource_id)
    google.stop_watch(google_connection, ACCOUNT, watch.watch_id, watch.resource_id)
    assert fake_google.channels == {}


# Failures ----------------------------------------------------------------------------------------


def test_rate_limiting_is_retried_after_the_wait_google_names(fake_google, google_connection):
    fake_google.fail_next(429, retry_after=30)

    with pytest.raises(ProviderError) as failure:
        google.calendars(google_connection)

    assert failure.value.retry and not failure.value.auth
    assert failure.value.retry_after == timedelta(seconds=30)
    assert google.calendars(google_connection)  # the next try goes through

    fake_google.fail_next(403, reason="userRateLimitExceeded")  # Google's other way to say it
    with pytest.raises(ProviderError) as per_user:
        google.calendars(google_connection)
    assert per_user.value.retry and not per_user.value.auth


def test_a_token_without_calendar_permission_needs_reconnecting(fake_google, google_connection):
    fake_google.fail_next(403, reason="insufficientPermissions")

    with pytest.raises(ProviderError) as failure:
        google.calendars(google_connection)

    assert failure.value.auth


def test_a_server_error_can_be_retried_a_bad_request_cannot(fake_google, google_connection):
    fake_google.fail_next(503)
    with pytest.raises(ProviderError) as server_error:
        google.create_event(google_connection, ACCOUNT, booking())
    assert server_error.value.retry and server_error.value.retry_after is None

    with pytest.raises(ProviderError) as bad_request:
        google.create_event(
            google_connection, ACCOUNT, booking(end=datetime(2026, 12, 1, 8, tzinfo=BERLIN))
        )
    assert not bad_request.value.retry
    assert fake_google.events(ACCOUNT) == []
