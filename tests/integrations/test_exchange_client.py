"""The Exchange client against a fake EWS server that the real exchangelib talks to."""

from __future__ import annotations

import dataclasses
import socket
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.calendars import provider
from integrations.calendars.provider import EventData, ProviderError
from integrations.exchange.client import ExchangeCalendar
from tests.integrations import fake_ews as ews
from tests.integrations import fixtures_exchange

fake_ews = fixtures_exchange.fake_ews
exchange_connection = fixtures_exchange.exchange_connection

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
client = ExchangeCalendar()


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A Berlin wall-clock time, as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def sync(connection):
    return client.sync(connection, "calendar", token="", start=WINDOW[0], end=WINDOW[1])


def booking(**changes) -> EventData:
    data = EventData(
        ical_uid="booking-1@workestra",
        title="Intro call with Ann",
        description="Booked through Workestra.",
        start=at(25, 10),
        end=at(25, 10, 30),
        timezone="Europe/Berlin",
        organizer_email=ews.USERNAME,
        attendees=(("Ann Attendee", "ann@example.org"),),
        location="Room 4",
    )
    return dataclasses.replace(data, **changes)


def test_the_registry_offers_exchange_as_a_password_provider():
    offered = provider.get("exchange")

    assert isinstance(offered, ExchangeCalendar)
    assert (offered.label, offered.uses_oauth, offered.can_push) == (
        "Exchange (on-premises)",
        False,
        False,
    )


# --- Connecting -----------------------------------------------------------------------------------


def test_login_with_the_right_password_names_the_mailbox(fake_ews):
    grant = client.login(server_url=fake_ews.url, username=ews.USERNAME, password=ews.PASSWORD)

    assert grant.account == ews.USERNAME
    assert grant.secret == ews.PASSWORD


def test_login_with_a_domain_user_name_asks_the_server_for_the_address(fake_ews):
    grant = client.login(server_url=fake_ews.url, username=ews.LOGON, password=ews.PASSWORD)

    assert grant.account == ews.USERNAME


def test_a_wrong_password_asks_the_host_to_reconnect(fake_ews):
    with pytest.raises(ProviderError) as caught:
        client.login(server_url=fake_ews.url, username=ews.USERNAME, password="wrong")

    assert caught.value.auth
    assert not caught.value.retry
    assert "password" in str(caught.value)


def test_a_loopback_server_is_refused_unless_allowed(fake_ews, settings):
    settings.CALENDAR_ALLOW_LOOPBACK = False

    with pytest.raises(ProviderError) as caught:
        client.login(server_url=fake_ews.url, username=ews.USERNAME, password=ews.PASSWORD)

    assert not caught.value.retry
    assert "loopback" in str(caught.value)
    assert fake_ews.requests == []


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3/EWS/Exchange.asmx", "https://169.254.169.254/EWS/Exchange.asmx"]
)
def test_a_private_server_is_refused_even_when_loopback_is_allowed(fake_ews, url):
    with pytest.raises(ProviderError) as caught:
        client.login(server_url=url, username=ews.USERNAME, password=ews.PASSWORD)

    assert not caught.value.retry
    assert "Only public addresses" in str(caught.value)


def test_a_password_is_never_sent_over_plain_http_to_another_machine(fake_ews):
    with pytest.raises(ProviderError) as caught:
        client.login(
            server_url="http://93.184.215.14/EWS/Exchange.asmx",
            username=ews.USERNAME,
            password=ews.PASSWORD,
        )

    assert not caught.value.retry
    assert "https://" in str(caught.value)


def test_an_address_that_is_not_the_ews_one_is_explained(fake_ews):
    with pytest.raises(ProviderError) as caught:
        client.login(
            server_url=fake_ews.url.replace("/EWS/Exchange.asmx", "/owa/"),
            username=ews.USERNAME,
            password=ews.PASSWORD,
        )

    assert not caught.value.retry
    assert "HTTP 404" in str(caught.value)
    assert "/EWS/Exchange.asmx" in str(caught.value)


