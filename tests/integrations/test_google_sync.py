"""Reading a host's Google Calendar: full and incremental sync, what counts as busy, free/busy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.calendars.provider import ProviderError
from integrations.google.client import GoogleCalendar
from tests.integrations import fixtures_google
from tests.integrations.fake_google import ACCOUNT

# The fixtures, by name (bound here, not imported, so test parameters do not shadow an import).
fake_google = fixtures_google.fake_google
google_connection = fixtures_google.google_connection

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, tzinfo=UTC)
END = datetime(2027, 1, 23, tzinfo=UTC)
google = GoogleCalendar()

# Every test here is about dates (event times, token expiry): on the frozen clock.
pytestmark = pytest.mark.usefixtures("frozen")


def at(day: int, hour: int, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BERLIN)


def full_sync(connection, calendar_id=ACCOUNT, start=START, end=END):
    return google.sync(connection, calendar_id, token="", start=start, end=end)


def by_id(result):
    return {event.external_id: event for event in result.events}


def test_full_sync_lists_the_window_then_a_token_brings_only_the_change(
    fake_google, google_connection
):
    fake_google.page_size = 2
    kept = fake_google.add_event(ACCOUNT, at(1, 9), at(1, 10), summary="Dentist")
    moved = fake_google.add_event(ACCOUNT, at(2, 9), at(2, 10))
    fake_google.add_event(ACCOUNT, at(3, 9), at(3, 10))
    fake_google.add_event(ACCOUNT, at(1, 9, year=2027, month=3), at(1, 10, year=2027, month=3))

    full = full_sync(google_connection)

    assert full.full and full.token
    assert len(full.events) == 3  # the March event is outside the window
    assert full.calls == 2  # three events, two to a page
    assert by_id(full)[kept].busy == ((at(1, 9), at(1, 10)),)

    fake_google.move_event(moved, at(4, 14), at(4, 15))
    changes = google.sync(google_connection, ACCOUNT, token=full.token, start=START, end=END)

    assert not changes.full
    assert changes.calls == 1
    assert [(e.external_id, e.start, e.end) for e in changes.events] == [
        (moved, at(4, 14), at(4, 15))
    ]
    assert changes.token and changes.token != full.token

    again = google.sync(google_connection, ACCOUNT, token=changes.token, start=START, end=END)
    assert again.events == []


def test_an_event_the_host_deleted_comes_back_cancelled(fake_google, google_connection):
    event_id = fake_google.add_event(ACCOUNT, at(1, 9), at(1, 10))
    token = full_sync(google_connection).token

    fake_google.delete_event(event_id)
    changes = google.sync(google_connection, ACCOUNT, token=token, start=START, end=END)

    (gone,) = changes.events
    assert gone.external_id == event_id
    assert gone.cancelled and gone.busy == ()


def test_an_expired_sync_token_asks_for_a_full_sync(fake_google, google_connection):
    token = full_sync(google_connection).token
    fake_google.expire_sync_tokens()

    with pytest.raises(ProviderError) as failure:
        google.sync(google_connection, ACCOUNT, token=token, start=START, end=END)

    assert failure.value.gone
    assert not failure.value.auth


def test_free_and_declined_events_do_not_block_time(fake_google, google_connection):
    free = fake_google.add_event(ACCOUNT, at(1, 9), at(1, 10), transparency="transparent")
    declined = fake_google.add_event(
        ACCOUNT,
        at(1, 11),
        at(1, 12),
        attendees={ACCOUNT: "declined", "boss@example.com": "accepted"},
    )
    accepted = fake_google.add_event(ACCOUNT, at(1, 13), at(1, 14), attendees={ACCOUNT: "accepted"})

    events = by_id(full_sync(google_connection))

    assert events[free].busy == ()
    assert events[declined].busy == ()
    assert events[accepted].busy == ((at(1, 13), at(1, 14)),)
    assert not events[free].cancelled  # still there, just not busy


def test_declining_later_frees_the_time_on_the_next_sync(fake_google, google_connection):
    event_id = fake_google.add_event(ACCOUNT, at(1, 9), at(1, 10), attendees={ACCOUNT: "accepted"})
    token = full_sync(google_connection).token

    fake_google.respond(event_id, ACCOUNT, "declined")
    (change,) = google.sync(google_connection, ACCOUNT, token=token, start=START, end=END).events

    assert change.external_id == event_id and change.busy == ()


def test_an_all_day_event_blocks_the_whole_day_in_the_calendars_zone(
    fake_google, google_connection
):
    fake_google.add_calendar("ny@example.com", "New York office", time_zone="America/New_York")
    berlin_day = fake_google.add_event(ACCOUNT, date(2026, 12, 1), date(2026, 12, 2))
    ny_days = fake_google.add_event("ny@example.com", date(2026, 12, 1), date(2026, 12, 3))

    (berlin,) = full_sync(google_connection).events
    (new_york,) = full_sync(google_connection, "ny@example.com").events

    assert berlin.external_id == berlin_day
    assert berlin.busy == ((at(1, 0), at(2, 0)),)
    assert new_york.external_id == ny_days
    assert new_york.busy == (
        (datetime(2026, 12, 1, 5, tzinfo=UTC), datetime(2026, 12, 3, 5, tzinfo=UTC)),
    )


def test_a_weekly_event_keeps_its_local_time_across_the_dst_change(fake_google, google_connection):
    # Thursdays 10:00 in Berlin; summer time starts on Sunday 2027-03-28.
    series = fake_google.add_event(
        ACCOUNT,
        at(18, 10, month=3, year=2027),
        at(18, 11, month=3, year=2027),
        recurrence=["RRULE:FREQ=WEEKLY;BYDAY=TH"],
    )

    result = full_sync(
        google_connection,
        start=datetime(2027, 3, 15, tzinfo=UTC),
        end=datetime(2027, 4, 12, tzinfo=UTC),
    )

    starts = sorted(event.busy[0][0] for event in result.events)
    assert [s.astimezone(BERLIN).strftime("%m-%d %H:%M") for s in starts] == [
        "03-18 10:00",
        "03-25 10:00",
        "04-01 10:00",
        "04-08 10:00",
    ]
    assert starts[1].hour == 9 and starts[2].hour == 8  # in UTC: an hour earlier from April
    ids = [event.external_id for event in result.events]
    assert len(set(ids)) == 4 and all(i.startswith(f"{series}_") for i in ids)
    assert {event.ical_uid for event in result.events} == {fake_google.event(series)["iCalUID"]}


def test_free_busy_merges_what_blocks_time_in_the_asked_calendars(fake_google, google_connection):
    fake_google.add_calendar("team@example.com", "Team", access_role="reader")
    fake_google.add_event(ACCOUNT, at(1, 9), at(1, 10))
    fake_google.add_event(ACCOUNT, at(1, 11), at(1, 12))
    fake_google.add_event("team@example.com", at(1, 11), at(1, 13))
    fake_google.add_event(ACCOUNT, at(1, 14), at(1, 15), transparency="transparent")

    busy = google.busy(
        google_connection,
        [ACCOUNT, "team@example.com", "gone@example.com"],
        start=at(1, 0),
        end=at(2, 0),
        timeout=5,
    )

    assert busy == [(at(1, 9), at(1, 10)), (at(1, 11), at(1, 12)), (at(1, 11), at(1, 13))]


def test_free_busy_gives_up_after_its_timeout(fake_google, google_connection):
    fake_google.delay_next(2)

    with pytest.raises(ProviderError) as failure:
        google.busy(google_connection, [ACCOUNT], start=at(1, 0), end=at(2, 0), timeout=0.3)

    assert failure.value.retry
    assert fake_google.calls == 1


def test_deleting_a_weekly_series_cancels_each_of_its_instances(fake_google, google_connection):
    series = fake_google.add_event(
        ACCOUNT, at(1, 10), at(1, 11), recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"]
    )
    full = full_sync(google_connection)
    assert len(full.events) == 3 and all(event.busy for event in full.events)

    fake_google.delete_event(series)
    changes = google.sync(google_connection, ACCOUNT, token=full.token, start=START, end=END)

    assert {e.external_id for e in changes.events} == {e.external_id for e in full.events}
    assert all(e.cancelled and e.busy == () for e in changes.events)
