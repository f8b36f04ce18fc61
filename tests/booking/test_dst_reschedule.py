"""A reschedule across the end of summer time keeps the meeting's wall-clock time.

Berlin leaves summer time on Sunday 25 October 2026: 10:00 is 08:00 UTC on the Friday before
and 09:00 UTC on the Monday after. New York changes a week later, on 1 November.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from booking import services
from booking.models import Booking
from tests.booking.helpers import attendee
from workflows import outbox

MONDAY_BEFORE = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
FRIDAY_10_CEST = datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
MONDAY_10_CET = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
NEW_START = "2026-10-26T10:00:00+01:00"


@pytest.fixture
def frozen():
    """The clock stopped on the Monday before the change, before any fixture stamps a row."""
    with time_machine.travel(MONDAY_BEFORE, tick=False) as traveller:
        yield traveller


def ics_event(message):
    for name, content, _mimetype in message.attachments:
        if name == "invite.ics":
            return Calendar.from_ical(content).walk("VEVENT")[0]
    raise AssertionError("no invite.ics attached")


def moved(client, link, zone: str) -> tuple[Booking, Booking]:
    booking = services.booking_create(
        link=link, start=FRIDAY_10_CEST, attendee=attendee(timezone=zone)
    )
    outbox.drain()
    mail.outbox.clear()
    response = client.post(booking.reschedule_url, {"start": NEW_START})
    assert response.status_code == 302, response.content.decode()[:500]
    return booking, Booking.objects.get(rescheduled_from=booking)


def test_the_picker_offers_10_00_on_both_sides_of_the_change(client, link, frozen):
    booking = services.booking_create(link=link, start=FRIDAY_10_CEST, attendee=attendee())
    before = client.get(booking.reschedule_url + "?date=2026-10-23&month=2026-10").content
    query = urlencode({"date": "2026-10-26", "month": "2026-10", "slot": NEW_START})
    after = client.get(f"{booking.reschedule_url}?{query}").content.decode()
    assert b">09:00<" in before and b">10:30<" in before
    assert ">10:00<" in after
    assert "Moving from Friday, 23 October 2026, 10:00–10:30 (Europe/Berlin)." in after


def test_10_00_berlin_stays_10_00_and_the_utc_hour_moves(client, link, frozen):
    old, new = moved(client, link, "Europe/Berlin")

    assert (old.start.hour, new.start.hour) == (8, 9)  # UTC
    assert new.start == MONDAY_10_CET
    assert (
        "Monday, 26 October 2026, 10:00–10:30 (Europe/Berlin)"
        in client.get(f"/book/rescheduled/{new.reschedule_token}").content.decode()
    )
    outbox.drain()
    assert len(mail.outbox) == 2
    for message in mail.outbox:  # the attendee and the host both live in Berlin
        assert "Monday, 26 October 2026, 10:00–10:30 (Europe/Berlin)" in message.subject
        event = ics_event(message)
        assert event["DTSTART"].to_ical().decode() == "20261026T090000Z"
        assert event["DTEND"].to_ical().decode() == "20261026T093000Z"
        assert (event["UID"], int(event["SEQUENCE"])) == (old.ical_uid, 1)


def test_the_reminder_comes_24_real_hours_before_and_says_10_00(client, link, frozen):
    moved(client, link, "Europe/Berlin")
    outbox.drain()
    mail.outbox.clear()
    frozen.move_to(MONDAY_10_CET - timedelta(hours=24))  # Sunday 10:00 CET, after the change

    outbox.drain()

    [reminder] = mail.outbox
    assert reminder.subject.startswith("Reminder: Intro call")
    assert "Monday, 26 October 2026, 10:00–10:30 (Europe/Berlin)" in reminder.subject


def test_an_attendee_in_new_york_sees_the_hour_change_the_host_does_not(client, link, frozen):
    moved(client, link, "America/New_York")
    outbox.drain()
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    to_host = next(m for m in mail.outbox if m.to == ["owner@acme.test"])
    # New York is still on summer time, so the same Berlin 10:00 is 04:00 before, 05:00 after.
    assert "Monday, 26 October 2026, 05:00–05:30 (America/New_York)" in to_attendee.subject
    assert "Monday, 26 October 2026, 10:00–10:30 (Europe/Berlin)" in to_host.subject
    assert ics_event(to_attendee)["DTSTART"].to_ical().decode() == "20261026T090000Z"