def test_the_default_calendar_is_offered(exchange_connection):
    [calendar] = client.calendars(exchange_connection)

    assert (calendar.external_id, calendar.name, calendar.is_primary) == (
        "calendar",
        "Calendar",
        True,
    )


# --- Reading --------------------------------------------------------------------------------------


def test_sync_follows_an_event_the_host_adds_moves_and_deletes(exchange_connection, fake_ews):
    dentist = fake_ews.add_event("Dentist", at(24, 9), at(24, 10))

    first = sync(exchange_connection)
    fake_ews.move_event(dentist.id, at(26, 14), at(26, 15))
    moved = sync(exchange_connection)
    fake_ews.delete_event(dentist.id)
    gone = sync(exchange_connection)

    assert first.full
    assert [(e.external_id, e.ical_uid, e.busy) for e in first.events] == [
        (dentist.id, dentist.uid, ((at(24, 9), at(24, 10)),))
    ]
    assert [(e.start, e.end) for e in moved.events] == [(at(26, 14), at(26, 15))]
    assert gone.full
    assert gone.events == []


def test_sync_counts_every_request_it_makes(exchange_connection, fake_ews):
    fake_ews.add_event("Dentist", at(24, 9), at(24, 10))
    fake_ews.add_event("Lunch", at(24, 12), at(24, 13))

    result = sync(exchange_connection)

    assert result.calls == len(fake_ews.requests)


def test_events_outside_the_window_are_left_out(exchange_connection, fake_ews):
    fake_ews.add_event("Next year", at(5, 9, year=2027, month=1), at(5, 10, year=2027, month=1))

    assert sync(exchange_connection).events == []


def test_a_free_event_does_not_block(exchange_connection, fake_ews):
    fake_ews.add_event("Working from home", at(24, 8), at(24, 17), free_busy="Free")
    fake_ews.add_event("Tentative", at(25, 8), at(25, 9), free_busy="Tentative")

    busy = [e.busy for e in sync(exchange_connection).events]

    assert busy == [(), ((at(25, 8), at(25, 9)),)]


def test_a_declined_invitation_does_not_block(exchange_connection, fake_ews):
    fake_ews.add_event("All-hands", at(24, 15), at(24, 16), my_response="Decline")
    fake_ews.add_event("Review", at(24, 16), at(24, 17), my_response="Accept")

    busy = [e.busy for e in sync(exchange_connection).events]

    assert busy == [(), ((at(24, 16), at(24, 17)),)]


def test_a_cancelled_meeting_is_reported_and_does_not_block(exchange_connection, fake_ews):
    fake_ews.add_event("Vendor call", at(24, 11), at(24, 12), cancelled=True)

    [event] = sync(exchange_connection).events

    assert event.cancelled
    assert event.busy == ()


def test_an_all_day_event_blocks_its_whole_day_in_its_zone(exchange_connection, fake_ews):
    fake_ews.add_event("Offsite", at(27, 0), at(28, 0), all_day=True, zone="Europe/Berlin")

    [event] = sync(exchange_connection).events

    assert event.busy == (
        (datetime(2026, 11, 26, 23, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)),
    )


def test_a_weekly_series_stays_at_ten_in_berlin_across_the_dst_change(
    exchange_connection, fake_ews
):
    series = fake_ews.add_event(
        "Team sync",
        at(22, 10, month=3, year=2027),
        at(22, 10, 30, month=3, year=2027),
        weekly_count=3,
        zone="Europe/Berlin",
    )

    result = client.sync(
        exchange_connection,
        "calendar",
        token="",
        start=datetime(2027, 3, 20, tzinfo=UTC),
        end=datetime(2027, 4, 10, tzinfo=UTC),
    )

    [event] = result.events
    assert event.ical_uid == series.uid
    assert [start.astimezone(UTC).hour for start, _ in event.busy] == [9, 8, 8]
    assert [(s.astimezone(BERLIN).time().hour, e - s) for s, e in event.busy] == [
        (10, timedelta(minutes=30))
    ] * 3


