"""A host on a CalDAV calendar (a real Radicale server), end to end: their events keep attendees
off those times, bookings are written into the calendar, and the host deleting or moving one in
their calendar app reaches the booking at the next poll, once."""

# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from booking import services
from booking.calendar_sync import enqueue_sync
from booking.models import Booking
from integrations.models import Calendar, CalendarEvent
from tests.booking.helpers import attendee, utc
from tests.integrations.fixtures_caldav import (  # noqa: F401
    HOST,
    caldav_settings,
    host_app,
    ics,
    radicale,
    work_calendar,
)
from workflows import outbox

START = utc(2026, 11, 25, 13, 30)  # Wednesday 14:30 in Berlin


def vevent(uid: str, start, end) -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\nSUMMARY:Dentist\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\nDTEND:{end:%Y%m%dT%H%M%SZ}\nEND:VEVENT"
    )


@pytest.fixture
def calendar(radicale, caldav_settings, work_calendar, owner, workspace, link):
    caldav_settings.CALENDAR_LIVE_CHECK_SECONDS = 0
    link.calendar_provider = "caldav"
    link.save()
    connection = owner.calendar_connections.create(
        workspace=workspace,
        provider="caldav",
        account="olga@example.com",
        server_url=radicale.url,
        username=HOST,
    )
    connection.secret = radicale.users[HOST]
    connection.save()
    return Calendar.objects.create(
        connection=connection,
        user=owner,
        external_id=work_calendar,
        name="Work",
        is_primary=True,
        check_conflicts=True,
        receives_bookings=True,
    )


def poll(calendar: Calendar) -> None:
    enqueue_sync(calendar, reason="poll")
    outbox.drain()


def test_an_event_in_the_caldav_calendar_keeps_attendees_off_it(calendar, host_app, link, frozen):
    host_app.put(
        calendar.external_id, "dentist", ics(vevent("dentist-1", START, START + timedelta(hours=1)))
    )
    poll(calendar)

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())


def test_a_booking_is_written_into_the_calendar_and_the_email_keeps_its_invite(
    calendar, host_app, link, frozen, booked
):
    booking = booked(link, START)
    outbox.drain()

    event = CalendarEvent.objects.get(ical_uid=booking.ical_uid)
    stored = host_app.get(event.external_id)
    assert f"UID:{booking.ical_uid}" in stored and "DTSTART:20261125T133000Z" in stored
    # A CalDAV server sends no invitation, so ours goes with the email as before.
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert any(name == "invite.ics" for name, _, _ in to_attendee.attachments)

    services.booking_cancel(booking=booking, reason="Sorry")
    outbox.drain()
    assert not host_app.exists(event.external_id)


def test_deleting_it_in_the_calendar_app_cancels_the_booking_at_the_next_poll(
    calendar, host_app, link, frozen, booked
):
    booking = booked(link, START)
    outbox.drain()
    poll(calendar)
    mail.outbox.clear()

    host_app.delete(CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id)
    poll(calendar)
    poll(calendar)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert len([m for m in mail.outbox if m.to == ["alice@example.com"]]) == 1


def test_moving_it_in_the_calendar_app_reschedules_the_booking(
    calendar, host_app, link, frozen, booked
):
    booking = booked(link, START)
    outbox.drain()
    poll(calendar)
    url = CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id
    name = url.rstrip("/").rsplit("/", 1)[1].removesuffix(".ics")

    new_start = START + timedelta(days=1, hours=2)
    host_app.put(
        calendar.external_id,
        name,
        ics(vevent(booking.ical_uid, new_start, new_start + timedelta(minutes=30))),
    )
    poll(calendar)
    poll(calendar)

    moved = Booking.objects.get(rescheduled_from=booking)
    assert moved.start == new_start
    assert Booking.objects.count() == 2
