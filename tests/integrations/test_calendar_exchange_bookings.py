"""A host on Exchange (the fake EWS the real exchangelib talks to), end to end: Outlook meetings
keep attendees off those times, a booking becomes an Exchange meeting that Exchange itself sends
as the invitation, and the host moving or deleting it in Outlook reaches the booking at the next
poll, once."""

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
from tests.integrations.fake_ews import CALENDAR_ID
from tests.integrations.fixtures_exchange import connect, fake_ews  # noqa: F401
from workflows import outbox

START = utc(2026, 11, 25, 13, 30)  # Wednesday 14:30 in Berlin


@pytest.fixture
def calendar(fake_ews, owner, link, settings):
    settings.CALENDAR_LIVE_CHECK_SECONDS = 0
    link.calendar_provider = "exchange"
    link.save()
    return Calendar.objects.create(
        connection=connect(fake_ews, owner),
        user=owner,
        external_id="calendar",
        name="Calendar",
        is_primary=True,
        check_conflicts=True,
        receives_bookings=True,
    )


def poll(calendar: Calendar) -> None:
    enqueue_sync(calendar, reason="poll")
    outbox.drain()


def test_an_outlook_meeting_keeps_attendees_off_it(calendar, fake_ews, link, frozen):
    fake_ews.add_event("Board", START, START + timedelta(hours=1))
    poll(calendar)

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())


def test_a_booking_becomes_an_exchange_meeting_that_exchange_sends(
    calendar, fake_ews, link, frozen, booked
):
    booking = booked(link, START)
    outbox.drain()

    item = fake_ews.items[CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id]
    assert item.uid == booking.ical_uid and item.folder == CALENDAR_ID
    assert "alice@example.com" in item.attendees and item.invitations.startswith("SendToAll")
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert not any(name == "invite.ics" for name, _, _ in to_attendee.attachments)


def test_moving_then_deleting_it_in_outlook_reaches_the_booking_once_each(
    calendar, fake_ews, link, frozen, booked
):
    booking = booked(link, START)
    outbox.drain()
    poll(calendar)
    item_id = CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id

    new_start = START + timedelta(days=1)
    fake_ews.move_event(item_id, new_start, new_start + timedelta(minutes=30))
    poll(calendar)
    poll(calendar)
    moved = Booking.objects.get(rescheduled_from=booking)
    assert moved.start == new_start

    fake_ews.delete_event(item_id)
    poll(calendar)
    poll(calendar)
    moved.refresh_from_db()
    assert moved.status == Booking.Status.CANCELLED
    assert Booking.objects.count() == 2


def test_a_series_added_then_deleted_in_outlook_blocks_then_frees_its_time(
    calendar, fake_ews, link, frozen
):
    poll(calendar)  # the full read, which leaves a sync state for the next polls
    week_before = START - timedelta(days=7)
    series = fake_ews.add_event(
        "Weekly review",
        week_before,
        week_before + timedelta(hours=1),
        weekly_count=4,
        zone="Europe/Berlin",
    )
    poll(calendar)

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())

    fake_ews.delete_event(series.id)
    poll(calendar)

    booking = services.booking_create(link=link, start=START, attendee=attendee())
    assert booking.start == START


def test_a_sync_state_exchange_forgot_is_read_whole_again(calendar, fake_ews, link, frozen):
    poll(calendar)
    fake_ews.add_event("Board", START, START + timedelta(hours=1))
    calendar.refresh_from_db()
    calendar.sync_token = calendar.sync_token.replace(CALENDAR_ID, "AAMkElsewhere")
    calendar.save(update_fields=["sync_token"])

    poll(calendar)

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())
    calendar.refresh_from_db()
    assert calendar.sync_error == ""