# --- Incremental sync -----------------------------------------------------------------------------


def changes_since(connection, token, window=WINDOW):
    return client.sync(connection, "calendar", token=token, start=window[0], end=window[1])


def test_a_full_sync_hands_out_a_token_for_the_next_poll(exchange_connection, fake_ews):
    fake_ews.add_event("Dentist", at(24, 9), at(24, 10))

    first = sync(exchange_connection)
    nothing_new = changes_since(exchange_connection, first.token)

    assert first.full
    assert first.token
    assert not nothing_new.full
    assert nothing_new.events == []
    assert nothing_new.token


def test_the_next_poll_reports_only_what_the_host_changed(exchange_connection, fake_ews):
    for day in (24, 25, 26):
        fake_ews.add_event("Standing", at(day, 8), at(day, 9))
    dentist = fake_ews.add_event("Dentist", at(24, 9), at(24, 10))
    full = sync(exchange_connection)

    lunch = fake_ews.add_event("Lunch", at(25, 12), at(25, 13))
    added = changes_since(exchange_connection, full.token)
    fake_ews.move_event(dentist.id, at(26, 14), at(26, 15))
    moved = changes_since(exchange_connection, added.token)
    fake_ews.delete_event(lunch.id)
    deleted = changes_since(exchange_connection, moved.token)

    assert [(e.external_id, e.busy) for e in added.events] == [
        (lunch.id, ((at(25, 12), at(25, 13)),))
    ]
    assert [(e.external_id, e.start, e.busy) for e in moved.events] == [
        (dentist.id, at(26, 14), ((at(26, 14), at(26, 15)),))
    ]
    assert [(e.external_id, e.cancelled) for e in deleted.events] == [(lunch.id, True)]
    assert max(added.calls, moved.calls, deleted.calls) < full.calls


def test_a_poll_counts_every_request_it_makes(exchange_connection, fake_ews):
    full = sync(exchange_connection)
    fake_ews.add_event("Lunch", at(25, 12), at(25, 13))
    fake_ews.add_event("Series", at(24, 9), at(24, 10), weekly_count=2)
    before = len(fake_ews.requests)

    result = changes_since(exchange_connection, full.token)

    assert result.calls == len(fake_ews.requests) - before


def test_an_event_moved_out_of_the_window_no_longer_blocks(exchange_connection, fake_ews):
    dentist = fake_ews.add_event("Dentist", at(24, 9), at(24, 10))
    full = sync(exchange_connection)
    later = at(5, 9, month=1, year=2027), at(5, 10, month=1, year=2027)
    fake_ews.move_event(dentist.id, *later)

    [event] = changes_since(exchange_connection, full.token).events

    assert (event.external_id, event.busy, (event.start, event.end)) == (dentist.id, (), later)


def test_our_own_event_comes_back_in_the_next_poll(exchange_connection, fake_ews):
    full = sync(exchange_connection)

    written = client.create_event(exchange_connection, "calendar", booking())
    [event] = changes_since(exchange_connection, full.token).events

    assert (event.external_id, event.ical_uid) == (written.external_id, "booking-1@workestra")
    assert (event.start, event.end) == (at(25, 10), at(25, 10, 30))


DST_WINDOW = (datetime(2027, 3, 20, tzinfo=UTC), datetime(2027, 4, 10, tzinfo=UTC))


