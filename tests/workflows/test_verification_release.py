"""The outbox releases a hold whose email was never verified, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from booking import kinds, services, verification
from booking.models import Booking, BookingEvent
from tests.booking.helpers import attendee, utc
from tests.booking.otp_helpers import code_emails, latest_code
from workflows import outbox
from workflows.models import OutboxMessage

START = utc(2026, 11, 25, 9, 0)


@pytest.fixture
def pending(link, frozen):
    link.require_email_verification = True
    link.save()
    return services.booking_create(link=link, start=START, attendee=attendee())


def release_rows(booking: Booking):
    return OutboxMessage.objects.filter(
        subject=booking.subject, kind=kinds.VERIFICATION_RELEASE.name
    )


def test_the_release_row_is_due_when_the_code_expires(pending):
    row = release_rows(pending).get()
    assert row.due_at == pending.created_at + verification.CODE_TTL


def test_an_unverified_hold_is_released_at_expiry_without_emailing(pending, link, frozen):
    latest_code()
    frozen.shift(verification.CODE_TTL - timedelta(seconds=1))
    outbox.drain()
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING_VERIFICATION  # not yet

    frozen.shift(timedelta(seconds=1))
    outbox.drain()

    pending.refresh_from_db()
    assert pending.status == Booking.Status.CANCELLED
    assert not pending.reservations.filter(active=True).exists()
    assert len(mail.outbox) == 1 and code_emails()  # only the code, nothing about the release
    assert pending.events.filter(kind=BookingEvent.Kind.RELEASED).exists()
    assert release_rows(pending).get().state == "sent"
    again = services.booking_create(
        link=link, start=START, attendee=attendee(email="bob@example.com")
    )
    assert again.status == Booking.Status.PENDING_VERIFICATION  # the time was free again


def test_the_release_never_touches_a_verified_booking(pending, frozen):
    services.booking_verify(booking=pending, code=latest_code())
    row = release_rows(pending).get()
    assert row.state == "withdrawn"
    # Even when a worker had claimed the row before the code came in, it leaves it alone.
    row.withdrawn_at = None
    row.save()
    frozen.shift(verification.CODE_TTL)

    outbox.drain()

    pending.refresh_from_db()
    assert pending.status == Booking.Status.CONFIRMED
    assert pending.reservations.get().active
    row.refresh_from_db()
    assert row.last_error == "Dropped: the booking was no longer waiting for this code"


def test_a_resent_code_moves_the_release_to_its_own_expiry(pending, frozen):
    outbox.drain()
    frozen.shift(timedelta(minutes=5))
    services.booking_resend_code(booking=pending)
    first, second = release_rows(pending).order_by("pk")
    assert first.state == "withdrawn"
    assert second.due_at == pending.created_at + timedelta(minutes=5) + verification.CODE_TTL
    # A stale release at the first expiry would find the hold still valid.
    first.withdrawn_at = None
    first.save()
    frozen.shift(verification.CODE_TTL - timedelta(minutes=5))
    assert services.booking_release_unverified(booking_id=pending.pk) is False
    outbox.drain()
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING_VERIFICATION

    frozen.shift(timedelta(minutes=5))
    outbox.drain()
    pending.refresh_from_db()
    assert pending.status == Booking.Status.CANCELLED


def test_a_release_for_a_cancelled_booking_is_dropped(pending, frozen):
    services.booking_cancel(booking=pending, reason="changed my mind")
    assert release_rows(pending).get().state == "withdrawn"
    assert services.booking_release_unverified(booking_id=pending.pk) is False
    assert services.booking_release_unverified(booking_id=10**9) is False
