"""Reschedule and cancel through the booking's token: GET shows, POST acts, tokens rotate."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail
from icalendar import Calendar

from booking import services
from booking.models import Booking
from tests.booking.helpers import attendee, utc
from workflows import outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 Berlin
NEW_START = "2026-11-26T11:00:00+01:00"


def test_get_pages_change_nothing(client, link, frozen, booked):
    booking = booked(link, START)
    assert client.get(booking.cancel_url).status_code == 200
    assert client.get(booking.reschedule_url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_cancel_stores_the_reason_frees_the_slot_and_notifies_with_a_cancel_ics(
    client, link, frozen, booked
):
    booking = booked(link, START)
    outbox.drain()
    mail.outbox.clear()

    response = client.post(booking.cancel_url, {"reason": "Something came up"})

    assert response.status_code == 200 and "Your booking is cancelled" in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Something came up")
    assert not booking.reservations.filter(active=True).exists()
    outbox.drain()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "owner@acme.test"]
    ics = Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert ics["METHOD"] == "CANCEL"
    assert ics.walk("VEVENT")[0]["UID"] == booking.ical_uid


def test_cancel_twice_is_a_no_op_returning_the_same_row(client, link, frozen, booked):
    booking = booked(link, START)
    first = services.booking_cancel(booking=booking, reason="first")
    second = services.booking_cancel(booking=booking, reason="second")
    assert (first.pk, second.pk, second.cancel_reason) == (booking.pk, booking.pk, "first")
    assert (
        OutboxMessage.objects.filter(kind="booking.cancellation").count() == 2
    )  # once per audience
    assert "This booking is cancelled" in client.post(booking.cancel_url).content.decode()


def test_the_deal_is_left_alone_on_cancel(link, frozen, booked):
    from tests.factories import StageFactory

    link.create_deal = True
    link.deal_stage = StageFactory(workspace=link.workspace, pipeline__workspace=link.workspace)
    link.save()
    booking = booked(link, START)
    services.booking_cancel(booking=booking)
    booking.refresh_from_db()
    assert booking.deal is not None and booking.deal.stage == link.deal_stage


def test_reschedule_moves_to_a_new_row_with_a_fresh_token_and_the_same_uid(
    client, link, frozen, booked
):
    booking = booked(link, START)

    response = client.post(booking.reschedule_url, {"start": NEW_START})

    assert response.status_code == 302
    old = Booking.objects.get(pk=booking.pk)
    new = Booking.objects.exclude(pk=booking.pk).get()
    assert (
        old.status == Booking.Status.RESCHEDULED
        and not old.reservations.filter(active=True).exists()
    )
    assert (new.status, new.start, new.rescheduled_from) == (
        "confirmed",
        utc(2026, 11, 26, 10, 0),
        old,
    )
    assert new.reschedule_token != old.reschedule_token
    assert (new.ical_uid, new.sequence) == (old.ical_uid, old.sequence + 1)
    assert "Your meeting has moved" in client.get(response["Location"]).content.decode()


def test_the_old_token_is_dead_after_a_reschedule(client, link, frozen, booked):
    booking = booked(link, START)
    client.post(booking.reschedule_url, {"start": NEW_START})
    response = client.post(booking.reschedule_url, {"start": "2026-11-27T11:00:00+01:00"})
    assert response.status_code == 410
    assert "already rescheduled" in response.content.decode()
    assert Booking.objects.count() == 2


def test_the_moved_page_is_gone_for_an_old_token(client, link, frozen, booked):
    booking = booked(link, START)
    first = client.post(booking.reschedule_url, {"start": NEW_START})["Location"]
    assert client.get(first).status_code == 200
    moved = Booking.objects.get(rescheduled_from=booking)
    client.post(moved.reschedule_url, {"start": "2026-11-27T11:00:00+01:00"})

    response = client.get(first)

    assert response.status_code == 410
    assert "already rescheduled" in response.content.decode()
    assert "Your meeting has moved" not in response.content.decode()


def test_the_moved_page_is_gone_once_cancelled(client, link, frozen, booked):
    booking = booked(link, START)
    moved_page = client.post(booking.reschedule_url, {"start": NEW_START})["Location"]
    moved = Booking.objects.get(rescheduled_from=booking)
    client.post(moved.cancel_url, {"reason": ""})

    response = client.get(moved_page)

    assert response.status_code == 410
    assert "This booking is cancelled." in response.content.decode()


def test_the_moved_page_is_gone_once_the_meeting_starts(client, link, frozen, booked):
    booking = booked(link, START)
    moved_page = client.post(booking.reschedule_url, {"start": NEW_START})["Location"]
    with time_machine.travel(utc(2026, 11, 26, 10, 0), tick=False):
        response = client.get(moved_page)
    assert response.status_code == 410
    assert "already started" in response.content.decode()


def test_the_moved_page_is_gone_for_an_unverified_booking(client, link, frozen, booked):
    link.require_email_verification = True
    link.save()
    pending = booked(link, START)
    assert pending.status == Booking.Status.PENDING_VERIFICATION

    response = client.get(f"/book/rescheduled/{pending.reschedule_token}")

    assert response.status_code == 410
    assert "pending verification" in response.content.decode()
    assert "Your meeting has moved" not in response.content.decode()


def test_the_booking_being_moved_does_not_block_its_own_new_time(client, link, frozen, booked):
    booking = booked(link, START)  # 10:00-10:30
    response = client.post(booking.reschedule_url, {"start": "2026-11-25T10:15:00+01:00"})
    assert response.status_code == 400  # off the grid
    response = client.post(booking.reschedule_url, {"start": "2026-11-25T10:30:00+01:00"})
    assert response.status_code == 302


def test_rescheduling_into_a_taken_slot_changes_nothing(client, link, frozen, booked):
    booking = booked(link, START)
    services.booking_create(
        link=link, start=utc(2026, 11, 26, 10, 0), attendee=attendee(email="b@example.com")
    )
    response = client.post(booking.reschedule_url, {"start": NEW_START})
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.start == START


def test_a_new_time_taken_meanwhile_lists_its_day_again_in_the_attendees_zone(
    client, link, frozen, booked
):
    booking = booked(link, START)
    services.booking_create(
        link=link, start=utc(2026, 11, 26, 10, 0), attendee=attendee(email="b@example.com")
    )

    response = client.post(
        booking.reschedule_url,
        {"start": "2026-11-26T05:00:00-05:00", "timezone": "America/New_York"},
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken. Please pick another." in body
    # Thursday again, in New York time: 11:00 in Berlin (05:00) is gone, 05:30 is offered.
    assert "Thursday, 26 November" in body
    assert ">04:30<" in body and ">05:00<" not in body and ">05:30<" in body
    assert 'option value="America/New_York" selected' in body
    assert "data-detect-timezone" not in body


def test_reschedule_moves_the_reminder(link, frozen, booked):
    booking = booked(link, START)
    new = services.booking_reschedule(booking=booking, start=utc(2026, 11, 27, 10, 0))
    reminders = OutboxMessage.objects.filter(kind="booking.reminder")
    assert reminders.get(subject=booking.subject).withdrawn_at is not None
    assert reminders.get(subject=new.subject).due_at == new.start - timedelta(hours=24)


def test_tokens_die_when_the_meeting_starts(client, link, frozen, booked):
    booking = booked(link, START)
    with time_machine.travel(START, tick=False):
        assert client.post(booking.cancel_url).status_code == 410
        assert "already started" in client.get(booking.reschedule_url).content.decode()
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_unknown_and_malformed_tokens_are_404_and_rate_limited(client, link, frozen, settings):
    settings.RATELIMIT_TOKENS_PER_MINUTE = 3
    assert client.get("/book/cancel/" + "0" * 32).status_code == 404
    assert client.get("/book/cancel/not-a-token").status_code == 404
    assert client.get("/book/reschedule/" + "f" * 32).status_code == 404
    assert client.get("/book/cancel/" + "1" * 32).status_code == 429
