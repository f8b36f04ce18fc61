"""A host with Google Calendar connected, end to end: busy time from the calendar keeps attendees
off it, bookings land in the calendar with a Meet link, and what the host does to those events in
Google (delete, move) comes back to the booking, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from booking import services
from booking.calendar_sync import calendar_tick, enqueue_sync
from booking.models import Booking, BookingEvent
from integrations.models import Calendar, CalendarConnection, CalendarEvent
from tests.booking.helpers import attendee, utc
from tests.integrations.fake_google_calendar import ACCOUNT
from tests.integrations.fixtures_google import connect, fake_google  # noqa: F401
from workflows import outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 13, 30)  # Wednesday 14:30 in Berlin, inside the link's hours
WEBHOOK = "/api/calendar-providers/webhook/google"


@pytest.fixture
def connected(fake_google, owner, workspace, link, settings):  # noqa: F811
    """Olga's Google Calendar, checked for conflicts and receiving her bookings."""
    settings.CALENDAR_LIVE_CHECK_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://book.example.test"  # push needs an https address
    link.calendar_provider = "google"
    link.auto_meeting_link = True
    link.save()
    connection = connect(fake_google, user=owner, workspace=workspace)
    calendar = Calendar.objects.create(
        connection=connection,
        user=owner,
        external_id=ACCOUNT,
        name=ACCOUNT,
        is_primary=True,
        check_conflicts=True,
        receives_bookings=True,
    )
    return calendar


def sync(calendar: Calendar) -> None:
    enqueue_sync(calendar, reason="test")
    outbox.drain()


def test_an_event_in_google_keeps_attendees_off_that_time(connected, fake_google, link, frozen):  # noqa: F811
    fake_google.add_event(ACCOUNT, START - timedelta(minutes=15), START + timedelta(minutes=45))
    sync(connected)

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())
    assert not Booking.objects.exists()
    # The next free time is still offered.
    later = START + timedelta(hours=1)
    assert services.booking_create(link=link, start=later, attendee=attendee()).start == later


def test_a_free_event_does_not_block_and_an_all_day_event_does(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
):
    fake_google.add_event(ACCOUNT, START, START + timedelta(hours=1), transparency="transparent")
    fake_google.add_event(ACCOUNT, date(2026, 11, 26), date(2026, 11, 27))  # Thursday, all day
    sync(connected)

    assert services.booking_create(link=link, start=START, attendee=attendee()).pk
    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START + timedelta(days=1), attendee=attendee())


def test_the_booking_post_asks_google_about_the_exact_slot(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    settings,
):
    settings.CALENDAR_LIVE_CHECK_SECONDS = 2.0
    sync(connected)
    # Added after the last sync: only the live question finds it.
    fake_google.add_event(ACCOUNT, START, START + timedelta(minutes=30))

    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())


def test_a_slow_google_leaves_the_decision_to_the_cache_and_says_so(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    settings,
):
    settings.CALENDAR_LIVE_CHECK_SECONDS = 0.3
    fake_google.delay_next(1.5)

    booking = services.booking_create(link=link, start=START, attendee=attendee())

    note = booking.events.get(kind=BookingEvent.Kind.CALENDAR)
    assert "didn't answer within 0.3 s" in note.detail


def test_a_booking_lands_in_google_with_a_meet_link_that_reaches_the_attendee(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
):
    booking = booked(link, START)
    outbox.drain()

    booking.refresh_from_db()
    assert booking.meeting_url.startswith("https://meet.google.com/")
    (event,) = [e for e in fake_google.events(ACCOUNT) if e.get("iCalUID") == booking.ical_uid]
    assert event["hangoutLink"] == booking.meeting_url
    assert {a["email"] for a in event["attendees"]} >= {"alice@example.com"}
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert booking.meeting_url in to_attendee.body
    # Google sends the invitation; ours would be a second one.
    assert not any(mime.startswith("text/calendar") for _, mime in to_attendee.alternatives)
    assert (event["id"], "all") in fake_google.updates_sent


def test_reschedule_moves_the_same_event_and_cancel_removes_it(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
):
    booking = booked(link, START)
    outbox.drain()
    event_id = CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id

    later = START + timedelta(hours=2)
    moved = services.booking_reschedule(booking=booking, start=later)
    outbox.drain()
    event = fake_google.event(event_id)
    assert event["start"]["dateTime"].startswith("2026-11-25T16:30")  # 15:30 UTC in Berlin
    assert [e for e in fake_google.events(ACCOUNT) if e["status"] != "cancelled"] == [event]

    services.booking_cancel(booking=moved, reason="Can't make it")
    outbox.drain()
    assert fake_google.event(event_id)["status"] == "cancelled"


def _watched(calendar: Calendar, fake_google, client) -> str:  # noqa: F811
    """Open the push channel (as the daily job does) and let Google's first "sync" ping in."""
    calendar_tick(utc(2026, 11, 23, 7, 0))
    outbox.drain()
    calendar.refresh_from_db()
    assert calendar.watch_id
    headers = fake_google.notification_headers(calendar.watch_id)
    assert client.post(WEBHOOK, headers=headers).status_code == 200
    return calendar.watch_id


