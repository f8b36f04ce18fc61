"""The Microsoft 365 provider against the fake identity platform and Graph, over HTTPS, with the
real msal doing the sign-in side."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from integrations.calendars.provider import EventData, ProviderError
from integrations.microsoft import client as microsoft
from integrations.models import CalendarConnection
from tests.integrations import fake_microsoft as fake_server
from tests.integrations.fixtures_microsoft import (  # noqa: F401
    connect_microsoft,
    fake_microsoft_fixture,
)

BERLIN = ZoneInfo("Europe/Berlin")
REDIRECT = "https://book.example.com/integrations/microsoft/callback"
VERIFIER = "a-long-random-verifier-" + "x" * 30
WINDOW = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 12, 23, tzinfo=UTC))
provider = microsoft.MicrosoftCalendar()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def sync(connection: CalendarConnection, fake, token: str = "", window=WINDOW):
    return provider.sync(
        connection, fake.calendar_of(), token=token, start=window[0], end=window[1]
    )


def booking(**overrides) -> EventData:
    values = {
        "ical_uid": "booking-42@workestra",
        "title": "Intro call",
        "description": "Booked through Workestra.",
        "start": at(24, 9),
        "end": at(24, 9, 30),
        "timezone": "Europe/Berlin",
        "organizer_email": fake_server.DEFAULT_ACCOUNT,
        "attendees": (("Ann Guest", "ann@guest.test"),),
        "location": "",
        "add_meeting": False,
        "send_invites": True,
    }
    values.update(overrides)
    return EventData(**values)


@pytest.fixture
def connection(fake_microsoft, db) -> CalendarConnection:
    return connect_microsoft(fake_microsoft)


# -- sign-in ---------------------------------------------------------------------------------


def test_sign_in_with_pkce_gives_the_account_and_tokens(fake_microsoft):
    url = provider.authorization_url(
        state="st4te", code_challenge=fake_server.s256(VERIFIER), redirect_uri=REDIRECT
    )
    with httpx.Client(verify=microsoft._verify()) as http:
        redirect = http.get(url)
    assert redirect.status_code == 302
    back = httpx.URL(redirect.headers["Location"])
    assert str(back).startswith(REDIRECT) and back.params["state"] == "st4te"

    grant = provider.exchange_code(
        code=back.params["code"], code_verifier=VERIFIER, redirect_uri=REDIRECT
    )

    assert grant.account == "host@contoso.test"
    assert grant.secret in fake_microsoft.refresh_tokens
    assert grant.access_token in fake_microsoft.access_tokens
    assert "Calendars.ReadWrite" in grant.scopes


def test_a_code_with_the_wrong_verifier_is_refused(fake_microsoft):
    code = fake_microsoft.issue_code(fake_server.s256(VERIFIER), redirect_uri=REDIRECT)

    with pytest.raises(ProviderError) as refused:
        provider.exchange_code(code=code, code_verifier="not-the-verifier", redirect_uri=REDIRECT)

    assert "Code_Verifier" in str(refused.value)
    assert not fake_microsoft.refresh_tokens


@pytest.mark.parametrize("how", ["expired here", "ended by Microsoft"])
def test_refresh_stores_the_rotated_tokens_encrypted(fake_microsoft, connection, how):
    old_refresh = connection.secret
    if how == "expired here":
        connection.store_access_token(connection.access_token, microsoft.timezone.now())
    else:
        fake_microsoft.expire_access_tokens()

    assert [c.name for c in provider.calendars(connection)] == ["Calendar", "Holidays"]

    stored = CalendarConnection.objects.get(pk=connection.pk)
    assert stored.secret != old_refresh and stored.secret in fake_microsoft.refresh_tokens
    assert old_refresh not in fake_microsoft.refresh_tokens
    assert stored.access_token in fake_microsoft.access_tokens
    assert stored.secret not in stored.secret_encrypted
    assert stored.access_token not in stored.access_token_encrypted


def test_a_revoked_connection_needs_reconnecting(fake_microsoft, connection):
    fake_microsoft.revoke_all()

    with pytest.raises(ProviderError) as failed:
        provider.calendars(connection)

    assert failed.value.auth and not failed.value.retry


# -- reading ---------------------------------------------------------------------------------


def test_calendars_say_which_is_primary_and_writable(fake_microsoft, connection):
    calendars = {c.name: c for c in provider.calendars(connection)}

    assert calendars["Calendar"].is_primary and calendars["Calendar"].writable
    assert not calendars["Holidays"].is_primary and not calendars["Holidays"].writable
    assert calendars["Calendar"].external_id == fake_microsoft.calendar_of()


def test_full_sync_then_only_the_change(fake_microsoft, connection, monkeypatch):
    monkeypatch.setattr(microsoft, "PAGE_SIZE", 2)
    ids = [fake_microsoft.add_event(f"Meeting {n}", at(24, 8 + n), at(24, 9 + n)) for n in range(3)]
    fake_microsoft.add_event(
        "Next year", datetime(2027, 2, 1, 9, tzinfo=UTC), datetime(2027, 2, 1, 10, tzinfo=UTC)
    )

    full = sync(connection, fake_microsoft)

    assert full.full and full.calls == 2
    assert {e.external_id: e.busy for e in full.events} == {
        ids[n]: ((at(24, 8 + n), at(24, 9 + n)),) for n in range(3)
    }

    fake_microsoft.move_event(ids[1], at(25, 14), at(25, 15))
    changes = sync(connection, fake_microsoft, full.token)

    assert not changes.full and changes.calls == 1
    assert [(e.external_id, e.start, e.end) for e in changes.events] == [
        (ids[1], at(25, 14), at(25, 15))
    ]

    fake_microsoft.delete_event(ids[0])
    gone = sync(connection, fake_microsoft, changes.token)

    assert [(e.external_id, e.cancelled, e.busy) for e in gone.events] == [(ids[0], True, ())]


def test_an_expired_sync_token_starts_over(fake_microsoft, connection):
    token = sync(connection, fake_microsoft).token
    fake_microsoft.expire_sync_tokens()

    with pytest.raises(ProviderError) as expired:
        sync(connection, fake_microsoft, token)

    assert expired.value.gone


@pytest.mark.parametrize(
    ("fields", "busy"),
    [
        ({"show_as": "busy"}, True),
        ({"show_as": "tentative"}, True),
        ({"show_as": "oof"}, True),
        ({"show_as": "free"}, False),
        ({"show_as": "workingElsewhere"}, False),
        ({"response": "declined"}, False),
        ({"response": "accepted"}, True),
        ({"is_cancelled": True}, False),
    ],
)
def test_what_blocks_time(fake_microsoft, connection, fields, busy):
    event_id = fake_microsoft.add_event("Something", at(24, 10), at(24, 11), **fields)
    expected = ((at(24, 10), at(24, 11)),) if busy else ()

    [event] = sync(connection, fake_microsoft).events
    ranges = provider.busy(
        connection, [fake_microsoft.calendar_of()], start=WINDOW[0], end=WINDOW[1], timeout=5
    )

    assert (event.external_id, event.busy) == (event_id, expected)
    assert ranges == list(expected)


def test_an_all_day_event_blocks_the_hosts_whole_day(fake_microsoft, connection):
    fake_microsoft.add_event(
        "Offsite",
        datetime(2026, 11, 25),
        datetime(2026, 11, 27),
        tz="Europe/Berlin",
        all_day=True,
    )
    day = (datetime(2026, 11, 25, tzinfo=BERLIN), datetime(2026, 11, 27, tzinfo=BERLIN))

    [event] = sync(connection, fake_microsoft).events
    ranges = provider.busy(
        connection, [fake_microsoft.calendar_of()], start=WINDOW[0], end=WINDOW[1], timeout=5
    )

    assert event.busy == (day,) and ranges == [day]


def test_a_weekly_series_keeps_its_local_time_across_the_dst_change(fake_microsoft, connection):
    fake_microsoft.add_event(
        "Team sync",
        datetime(2027, 3, 22, 10),
        datetime(2027, 3, 22, 11),
        tz="Europe/Berlin",
        weekly=3,
    )
    window = (datetime(2027, 3, 20, tzinfo=UTC), datetime(2027, 4, 20, tzinfo=UTC))

    events = sync(connection, fake_microsoft, window=window).events

    starts = [e.busy[0][0] for e in events]
    assert [s.astimezone(BERLIN).strftime("%m-%d %H:%M") for s in starts] == [
        "03-22 10:00",
        "03-29 10:00",
        "04-05 10:00",
    ]
    assert [s.hour for s in starts] == [9, 8, 8]  # UTC: CET, then CEST


def test_busy_reads_every_calendar_asked_for(fake_microsoft, connection):
    fake_microsoft.add_event("Main", at(24, 9), at(24, 10))
    holidays = fake_microsoft.calendar_of(default=False)
    fake_microsoft.add_event("Holiday", at(25, 0), at(26, 0), calendar_id=holidays)

    ranges = provider.busy(
        connection,
        [fake_microsoft.calendar_of(), holidays],
        start=WINDOW[0],
        end=WINDOW[1],
        timeout=5,
    )

    assert ranges == [(at(24, 9), at(24, 10)), (at(25, 0), at(26, 0))]


def test_busy_gives_up_within_its_time_budget(fake_microsoft, connection):
    fake_microsoft.delay_next(2.0)
    began = time.monotonic()

    with pytest.raises(ProviderError) as slow:
        provider.busy(
            connection,
            [fake_microsoft.calendar_of()],
            start=WINDOW[0],
            end=WINDOW[1],
            timeout=0.3,
        )

    assert slow.value.retry and time.monotonic() - began < 1.5


def test_a_refresh_counts_against_the_busy_budget(fake_microsoft, connection):
    connection.store_access_token(connection.access_token, microsoft.timezone.now())
    fake_microsoft.delay_next(2.0, token=True)
    began = time.monotonic()

    with pytest.raises(ProviderError) as slow:
        provider.busy(
            connection,
            [fake_microsoft.calendar_of()],
            start=WINDOW[0],
            end=WINDOW[1],
            timeout=0.3,
        )

    assert slow.value.retry and time.monotonic() - began < 1.5


# -- writing ---------------------------------------------------------------------------------


def test_create_with_a_teams_link_invites_the_attendees(fake_microsoft, connection):
    written = provider.create_event(
        connection, fake_microsoft.calendar_of(), booking(add_meeting=True)
    )

    event = fake_microsoft.events[written.external_id]
    assert written.meeting_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert (event.start, event.tz) == (datetime(2026, 11, 24, 10), "Europe/Berlin")
    assert [a["emailAddress"]["address"] for a in event.attendees] == ["ann@guest.test"]


def test_create_is_idempotent_and_lists_attendees_when_not_inviting(fake_microsoft, connection):
    data = booking(send_invites=False)
    first = provider.create_event(connection, fake_microsoft.calendar_of(), data)
    again = provider.create_event(connection, fake_microsoft.calendar_of(), data)

    event = fake_microsoft.events[first.external_id]
    assert again.external_id == first.external_id and len(fake_microsoft.events) == 1
    assert event.attendees == [] and "Ann Guest <ann@guest.test>" in event.body
    assert first.meeting_url == ""


def test_update_moves_the_event(fake_microsoft, connection):
    written = provider.create_event(connection, fake_microsoft.calendar_of(), booking())

    updated = provider.update_event(
        connection,
        fake_microsoft.calendar_of(),
        written.external_id,
        booking(start=at(26, 13), end=at(26, 14), title="Intro call (moved)"),
    )

    event = fake_microsoft.events[written.external_id]
    assert updated.external_id == written.external_id
    assert (event.subject, event.start, event.end) == (
        "Intro call (moved)",
        datetime(2026, 11, 26, 14),
        datetime(2026, 11, 26, 15),
    )


def test_delete_and_delete_again(fake_microsoft, connection):
    written = provider.create_event(connection, fake_microsoft.calendar_of(), booking())

    provider.delete_event(connection, "", written.external_id, notify=False)
    provider.delete_event(connection, "", written.external_id, notify=False)

    assert written.external_id not in fake_microsoft.events
    assert not fake_microsoft.cancelled


def test_delete_with_notice_cancels_the_meeting(fake_microsoft, connection):
    written = provider.create_event(connection, fake_microsoft.calendar_of(), booking())

    provider.delete_event(connection, "", written.external_id, notify=True)

    assert written.external_id not in fake_microsoft.events
    assert fake_microsoft.cancelled[written.external_id]


# -- push ------------------------------------------------------------------------------------


def test_subscribe_and_unsubscribe(fake_microsoft, connection, frozen):
    calendar_id = fake_microsoft.calendar_of()
    watch = provider.watch(
        connection,
        calendar_id,
        address="https://book.example.com/integrations/microsoft/notify",
        watch_id="ignored",
        secret="client-state-secret",
        expires_at=datetime(2026, 12, 30, tzinfo=UTC),
    )

    assert watch.watch_id in fake_microsoft.subscriptions
    assert watch.resource_id == f"/me/calendars/{calendar_id}/events"
    # Asked for a month; Graph allows 4230 minutes from now (07:00 on the 23rd).
    assert watch.expires_at == datetime(2026, 11, 26, 5, 29, tzinfo=UTC)
    note = fake_microsoft.notify(watch.watch_id, "deleted", "AAMkEv1")["value"][0]
    assert (note["subscriptionId"], note["clientState"]) == (watch.watch_id, "client-state-secret")

    provider.stop_watch(connection, calendar_id, watch.watch_id, watch.resource_id)
    provider.stop_watch(connection, calendar_id, watch.watch_id, watch.resource_id)

    assert watch.watch_id not in fake_microsoft.subscriptions


def _watch_with(fake, connection, answer):
    """Subscribe while the notification endpoint answers Graph's check with ``answer``."""
    asked: list[str] = []

    def endpoint(url: str, token: str) -> str:
        asked.append(url)
        return answer(token)

    fake.validation_handler = endpoint
    address = "https://book.example.com/integrations/microsoft/notify"
    try:
        return provider.watch(
            connection,
            fake.calendar_of(),
            address=address,
            watch_id="",
            secret="s",
            expires_at=microsoft.timezone.now() + timedelta(days=1),
        )
    finally:
        assert asked == [address]


def test_graph_subscribes_an_address_that_echoes_its_check(fake_microsoft, connection):
    watch = _watch_with(fake_microsoft, connection, lambda token: token)

    assert list(fake_microsoft.subscriptions) == [watch.watch_id]


def test_an_address_that_fails_the_check_is_not_subscribed(fake_microsoft, connection):
    with pytest.raises(ProviderError) as refused:
        _watch_with(fake_microsoft, connection, lambda token: "not the token")

    assert not refused.value.retry and not fake_microsoft.subscriptions


# -- failures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retry_after", "retry", "wait"),
    [
        (429, 30, True, timedelta(seconds=30)),
        (503, None, True, None),
        (500, None, True, None),
        (400, None, False, None),
        (403, None, False, None),
    ],
)
def test_failures_say_whether_to_retry(
    fake_microsoft, connection, status, retry_after, retry, wait
):
    fake_microsoft.fail_next(status, retry_after=retry_after)

    with pytest.raises(ProviderError) as failed:
        provider.calendars(connection)

    assert (failed.value.retry, failed.value.retry_after, failed.value.auth) == (retry, wait, False)
    assert [c.name for c in provider.calendars(connection)] == ["Calendar", "Holidays"]