def test_a_series_added_comes_as_one_event_with_its_occurrences_in_the_window(
    exchange_connection, fake_ews
):
    fake_ews.add_event("Dentist", at(24, 9, month=3, year=2027), at(24, 10, month=3, year=2027))
    full = changes_since(exchange_connection, "", DST_WINDOW)
    series = fake_ews.add_event(
        "Team sync",
        at(15, 10, month=3, year=2027),
        at(15, 10, 30, month=3, year=2027),
        weekly_count=6,
        zone="Europe/Berlin",
    )

    [event] = changes_since(exchange_connection, full.token, DST_WINDOW).events

    assert (event.external_id, event.ical_uid, event.cancelled) == (series.uid, series.uid, False)
    assert [s.astimezone(BERLIN).date().isoformat() for s, _ in event.busy] == [
        "2027-03-22",
        "2027-03-29",
        "2027-04-05",
    ]
    assert [start.astimezone(UTC).hour for start, _ in event.busy] == [9, 8, 8]
    assert {(s.astimezone(BERLIN).hour, e - s) for s, e in event.busy} == {
        (10, timedelta(minutes=30))
    }


def test_a_series_the_host_moves_replaces_the_rows_the_full_listing_keyed(
    exchange_connection, fake_ews
):
    series = fake_ews.add_event(
        "Team sync",
        at(22, 10, month=3, year=2027),
        at(22, 10, 30, month=3, year=2027),
        weekly_count=3,
        zone="Europe/Berlin",
    )
    full = changes_since(exchange_connection, "", DST_WINDOW)
    fake_ews.move_event(series.id, at(23, 15, month=3, year=2027), at(23, 16, month=3, year=2027))

    [event] = changes_since(exchange_connection, full.token, DST_WINDOW).events

    assert [e.external_id for e in full.events] == [event.external_id]
    assert [(s.astimezone(BERLIN).day, s.astimezone(BERLIN).hour) for s, _ in event.busy] == [
        (23, 15),
        (30, 15),
        (6, 15),
    ]


def test_a_series_the_host_deletes_is_cancelled_under_its_uid(exchange_connection, fake_ews):
    series = fake_ews.add_event("Team sync", at(24, 10), at(24, 11), weekly_count=2)
    full = sync(exchange_connection)
    fake_ews.delete_event(series.id)

    [event] = changes_since(exchange_connection, full.token).events

    assert (event.external_id, event.cancelled) == (series.uid, True)


def test_a_series_added_since_the_full_sync_can_be_deleted_too(exchange_connection, fake_ews):
    full = sync(exchange_connection)
    series = fake_ews.add_event("Team sync", at(24, 10), at(24, 11), weekly_count=2)
    added = changes_since(exchange_connection, full.token)
    fake_ews.delete_event(series.id)

    [event] = changes_since(exchange_connection, added.token).events

    assert (event.external_id, event.cancelled) == (series.uid, True)


def test_changes_are_read_in_pages_until_the_server_has_said_all(
    exchange_connection, fake_ews, monkeypatch
):
    monkeypatch.setattr("integrations.exchange.client.SYNC_BATCH", 2)
    for day in (24, 25, 26, 27, 28):
        fake_ews.add_event("Standing", at(day, 8), at(day, 9))
    full = sync(exchange_connection)
    added = [fake_ews.add_event("New", at(day, 12), at(day, 13)) for day in (24, 25, 26)]
    before = len(fake_ews.requests)

    changes = changes_since(exchange_connection, full.token)
    again = changes_since(exchange_connection, changes.token)

    assert full.calls == before
    assert sorted(e.external_id for e in changes.events) == sorted(i.id for i in added)
    assert changes.calls == len(fake_ews.requests) - before - again.calls
    assert changes.calls == 3  # two pages of changes, then their fields at once
    assert again.events == []


@pytest.mark.parametrize("token", ["unknown", '{"state": "AAMkCalendar/999", "series": {}}'])
def test_a_sync_state_the_server_does_not_know_asks_for_a_full_read(
    exchange_connection, fake_ews, token
):
    with pytest.raises(ProviderError) as caught:
        changes_since(exchange_connection, token)

    assert caught.value.gone


