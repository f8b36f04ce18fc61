"""Emails after commit: confirmation, host notification and reminder, each with an .ics."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from icalendar import Calendar

from booking import services
from booking.ics import booking_ics
from tests.booking.helpers import attendee, utc
from workflows import outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 13, 30)  # Wednesday 14:30 in Berlin


def ics_of(message) -> Calendar:
    for name, content, _mimetype in message.attachments:
        if name == "invite.ics":
            return Calendar.from_ical(content)
    raise AssertionError("no invite.ics attached")


def test_attendee_and_host_get_an_invite_after_the_worker_runs(link, frozen, booked):
    link.allow_guests = True
    link.save()
    booking = booked(link, START, guests=("bob@example.com",))
    assert mail.outbox == []  # nothing is sent inside the booking transaction

    outbox.drain()

    to_attendee, to_host = sorted(mail.outbox, key=lambda m: m.to != ["alice@example.com"])
    assert to_attendee.to == ["alice@example.com"] and to_attendee.cc == ["bob@example.com"]
    assert "Confirmed: Intro call with Olga Owner" in to_attendee.subject
    assert "14:30" in to_attendee.subject  # in the attendee's zone
    assert booking.reschedule_url in to_attendee.body and booking.cancel_url in to_attendee.body
    assert to_host.to == ["owner@acme.test"]
    assert "New booking: Alice Attendee" in to_host.subject


def test_the_ics_parses_with_utc_times_organizer_and_attendees(link, frozen, booked):
    link.allow_guests = True
    link.save()
    booking = booked(link, START, guests=("bob@example.com",))
    outbox.drain()

    calendar = ics_of(mail.outbox[0])
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event["UID"] == booking.ical_uid
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=30)
    assert event["DTSTART"].to_ical().decode() == "20261125T133000Z"
    assert str(event["ORGANIZER"]) == "mailto:owner@acme.test"
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == ["mailto:alice@example.com", "mailto:bob@example.com"]


def test_uid_is_stable_per_booking(link, frozen, booked):
    booking = booked(link, START)
    first = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]["UID"]
    second = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]["UID"]
    assert first == second == booking.ical_uid


def test_calendar_invite_mode_sends_an_inline_invite_part(link, frozen, booked):
    booked(link, START)
    outbox.drain()
    message = mail.outbox[0]
    assert any(mime.startswith("text/calendar; method=REQUEST") for _, mime in message.alternatives)


def test_email_mode_only_attaches_the_ics(link, frozen, booked):
    link.notification_mode = link.NotificationMode.EMAIL
    link.save()
    booked(link, START)
    outbox.drain()
    message = mail.outbox[0]
    assert not message.alternatives
    ics_of(message)


def test_sender_is_the_host_unless_no_reply_is_on(link, frozen, booked):
    booked(link, START)
    outbox.drain()
    assert mail.outbox[0].from_email == "Olga Owner <owner@acme.test>"
    assert mail.outbox[0].reply_to == ["Olga Owner <owner@acme.test>"]

    mail.outbox.clear()
    link.use_no_reply = True
    link.save()
    services.booking_create(
        link=link, start=START + timedelta(hours=1), attendee=attendee(email="b@example.com")
    )
    outbox.drain()
    assert mail.outbox[0].from_email == "Workestra <noreply@workestra.test>"
    assert mail.outbox[0].reply_to == []


def test_the_reminder_goes_out_a_day_before_and_not_earlier(link, frozen, booked):
    booked(link, START)
    outbox.drain()
    mail.outbox.clear()

    with time_machine.travel(START - timedelta(hours=24, minutes=1), tick=False):
        outbox.drain()
    assert mail.outbox == []
    with time_machine.travel(START - timedelta(hours=24), tick=False):
        outbox.drain()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Reminder"]


def test_a_reminder_for_a_cancelled_booking_is_never_sent(link, frozen, booked):
    booking = booked(link, START)
    services.booking_cancel(booking=booking)
    outbox.drain()
    mail.outbox.clear()
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        outbox.drain()
    assert mail.outbox == []
    reminder = OutboxMessage.objects.get(kind="booking.reminder")
    assert reminder.withdrawn_at is not None


def test_a_failing_email_is_retried_and_never_fails_the_booking(link, frozen, settings, booked):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    booking = booked(link, START)

    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    row = OutboxMessage.objects.get(kind="booking.confirmation")
    assert row.attempts == 1 and row.done_at is None and row.failed_at is None
    assert "ConnectionRefusedError" in row.last_error
    assert row.due_at > frozen_now()


def frozen_now():
    from django.utils import timezone

    return timezone.now()


def test_subjects_are_plain_text_and_bodies_keep_what_was_typed(link, owner, frozen, booked):
    link.title = "Q&A <b>"
    link.save()
    owner.name = "Seán O'Neill & Co"
    owner.save()
    booking = booked(link, START, name="Siobhán O'Brien")
    moved = services.booking_reschedule(booking=booking, start=START + timedelta(days=1))
    outbox.drain()
    with time_machine.travel(START, tick=False):  # a day before the new time: the reminder
        outbox.drain()
        services.booking_cancel(booking=moved)
        outbox.drain()

    subjects = [m.subject for m in mail.outbox]
    assert [s.split(":")[0] for s in subjects] == [
        "Confirmed",
        "New booking",
        "Rescheduled",
        "Rescheduled",
        "Reminder",
        "Cancelled",
        "Cancelled",
    ]
    assert subjects[0].startswith("Confirmed: Q&A <b> with Seán O'Neill & Co on ")
    assert subjects[1].startswith("New booking: Siobhán O'Brien for Q&A <b> on ")
    for message in mail.outbox:
        assert "Q&A <b>" in message.subject, message.subject
        assert "Q&A <b>" in message.body and "&amp;" not in message.body
        assert "&#x27;" not in message.subject + message.body


def test_the_code_email_subject_is_plain_text(link, frozen, booked):
    link.title = "Q&A <b>"
    link.require_email_verification = True
    link.save()
    booked(link, START, name="Siobhán O'Brien")
    outbox.drain()

    [code_email] = mail.outbox
    assert code_email.subject.endswith(" is your code to confirm Q&A <b>")
    assert "Siobhán O'Brien" in code_email.body
