"""booking_cancel_unreconfirmed: the reconfirmation deadline passed without an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking import automation, kinds, services
from booking.models import Booking, BookingEvent
from tests.booking.helpers import attendee, utc
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 9, 0)


def booked(link):
    return services.booking_create(link=link, start=START, attendee=attendee())


def rows(booking, kind):
    return OutboxMessage.objects.filter(subject=booking.subject, kind=kind)


def test_it_cancels_quietly_frees_the_time_and_writes_the_email_saying_why(link, frozen):
    booking = booked(link)
    cancelled = services.booking_cancel_unreconfirmed(booking=booking)
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancel_reason == automation.NOT_RECONFIRMED_REASON
    assert not cancelled.reservations.filter(active=True).exists()
    assert rows(booking, kinds.NOT_RECONFIRMED.name).count() == 1
    assert not rows(booking, "booking.cancellation").exists()  # not the standard email
    event = cancelled.events.get(kind=BookingEvent.Kind.CANCELLED)
    assert event.by == BookingEvent.By.HOST


def test_a_reconfirmed_booking_is_kept(link, frozen):
    booking = services.booking_reconfirm(booking=booked(link))
    with pytest.raises(services.BookingClosed, match="reconfirmed"):
        services.booking_cancel_unreconfirmed(booking=booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert not rows(booking, kinds.NOT_RECONFIRMED.name).exists()


def test_a_booking_no_longer_confirmed_is_left_alone(link, frozen):
    booking = services.booking_cancel(booking=booked(link), reason="Can't make it")
    with pytest.raises(services.BookingClosed, match="no longer confirmed"):
        services.booking_cancel_unreconfirmed(booking=booking)
    booking.refresh_from_db()
    assert booking.cancel_reason == "Can't make it"


def test_a_started_meeting_is_not_cancelled(link, frozen):
    booking = booked(link)
    with pytest.raises(services.BookingClosed, match="already started"):
        services.booking_cancel_unreconfirmed(booking=booking, now=START + timedelta(minutes=1))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