def test_busy_gives_the_blocked_ranges_inside_the_window(exchange_connection, fake_ews):
    fake_ews.add_event("Long meeting", at(24, 9), at(24, 12))
    fake_ews.add_event("Free", at(24, 13), at(24, 14), free_busy="Free")
    fake_ews.add_event("Later", at(24, 15), at(24, 16))

    ranges = client.busy(
        exchange_connection, ["calendar"], start=at(24, 10), end=at(24, 17), timeout=5
    )

    assert ranges == [(at(24, 10), at(24, 12)), (at(24, 15), at(24, 16))]


# --- Writing --------------------------------------------------------------------------------------


def test_create_with_invitations_invites_the_attendees(exchange_connection, fake_ews):
    written = client.create_event(exchange_connection, "calendar", booking(send_invites=True))

    item = fake_ews.items[written.external_id]
    assert (item.subject, item.start, item.end) == (
        "Intro call with Ann",
        at(25, 10),
        at(25, 10, 30),
    )
    assert item.uid == "booking-1@workestra"
    assert item.location == "Room 4"
    assert item.attendees == ("ann@example.org",)
    assert item.invitations == "SendToAllAndSaveCopy"


def test_create_without_invitations_names_the_attendees_in_the_body(exchange_connection, fake_ews):
    written = client.create_event(exchange_connection, "calendar", booking())

    item = fake_ews.items[written.external_id]
    assert item.attendees == ()
    assert item.invitations == "SendToNone"
    assert "Ann Attendee <ann@example.org>" in item.body
    assert "Booked through Workestra." in item.body


def test_our_event_shows_up_in_the_sync_with_its_uid(exchange_connection, fake_ews):
    written = client.create_event(exchange_connection, "calendar", booking())

    [event] = sync(exchange_connection).events

    assert (event.external_id, event.ical_uid) == (written.external_id, "booking-1@workestra")
    assert (event.start, event.end) == (at(25, 10), at(25, 10, 30))


def test_update_moves_our_event_even_after_the_host_touched_it(exchange_connection, fake_ews):
    written = client.create_event(exchange_connection, "calendar", booking())
    fake_ews.move_event(written.external_id, at(25, 12), at(25, 12, 30))  # a new change key

    updated = client.update_event(
        exchange_connection,
        "calendar",
        written.external_id,
        booking(start=at(26, 9), end=at(26, 9, 30), title="Rescheduled", location=""),
    )

    item = fake_ews.items[updated.external_id]
    assert updated.external_id == written.external_id
    assert (item.subject, item.start, item.end) == ("Rescheduled", at(26, 9), at(26, 9, 30))
    assert item.location == ""


def test_updating_an_event_the_host_deleted_is_final(exchange_connection, fake_ews):
    written = client.create_event(exchange_connection, "calendar", booking())
    fake_ews.delete_event(written.external_id)

    with pytest.raises(ProviderError) as caught:
        client.update_event(exchange_connection, "calendar", written.external_id, booking())

    assert not caught.value.retry


@pytest.mark.parametrize(
    ("notify", "sent"), [(True, "SendToAllAndSaveCopy"), (False, "SendToNone")]
)
def test_delete_removes_our_event(exchange_connection, fake_ews, notify, sent):
    written = client.create_event(exchange_connection, "calendar", booking(send_invites=True))

    client.delete_event(exchange_connection, "calendar", written.external_id, notify=notify)

    assert written.external_id not in fake_ews.items
    assert fake_ews.cancellations == [(written.external_id, sent)]


def test_deleting_an_event_that_is_already_gone_succeeds(exchange_connection, fake_ews):
    written = client.create_event(exchange_connection, "calendar", booking())
    fake_ews.delete_event(written.external_id)

    client.delete_event(exchange_connection, "calendar", written.external_id, notify=False)

    assert fake_ews.items == {}


# --- Failures -------------------------------------------------------------------------------------