def test_deleting_the_event_in_google_cancels_the_booking_once(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
    client,
):
    booking = booked(link, START)
    outbox.drain()
    channel = _watched(connected, fake_google, client)
    mail.outbox.clear()
    event_id = CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id

    fake_google.delete_event(event_id)
    headers = fake_google.notification_headers(channel)
    assert client.post(WEBHOOK, headers=headers).status_code == 200
    outbox.drain()
    # The same notification again (Google retries) changes nothing.
    assert client.post(WEBHOOK, headers=headers).status_code == 200
    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "deleted the meeting from their Google Calendar" in booking.cancel_reason
    cancellations = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(cancellations) == 1 and "Cancel" in cancellations[0].subject


def test_moving_the_event_in_google_reschedules_the_booking_once(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
    client,
):
    booking = booked(link, START)
    outbox.drain()
    channel = _watched(connected, fake_google, client)
    mail.outbox.clear()
    event_id = CalendarEvent.objects.get(ical_uid=booking.ical_uid).external_id

    # Saturday morning: outside the link's hours, but the host chose it.
    new_start = utc(2026, 11, 28, 8, 0)
    fake_google.move_event(event_id, new_start, new_start + timedelta(minutes=45))
    for _ in range(2):
        client.post(WEBHOOK, headers=fake_google.notification_headers(channel))
        outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.RESCHEDULED
    new = Booking.objects.get(rescheduled_from=booking)
    assert (new.start, new.end) == (new_start, new_start + timedelta(minutes=45))
    assert new.status == Booking.Status.CONFIRMED
    # Our own update of the event echoes back and changes nothing more.
    sync(connected)
    assert Booking.objects.count() == 2
    to_attendee = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(to_attendee) == 1 and "09:00" in to_attendee[0].subject  # 08:00 UTC in Berlin


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Goog-Channel-ID": "unknown", "X-Goog-Channel-Token": "x"},
        "wrong-token",
    ],
)
def test_an_unknown_or_unsigned_google_notification_is_refused(
    connected,
    fake_google,  # noqa: F811
    frozen,
    client,
    headers,
):
    channel = _watched(connected, fake_google, client)
    if headers == "wrong-token":
        headers = {**fake_google.notification_headers(channel), "X-Goog-Channel-Token": "forged"}
    before = OutboxMessage.objects.count()

    assert client.post(WEBHOOK, headers=headers).status_code == 403
    assert OutboxMessage.objects.count() == before


def test_microsoft_subscription_handshake_echoes_the_token(client, db):
    url = reverse("calendar-webhooks:notify", args=["microsoft"]) + "?validationToken=abc%20123"
    response = client.post(url)
    assert response.status_code == 200
    assert response.content == b"abc 123"
    assert response["Content-Type"].startswith("text/plain")


def test_a_revoked_google_token_marks_the_connection_broken_and_keeps_the_busy_time(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    owner_client,
):
    fake_google.add_event(ACCOUNT, START, START + timedelta(minutes=30))
    sync(connected)
    fake_google.revoke_all()
    fake_google.expire_access_tokens()

    sync(connected)

    connection = CalendarConnection.objects.get()
    assert connection.status == CalendarConnection.Status.BROKEN
    for page in ("booking:calendar", "integrations:settings"):
        html = owner_client.get(reverse(page)).content.decode()
        assert "needs reconnecting" in html, page
    # The last known busy time still keeps attendees off the host's meeting...
    with pytest.raises(services.SlotTaken):
        services.booking_create(link=link, start=START, attendee=attendee())
    # ...and a booking made meanwhile says on its timeline what decided.
    booking = services.booking_create(
        link=link, start=START + timedelta(hours=1), attendee=attendee()
    )
    note = booking.events.get(kind=BookingEvent.Kind.CALENDAR)
    assert "needs reconnecting" in note.detail


def test_a_failing_calendar_write_is_retried_shown_on_the_timeline_and_never_fails_the_booking(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
    owner_client,
):
    fake_google.fail_next(503, count=5)
    booking = booked(link, START)
    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    row = OutboxMessage.objects.get(kind="booking.calendar_event")
    assert row.attempts == 1 and row.done_at is None and row.due_at > START - timedelta(days=3)
    page = owner_client.get(reverse("booking:calendar-booking", args=[booking.pk]))
    html = page.content.decode()
    assert "Event in the host&#x27;s calendar" in html or "Event in the host's calendar" in html
    assert "Google answered 503" in html
    # The confirmation still goes (without the Meet link) once its short wait is over.
    with time_machine.travel(utc(2026, 11, 23, 7, 3), tick=False):
        outbox.drain()
    assert any(m.to == ["alice@example.com"] for m in mail.outbox)


def test_a_google_meet_location_puts_a_meet_link_on_the_booking(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
):
    link.calendar_provider = ""  # the location alone sends the event to Google
    link.auto_meeting_link = False
    link.locations = [{"kind": "google_meet", "detail": ""}]
    link.save()

    booking = booked(link, START)
    outbox.drain()

    booking.refresh_from_db()
    assert booking.location_kind == "google_meet"
    assert booking.meeting_url.startswith("https://meet.google.com/")
    to_attendee = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert booking.meeting_url in to_attendee.body


def test_the_event_in_google_carries_an_in_person_address(
    connected,
    fake_google,  # noqa: F811
    link,
    frozen,
    booked,
):
    link.auto_meeting_link = False
    link.locations = [{"kind": "in_person", "detail": "Acme HQ, Berlin"}]
    link.save()

    booking = booked(link, START)
    outbox.drain()

    (event,) = [e for e in fake_google.events(ACCOUNT) if e.get("iCalUID") == booking.ical_uid]
    assert event["location"] == "Acme HQ, Berlin"
    assert "hangoutLink" not in event
