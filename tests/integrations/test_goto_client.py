"""The GoTo Meeting provider against the fake GoTo sign-in and G2M API, over HTTP."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from integrations.calendars.provider import ProviderError
from integrations.conferencing.provider import MeetingData
from integrations.gotomeeting import client as goto
from integrations.models import CalendarConnection
from tests.integrations import fake_goto as fake_server
from tests.integrations import fixtures_goto
from workestra.lib import crypto

fake_goto_fixture = fixtures_goto.fake_goto_fixture
BERLIN = ZoneInfo("Europe/Berlin")
REDIRECT = "https://book.example.com/integrations/gotomeeting/callback"
VERIFIER = "a-long-random-verifier-" + "g" * 30
provider = goto.GoToMeetings()


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def meeting_data(**overrides) -> MeetingData:
    values: dict[str, Any] = {
        "topic": "Intro call with Ann Guest",
        "agenda": "Booked through Workestra.",
        "start": datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN),
        "end": datetime(2026, 11, 24, 10, 30, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "host_email": fake_server.ACCOUNT,
    }
    values.update(overrides)
    return MeetingData(**values)


@pytest.fixture
def connection(fake_goto, db) -> CalendarConnection:
    return fixtures_goto.connect_goto(fake_goto)


def test_authorization_url_asks_for_a_pkce_code(fake_goto):
    url = provider.authorization_url(
        state="s-1", code_challenge=challenge(VERIFIER), redirect_uri=REDIRECT
    )
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake_goto.base_url}/oauth/authorize"
    assert query["client_id"] == fake_server.CLIENT_ID
    assert query["code_challenge"] == challenge(VERIFIER)
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == REDIRECT
    assert provider.is_configured()


def test_exchange_gives_the_account_email_and_a_working_refresh_token(fake_goto):
    code = fake_goto.issue_code(challenge(VERIFIER), REDIRECT, email="pat@goto.example")

    grant = provider.exchange_code(code=code, code_verifier=VERIFIER, redirect_uri=REDIRECT)

    assert grant.account == "pat@goto.example"
    assert fake_goto.is_live(grant.secret)
    assert grant.access_token
    assert grant.expires_at is not None and grant.expires_at > timezone.now()


def test_exchange_with_the_wrong_verifier_is_refused(fake_goto):
    code = fake_goto.issue_code(challenge(VERIFIER), REDIRECT)

    with pytest.raises(ProviderError) as raised:
        provider.exchange_code(
            code=code, code_verifier="someone-elses-verifier", redirect_uri=REDIRECT
        )

    assert raised.value.auth
    assert fake_goto.token_requests("authorization_code")[0].body["code_verifier"] == (
        "someone-elses-verifier"
    )


def test_create_gives_join_url_and_dial_in(fake_goto, connection):
    meeting = provider.create_meeting(connection, meeting_data())

    stored = fake_goto.meetings[meeting.meeting_id]
    assert meeting.join_url == stored["joinURL"]
    assert meeting.dial_in == stored["conferenceCallInfo"]
    assert "Access Code" in meeting.dial_in
    assert stored["subject"] == "Intro call with Ann Guest"
    assert (stored["starttime"], stored["endtime"]) == (
        "2026-11-24T09:00:00Z",
        "2026-11-24T09:30:00Z",
    )
    assert stored["passwordrequired"] is False


def test_an_expired_access_token_is_refreshed_and_stored_encrypted(fake_goto, connection):
    old_token = connection.access_token
    connection.access_expires_at = timezone.now() - timedelta(minutes=5)
    connection.save()

    provider.create_meeting(connection, meeting_data())

    assert len(fake_goto.token_requests("refresh_token")) == 1
    connection.refresh_from_db()
    new_token = connection.access_token
    assert new_token and new_token != old_token
    assert new_token not in connection.access_token_encrypted
    assert crypto.decrypt(connection.access_token_encrypted) == new_token
    assert connection.access_expires_at > timezone.now()
    used = fake_goto.api_requests("POST")[0].headers["authorization"]
    assert used == f"Bearer {new_token}"


def test_update_moves_the_meeting_and_keeps_its_join_url(fake_goto, connection):
    created = provider.create_meeting(connection, meeting_data())
    later = meeting_data(
        start=datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        end=datetime(2026, 11, 25, 16, 0, tzinfo=UTC),
        topic="Intro call (moved)",
    )

    updated = provider.update_meeting(connection, created.meeting_id, later)

    stored = fake_goto.meetings[created.meeting_id]
    assert (stored["starttime"], stored["endtime"]) == (
        "2026-11-25T15:00:00Z",
        "2026-11-25T16:00:00Z",
    )
    assert stored["subject"] == "Intro call (moved)"
    assert updated == created


def test_delete_removes_the_meeting_and_a_gone_one_counts_as_deleted(fake_goto, connection):
    meeting = provider.create_meeting(connection, meeting_data())

    provider.delete_meeting(connection, meeting.meeting_id)
    provider.delete_meeting(connection, meeting.meeting_id)

    assert fake_goto.meetings == {}
    assert [r.method for r in fake_goto.api_requests("DELETE")] == ["DELETE", "DELETE"]


def test_a_revoked_account_needs_reconnecting(fake_goto, connection):
    fake_goto.revoke_all()

    with pytest.raises(ProviderError) as raised:
        provider.create_meeting(connection, meeting_data())

    assert raised.value.auth and not raised.value.retry
    assert fake_goto.meetings == {}


def test_rate_limit_says_when_to_retry(fake_goto, connection):
    fake_goto.fail_next(429, retry_after=30)

    with pytest.raises(ProviderError) as raised:
        provider.create_meeting(connection, meeting_data())

    assert raised.value.retry and not raised.value.auth
    assert raised.value.retry_after == timedelta(seconds=30)


def test_a_server_error_is_retried_later_and_the_retry_works(fake_goto, connection):
    fake_goto.fail_next(500)

    with pytest.raises(ProviderError) as raised:
        provider.create_meeting(connection, meeting_data())
    assert raised.value.retry

    meeting = provider.create_meeting(connection, meeting_data())
    assert list(fake_goto.meetings) == [meeting.meeting_id]


def test_a_refused_request_is_final(fake_goto, connection):
    with pytest.raises(ProviderError) as raised:
        provider.create_meeting(
            connection, meeting_data(end=datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN))
        )

    assert not raised.value.retry and not raised.value.auth
    assert "400" in str(raised.value)
    assert fake_goto.meetings == {}


def test_revoke_forgets_the_refresh_token(fake_goto, connection):
    refresh = connection.secret

    provider.revoke(connection)

    assert not fake_goto.is_live(refresh)
    assert [r.body["token"] for r in fake_goto.requests if r.path == "/oauth/revoke"] == [refresh]
    with pytest.raises(ProviderError) as raised:
        provider.create_meeting(connection, meeting_data())
    assert raised.value.auth


def test_revoke_failures_are_logged_not_raised(fake_goto, connection, settings, caplog):
    settings.GOTO_CLIENT_SECRET = "not-the-secret"

    with caplog.at_level(logging.WARNING, logger="integrations.gotomeeting.client"):
        provider.revoke(connection)

    assert fake_goto.is_live(connection.secret)
    assert "answered 401" in caplog.text


def test_a_conferencing_account_has_no_calendars(fake_goto, connection):
    assert provider.calendars(connection) == []
    assert fake_goto.requests == []