def test_a_busy_server_is_retried_after_the_wait_it_asks_for(exchange_connection, fake_ews):
    fake_ews.fail_next("busy", back_off_ms=2500)

    with pytest.raises(ProviderError) as caught:
        sync(exchange_connection)

    assert caught.value.retry
    assert not caught.value.auth
    assert caught.value.retry_after == timedelta(seconds=2.5)
    assert sync(exchange_connection).full  # the next attempt goes through


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_server_error_page_is_retried(exchange_connection, fake_ews, status):
    fake_ews.fail_next(status)

    with pytest.raises(ProviderError) as caught:
        client.create_event(exchange_connection, "calendar", booking())

    assert caught.value.retry
    assert caught.value.retry_after is None
    assert f"HTTP {status}" in str(caught.value)


def test_busy_gives_up_after_its_timeout(exchange_connection, fake_ews):
    fake_ews.delay_next(3)
    started = time.monotonic()

    with pytest.raises(ProviderError) as caught:
        client.busy(exchange_connection, ["calendar"], start=at(24, 9), end=at(24, 17), timeout=0.5)

    assert caught.value.retry
    assert time.monotonic() - started < 2.5


def test_a_server_that_is_not_there_is_retried_later(exchange_connection):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    exchange_connection.server_url = f"http://127.0.0.1:{port}/EWS/Exchange.asmx"

    with pytest.raises(ProviderError) as caught:
        sync(exchange_connection)

    assert caught.value.retry


def test_a_password_changed_since_connecting_breaks_the_connection(exchange_connection):
    exchange_connection.secret = "changed in the meantime"

    with pytest.raises(ProviderError) as caught:
        sync(exchange_connection)

    assert caught.value.auth


# --- More calendars -------------------------------------------------------------------------------


def test_calendars_inside_the_default_one_are_offered_too(exchange_connection, fake_ews):
    team = fake_ews.add_calendar("Team rota")

    calendars = client.calendars(exchange_connection)

    assert [(c.external_id, c.name, c.is_primary) for c in calendars] == [
        ("calendar", "Calendar", True),
        (team, "Team rota", False),
    ]


def test_each_calendar_syncs_its_own_events(exchange_connection, fake_ews):
    team = fake_ews.add_calendar("Team rota")
    fake_ews.add_event("On call", at(24, 9), at(24, 17), folder=team)
    fake_ews.add_event("Dentist", at(25, 9), at(25, 10))

    in_team = client.sync(exchange_connection, team, token="", start=WINDOW[0], end=WINDOW[1])
    in_default = sync(exchange_connection)

    assert [e.busy for e in in_team.events] == [((at(24, 9), at(24, 17)),)]
    assert [e.busy for e in in_default.events] == [((at(25, 9), at(25, 10)),)]
    assert in_team.calls + in_default.calls == len(fake_ews.requests)


def test_busy_reads_every_calendar_asked_for(exchange_connection, fake_ews):
    team = fake_ews.add_calendar("Team rota")
    fake_ews.add_event("On call", at(24, 14), at(24, 15), folder=team)
    fake_ews.add_event("Dentist", at(24, 9), at(24, 10))

    ranges = client.busy(
        exchange_connection, ["calendar", team], start=at(24, 8), end=at(24, 18), timeout=5
    )

    assert ranges == [(at(24, 9), at(24, 10)), (at(24, 14), at(24, 15))]


def test_our_event_goes_into_the_calendar_chosen(exchange_connection, fake_ews):
    team = fake_ews.add_calendar("Team rota")

    written = client.create_event(exchange_connection, team, booking())

    assert fake_ews.items[written.external_id].folder == team
    assert sync(exchange_connection).events == []


def test_a_calendar_deleted_on_the_server_is_a_final_error(exchange_connection):
    with pytest.raises(ProviderError) as caught:
        client.sync(exchange_connection, "AAMkGone", token="", start=WINDOW[0], end=WINDOW[1])

    assert not caught.value.retry
