"""The CalDAV client against a real Radicale server: logging in, listing calendars, syncing what
the host changes in their calendar app, and writing our own events."""

# The fixtures are imported by name and then requested as arguments, which pyflakes calls
# redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from integrations.caldav.client import CalDAVCalendar
from integrations.calendars import provider as registry
from integrations.calendars.provider import EventData, ProviderError, RemoteEvent
from tests.integrations.fixtures_caldav import (  # noqa: F401 (fixtures)
    HOST,
    HOST_EMAIL,
    NEWCOMER,
    caldav_settings,
    connection,
    host_app,
    ics,
    radicale,
    web_site,
    work_calendar,
)
from tests.workflows.http_receiver import TLS_NAME, Receiver, fake_dns

provider = CalDAVCalendar()

# A window in 2027 around Berlin's spring DST change (Sunday 2027-03-28, 02:00 -> 03:00).
START = datetime(2027, 3, 1, tzinfo=UTC)
END = datetime(2027, 5, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def event(uid: str, start: str, end: str, *extra: str) -> str:
    """A VEVENT with times in UTC (``20270310T090000Z``) and any extra lines."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20270101T000000Z",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        f"SUMMARY:{uid}",
        *extra,
        "END:VEVENT",
    ]
    return "\n".join(lines)


def full_sync(connection, calendar_url):
    return provider.sync(connection, calendar_url, token="", start=START, end=END)


def by_uid(events: list[RemoteEvent]) -> dict[str, RemoteEvent]:
    return {e.ical_uid: e for e in events}


def test_the_registry_offers_caldav_as_a_password_provider():
    offered = registry.get("caldav")

    assert isinstance(offered, CalDAVCalendar)
    assert (offered.label, offered.uses_oauth, offered.can_push) == (
        "iCloud / CalDAV",
        False,
        False,
    )


# --- Logging in ---------------------------------------------------------------------------------


def test_login_with_the_right_password_grants_the_account(radicale, caldav_settings):
    grant = provider.login(server_url=radicale.url, username=HOST, password=radicale.users[HOST])

    assert grant.account == HOST
    assert grant.secret == radicale.users[HOST]


def test_login_with_a_wrong_password_asks_to_check_it(radicale, caldav_settings):
    with pytest.raises(ProviderError) as caught:
        provider.login(server_url=radicale.url, username=HOST, password="guess")

    assert caught.value.auth
    assert not caught.value.retry
    assert "refused that user name and password" in str(caught.value)


def test_login_refuses_a_loopback_server_unless_allowed(radicale, caldav_settings):
    caldav_settings.CALENDAR_ALLOW_LOOPBACK = False

    with pytest.raises(ProviderError) as caught:
        provider.login(server_url=radicale.url, username=HOST, password=radicale.users[HOST])

    assert not caught.value.retry
    assert not caught.value.auth
    assert "loopback address" in str(caught.value)


def test_login_to_a_server_that_does_not_answer_can_be_retried(caldav_settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens once the socket is closed

    with pytest.raises(ProviderError) as caught:
        provider.login(server_url=f"http://127.0.0.1:{port}/", username=HOST, password="x")

    assert caught.value.retry
    assert "Could not connect to 127.0.0.1" in str(caught.value)


def test_a_server_whose_certificate_cannot_be_verified_is_not_retried(monkeypatch, caldav_settings):
    fake_dns(monkeypatch, {TLS_NAME: ["127.0.0.1"]})

    with Receiver(tls=True) as receiver, pytest.raises(ProviderError) as caught:
        provider.login(server_url=receiver.url("/", host=TLS_NAME), username=HOST, password="x")

    assert not caught.value.retry
    assert f"The certificate of {TLS_NAME} could not be verified" in str(caught.value)


def test_login_refuses_an_address_that_is_not_a_web_address(caldav_settings):
    with pytest.raises(ProviderError) as caught:
        provider.login(server_url="ftp://calendar.example.com/", username=HOST, password="x")

    assert not caught.value.retry
    assert "https://" in str(caught.value)


def test_login_at_a_web_site_that_is_not_a_calendar_server_says_so(web_site, caldav_settings):
    with pytest.raises(ProviderError) as caught:
        provider.login(server_url=web_site, username=HOST, password="x")

    assert not caught.value.retry
    assert "did not answer like a CalDAV server" in str(caught.value)


def test_login_without_a_server_address_goes_to_icloud(monkeypatch, caldav_settings):
    # A name that resolves to a private address is refused before any connection is made.
    lookups = fake_dns(monkeypatch, {"caldav.icloud.com": ["10.1.2.3"]})

    with pytest.raises(ProviderError) as caught:
        provider.login(server_url="", username="olga@icloud.com", password="x")

    assert lookups == {"caldav.icloud.com": 1}
    assert not caught.value.retry
    assert "caldav.icloud.com resolves to 10.1.2.3, a private address" in str(caught.value)


def test_a_server_name_that_later_resolves_to_a_private_address_is_refused(
    radicale, monkeypatch, caldav_settings, connection
):
    answer = ["127.0.0.1"]  # the server itself (loopback is allowed here)
    fake_dns(monkeypatch, {"calendar.example.test": lambda: answer})
    port = radicale.url.rsplit(":", 1)[1].strip("/")
    connection.server_url = f"http://calendar.example.test:{port}/"
    grant = provider.login(
        server_url=connection.server_url, username=HOST, password=radicale.users[HOST]
    )
    assert grant.account == HOST

    answer = ["10.0.0.7"]
    with pytest.raises(ProviderError) as caught:
        provider.calendars(connection)

    assert not caught.value.retry
    assert "calendar.example.test resolves to 10.0.0.7, a private address" in str(caught.value)


# --- Calendars ----------------------------------------------------------------------------------


def test_calendars_lists_the_event_calendars_with_the_first_as_primary(
    radicale, caldav_settings, connection
):
    app = radicale.app(NEWCOMER)
    home = app.make_calendar("Home")
    app.make_calendar("Reminders", components=["VTODO"])
    work = app.make_calendar("Work")
    connection.username = NEWCOMER
    connection.secret = radicale.users[NEWCOMER]

    calendars = provider.calendars(connection)

    assert {(c.external_id, c.name) for c in calendars} == {(home, "Home"), (work, "Work")}
    assert [c.is_primary for c in calendars] == [True, False]
    assert all(c.writable for c in calendars)


# --- Sync ---------------------------------------------------------------------------------------


def test_full_sync_then_the_hosts_changes_one_by_one(connection, host_app, work_calendar):
    standup = host_app.put(
        work_calendar, "standup", ics(event("standup", "20270310T090000Z", "20270310T093000Z"))
    )
    lunch = host_app.put(
        work_calendar, "lunch", ics(event("lunch", "20270310T120000Z", "20270310T130000Z"))
    )

    first = full_sync(connection, work_calendar)

    assert first.full
    assert first.token
    assert first.calls == 2  # the token, then one search with the events' data
    assert by_uid(first.events) == {
        "standup": RemoteEvent(
            external_id=standup,
            ical_uid="standup",
            busy=((utc(2027, 3, 10, 9), utc(2027, 3, 10, 9, 30)),),
            start=utc(2027, 3, 10, 9),
            end=utc(2027, 3, 10, 9, 30),
        ),
        "lunch": RemoteEvent(
            external_id=lunch,
            ical_uid="lunch",
            busy=((utc(2027, 3, 10, 12), utc(2027, 3, 10, 13)),),
            start=utc(2027, 3, 10, 12),
            end=utc(2027, 3, 10, 13),
        ),
    }

    host_app.put(
        work_calendar, "standup", ics(event("standup", "20270311T100000Z", "20270311T103000Z"))
    )
    host_app.delete(lunch)
    review = host_app.put(
        work_calendar, "review", ics(event("review", "20270312T150000Z", "20270312T160000Z"))
    )

    changes = provider.sync(connection, work_calendar, token=first.token, start=START, end=END)

    assert not changes.full
    assert changes.calls == 4  # the report, then a GET per entry (404 for the deleted one)
    assert changes.token not in ("", first.token)
    assert sorted(changes.events, key=lambda e: e.external_id) == sorted(
        [
            RemoteEvent(
                external_id=standup,
                ical_uid="standup",
                busy=((utc(2027, 3, 11, 10), utc(2027, 3, 11, 10, 30)),),
                start=utc(2027, 3, 11, 10),
                end=utc(2027, 3, 11, 10, 30),
            ),
            RemoteEvent(external_id=lunch, cancelled=True),
            RemoteEvent(
                external_id=review,
                ical_uid="review",
                busy=((utc(2027, 3, 12, 15), utc(2027, 3, 12, 16)),),
                start=utc(2027, 3, 12, 15),
                end=utc(2027, 3, 12, 16),
            ),
        ],
        key=lambda e: e.external_id,
    )

    quiet = provider.sync(connection, work_calendar, token=changes.token, start=START, end=END)
    assert quiet.events == []


def test_full_sync_reports_only_events_in_the_window(connection, host_app, work_calendar):
    host_app.put(
        work_calendar, "before", ics(event("before", "20270220T090000Z", "20270220T100000Z"))
    )
    host_app.put(
        work_calendar, "inside", ics(event("inside", "20270302T090000Z", "20270302T100000Z"))
    )

    result = full_sync(connection, work_calendar)

    assert list(by_uid(result.events)) == ["inside"]


def test_an_unknown_sync_token_means_start_over(connection, work_calendar):
    stale = "http://radicale.org/ns/sync/0000000000000000000000000000000000000000"

    with pytest.raises(ProviderError) as caught:
        provider.sync(connection, work_calendar, token=stale, start=START, end=END)

    assert caught.value.gone
    assert not caught.value.auth


def test_free_cancelled_and_declined_events_do_not_block(connection, host_app, work_calendar):
    attendee = f"ATTENDEE;CN=Olga;PARTSTAT={{}}:mailto:{HOST_EMAIL.upper()}"
    host_app.put(
        work_calendar,
        "free",
        ics(event("free", "20270301T090000Z", "20270301T100000Z", "TRANSP:TRANSPARENT")),
    )
    host_app.put(
        work_calendar,
        "declined",
        ics(
            event(
                "declined",
                "20270302T090000Z",
                "20270302T100000Z",
                "ORGANIZER:mailto:boss@example.com",
                attendee.format("DECLINED"),
            )
        ),
    )
    host_app.put(
        work_calendar,
        "accepted",
        ics(
            event(
                "accepted",
                "20270303T090000Z",
                "20270303T100000Z",
                "ORGANIZER:mailto:boss@example.com",
                attendee.format("ACCEPTED"),
            )
        ),
    )
    host_app.put(
        work_calendar,
        "called-off",
        ics(event("called-off", "20270304T090000Z", "20270304T100000Z", "STATUS:CANCELLED")),
    )

    events = by_uid(full_sync(connection, work_calendar).events)

    assert events["free"].busy == ()
    assert events["declined"].busy == ()
    assert events["accepted"].busy == ((utc(2027, 3, 3, 9), utc(2027, 3, 3, 10)),)
    assert events["called-off"].cancelled
    assert events["called-off"].busy == ()


DAYS_OFF = """BEGIN:VEVENT
UID:days-off
DTSTAMP:20270101T000000Z
DTSTART;VALUE=DATE:20270315
DTEND;VALUE=DATE:20270317
SUMMARY:Two days off
END:VEVENT"""


def test_an_all_day_event_blocks_the_whole_day_in_utc_without_a_calendar_zone(
    connection, host_app, work_calendar
):
    host_app.put(work_calendar, "days-off", ics(DAYS_OFF))

    (result,) = full_sync(connection, work_calendar).events

    assert result.busy == ((utc(2027, 3, 15), utc(2027, 3, 17)),)


def test_all_day_and_floating_times_are_read_in_the_calendars_zone(
    connection, host_app, work_calendar
):
    host_app.set_timezone(work_calendar, "Europe/Berlin")
    host_app.put(work_calendar, "days-off", ics(DAYS_OFF))
    floating = event("dentist", "20270318T100000", "20270318T110000")

    first = full_sync(connection, work_calendar)
    host_app.put(work_calendar, "dentist", ics(floating))
    (changed,) = provider.sync(
        connection, work_calendar, token=first.token, start=START, end=END
    ).events

    # Midnight to midnight in Berlin (CET, UTC+1); 10:00 there is 09:00 UTC.
    assert [e.busy for e in first.events] == [((utc(2027, 3, 14, 23), utc(2027, 3, 16, 23)),)]
    assert changed.busy == ((utc(2027, 3, 18, 9), utc(2027, 3, 18, 10)),)


BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def test_a_weekly_meeting_stays_at_ten_in_berlin_across_the_dst_change(
    connection, host_app, work_calendar
):
    weekly = "\n".join(
        [
            "BEGIN:VEVENT",
            "UID:jour-fixe",
            "DTSTAMP:20270101T000000Z",
            "DTSTART;TZID=Europe/Berlin:20270315T100000",
            "DTEND;TZID=Europe/Berlin:20270315T110000",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "SUMMARY:Jour fixe",
            "END:VEVENT",
        ]
    )
    url = host_app.put(work_calendar, "jour-fixe", ics(BERLIN, weekly))

    (result,) = full_sync(connection, work_calendar).events

    assert result.external_id == url
    assert result.ical_uid == "jour-fixe"
    # 10:00 CET is 09:00 UTC; from 28 March, 10:00 CEST is 08:00 UTC.
    assert result.busy == (
        (utc(2027, 3, 15, 9), utc(2027, 3, 15, 10)),
        (utc(2027, 3, 22, 9), utc(2027, 3, 22, 10)),
        (utc(2027, 3, 29, 8), utc(2027, 3, 29, 9)),
        (utc(2027, 4, 5, 8), utc(2027, 4, 5, 9)),
    )
    assert (result.start, result.end) == (utc(2027, 3, 15, 9), utc(2027, 3, 15, 10))


def test_a_moved_and_a_cancelled_occurrence_of_a_series(connection, host_app, work_calendar):
    series = "\n".join(
        [
            "BEGIN:VEVENT",
            "UID:one-on-one",
            "DTSTAMP:20270101T000000Z",
            "DTSTART:20270301T140000Z",
            "DTEND:20270301T143000Z",
            "RRULE:FREQ=DAILY;COUNT=3",
            "EXDATE:20270303T140000Z",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:one-on-one",
            "DTSTAMP:20270101T000000Z",
            "RECURRENCE-ID:20270302T140000Z",
            "DTSTART:20270302T160000Z",
            "DTEND:20270302T163000Z",
            "END:VEVENT",
        ]
    )
    host_app.put(work_calendar, "one-on-one", ics(series))

    (result,) = full_sync(connection, work_calendar).events

    assert result.busy == (
        (utc(2027, 3, 1, 14), utc(2027, 3, 1, 14, 30)),
        (utc(2027, 3, 2, 16), utc(2027, 3, 2, 16, 30)),
    )


# --- Busy ---------------------------------------------------------------------------------------


def test_busy_gathers_the_blocked_times_of_several_calendars(connection, host_app, work_calendar):
    private = host_app.make_calendar("Private")
    host_app.put(work_calendar, "a", ics(event("a", "20270310T090000Z", "20270310T100000Z")))
    host_app.put(
        work_calendar,
        "free",
        ics(event("free", "20270310T110000Z", "20270310T120000Z", "TRANSP:TRANSPARENT")),
    )
    host_app.put(private, "b", ics(event("b", "20270310T080000Z", "20270310T083000Z")))
    host_app.put(private, "later", ics(event("later", "20270311T080000Z", "20270311T083000Z")))

    ranges = provider.busy(
        connection,
        [work_calendar, private],
        start=utc(2027, 3, 10),
        end=utc(2027, 3, 11),
        timeout=2.0,
    )

    assert ranges == [
        (utc(2027, 3, 10, 8), utc(2027, 3, 10, 8, 30)),
        (utc(2027, 3, 10, 9), utc(2027, 3, 10, 10)),
    ]


def test_busy_gives_up_on_a_server_that_does_not_answer_in_time(connection):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are accepted by the system, never answered
        connection.server_url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        started = time.monotonic()

        with pytest.raises(ProviderError) as caught:
            provider.busy(
                connection,
                [connection.server_url + "olga/work/"],
                start=START,
                end=END,
                timeout=0.3,
            )

    assert caught.value.retry
    assert "did not answer in time" in str(caught.value)
    assert time.monotonic() - started < 3


# --- Our events ---------------------------------------------------------------------------------


def booking(start: datetime, **changes) -> EventData:
    values = {
        "ical_uid": "booking-42@workestra.test",
        "title": "Intro call with Ada",
        "description": "Booked through Workestra",
        "start": start,
        "end": start + timedelta(minutes=30),
        "timezone": "Europe/Berlin",
        "organizer_email": HOST_EMAIL,
        "attendees": (("Ada Lovelace", "ada@example.com"),),
        "location": "Phone",
    }
    values.update(changes)
    return EventData(**values)  # type: ignore[arg-type]


def test_our_event_is_created_updated_in_place_and_deleted(connection, host_app, work_calendar):
    written = provider.create_event(connection, work_calendar, booking(utc(2027, 3, 10, 9)))

    stored = host_app.get(written.external_id)
    assert "UID:booking-42@workestra.test" in stored
    assert "DTSTART:20270310T090000Z" in stored
    assert "mailto:ada@example.com" in stored
    (seen,) = full_sync(connection, work_calendar).events
    assert seen.external_id == written.external_id
    assert (seen.start, seen.end) == (utc(2027, 3, 10, 9), utc(2027, 3, 10, 9, 30))

    moved = provider.update_event(
        connection, work_calendar, written.external_id, booking(utc(2027, 3, 11, 15))
    )

    assert moved.external_id == written.external_id
    stored = host_app.get(written.external_id)
    assert "UID:booking-42@workestra.test" in stored
    assert "SEQUENCE:1" in stored
    (seen,) = full_sync(connection, work_calendar).events
    assert (seen.ical_uid, seen.start) == ("booking-42@workestra.test", utc(2027, 3, 11, 15))

    provider.delete_event(connection, work_calendar, written.external_id, notify=False)

    assert not host_app.exists(written.external_id)
    assert full_sync(connection, work_calendar).events == []


def test_deleting_an_event_the_host_already_deleted_succeeds(connection, host_app, work_calendar):
    written = provider.create_event(connection, work_calendar, booking(utc(2027, 3, 10, 9)))
    host_app.delete(written.external_id)

    provider.delete_event(connection, work_calendar, written.external_id, notify=True)

    assert not host_app.exists(written.external_id)


def test_writing_with_a_changed_password_is_an_auth_error(connection, work_calendar):
    connection.secret = "changed elsewhere"

    with pytest.raises(ProviderError) as caught:
        provider.create_event(connection, work_calendar, booking(utc(2027, 3, 10, 9)))

    assert caught.value.auth
