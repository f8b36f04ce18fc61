"""Booking writes after the booking: verify the email, resend the code, release an unverified hold,
reconfirm, host cancel and no-show. One transaction each; side effects in the outbox.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking import automation, kinds, services, timeline, verification
from booking.models import Booking, BookingEvent
from booking.services import BookingClosed, BookingError
from workflows import outbox
from workflows.models import OutboxMessage

MAX_REASON = 2000
# What the attendee reads, and the cancel reason the host sees, when a hold is released.
EXPIRED_MESSAGE = "This code has expired, so the time is no longer held for you. Please book again."
TOO_MANY_MESSAGE = (
    "That code was wrong three times, so the booking was cancelled and the time released. "
    "Please book again."
)
EXPIRED_REASON = "The verification code expired."
TOO_MANY_REASON = "A wrong code was entered three times."
STARTED_REASON = "The meeting started before the email was verified."
STARTED_MESSAGE = "This meeting has already started."


class WrongCode(BookingError):
    field = "code"


class CodeExpired(BookingError):
    """The code ran out: the hold is released (the booking is cancelled)."""

    field = "code"


class ResendRefused(BookingError):
    field = "code"


# ---------------------------------------------------------------------------------------------
# Email verification


def booking_verify(*, booking: Booking, code: str, now: datetime | None = None) -> Booking:
    """Check the attendee's code. Right: the booking is confirmed and the normal post-booking
    emails and reminder are written. Wrong: one of three tries is used up. Expired or the third
    wrong one: the hold is released. Verifying a verified booking returns it unchanged until the
    meeting starts.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = services._locked(booking)
        if booking.status == Booking.Status.CONFIRMED:
            # Verifying twice is harmless, but like every token this one dies at the start.
            if booking.start <= now:
                raise BookingClosed(STARTED_MESSAGE)
            return booking
        error = _verify_locked(booking, code, now=now)
    # Raised after the commit: a wrong try and a release must be stored, not rolled back.
    if error is not None:
        raise error
    return booking


def _verify_locked(booking: Booking, code: str, *, now: datetime) -> BookingError | None:
    if booking.status != Booking.Status.PENDING_VERIFICATION:
        return BookingClosed(closed_message(booking))
    if booking.start <= now:
        _release(booking, now=now, why=STARTED_REASON)
        return BookingClosed("This meeting has already started and can no longer be booked.")
    if _expired(booking, now):
        _release(booking, now=now, why=EXPIRED_REASON)
        return CodeExpired(EXPIRED_MESSAGE)
    if not verification.code_matches(booking, code):
        return _wrong_code(booking, now=now)
    _confirm(booking, now=now)
    return None


def _expired(booking: Booking, now: datetime) -> bool:
    return booking.verification_expires_at is None or booking.verification_expires_at <= now


def _wrong_code(booking: Booking, *, now: datetime) -> BookingError:
    booking.verification_attempts += 1
    booking.save(update_fields=["verification_attempts"])
    left = verification.MAX_WRONG_CODES - booking.verification_attempts
    if left <= 0:
        _release(booking, now=now, why=TOO_MANY_REASON)
        return CodeExpired(TOO_MANY_MESSAGE)
    tries = "1 try" if left == 1 else f"{left} tries"
    return WrongCode(f"That code is not right. Check the email and try again ({tries} left).")


def _confirm(booking: Booking, *, now: datetime) -> None:
    booking.status = Booking.Status.CONFIRMED
    verification.code_clear(booking)
    booking.save(update_fields=["status", *verification.CLEARED_FIELDS])
    outbox.withdraw(subject=booking.subject, kinds=kinds.VERIFICATION_KINDS)
    timeline.record(booking, BookingEvent.Kind.VERIFIED, at=now, by=BookingEvent.By.ATTENDEE)
    # The same rows an unverified booking writes at once: confirmation, host email, reminder.
    services._enqueue_confirmation(booking, now=now)


def _release(booking: Booking, *, now: datetime, why: str) -> None:
    """Cancel an unverified booking quietly: nobody was told about it, so nobody is emailed."""
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = why
    verification.code_clear(booking)
    booking.save(
        update_fields=["status", "cancelled_at", "cancel_reason", *verification.CLEARED_FIELDS]
    )
    booking.reservations.update(active=False)
    outbox.withdraw(subject=booking.subject, kinds=kinds.VERIFICATION_KINDS)
    timeline.record(booking, BookingEvent.Kind.RELEASED, at=now, detail=why)


def closed_message(booking: Booking) -> str:
    if booking.status == Booking.Status.CANCELLED:
        released = {EXPIRED_REASON: EXPIRED_MESSAGE, TOO_MANY_REASON: TOO_MANY_MESSAGE}
        return released.get(booking.cancel_reason, "This booking was cancelled. Please book again.")
    return f"This booking is {booking.get_status_display().lower()}."


def booking_resend_code(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Email a new code with a fresh expiry: at most one a minute and six codes per booking.
    Wrong tries are not reset, so resending never buys more guesses than three."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = services._locked(booking)
        error = _resend_refusal(booking, now)
        if error is None:
            verification.code_issue(booking, now=now)
        elif isinstance(error, CodeExpired):
            _release(booking, now=now, why=EXPIRED_REASON)
    if error is not None:
        raise error
    return booking


def _resend_refusal(booking: Booking, now: datetime) -> BookingError | None:
    if booking.status != Booking.Status.PENDING_VERIFICATION:
        return BookingClosed(closed_message(booking))
    if booking.start <= now:
        return BookingClosed("This meeting has already started and can no longer be booked.")
    if _expired(booking, now):
        return CodeExpired(EXPIRED_MESSAGE)
    if booking.verification_codes_sent >= verification.MAX_CODES:
        return ResendRefused(
            "We've already sent the most codes we can for this booking. "
            "Use the latest one, or book again."
        )
    sent_at = booking.verification_sent_at
    if sent_at is not None and now < sent_at + verification.RESEND_INTERVAL:
        wait = math.ceil((sent_at + verification.RESEND_INTERVAL - now).total_seconds())
        unit = "second" if wait == 1 else "seconds"
        return ResendRefused(f"A code was just sent. You can ask for another in {wait} {unit}.")
    return None


def booking_release_unverified(*, booking_id: int, now: datetime | None = None) -> bool:
    """Free the time of a booking whose code expired unverified. Anything else is left alone
    (verified, cancelled, or given a newer code): returns whether it released."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.status != Booking.Status.PENDING_VERIFICATION:
            return False
        if not _expired(booking, now):
            return False
        _release(booking, now=now, why=EXPIRED_REASON)
    return True


def release_when_expired(message: OutboxMessage) -> None:
    if not booking_release_unverified(booking_id=message.payload.get("booking_id", 0)):
        raise outbox.Drop("the booking was no longer waiting for this code")


# ---------------------------------------------------------------------------------------------
# Reconfirmation


def booking_reconfirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The attendee says they are still coming. A second reconfirmation keeps the first time."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = services._locked(booking)
        if booking.reconfirmed_at is not None and booking.status == Booking.Status.CONFIRMED:
            return booking
        if booking.status == Booking.Status.PENDING_VERIFICATION:
            raise BookingClosed(services.UNVERIFIED_MESSAGE)
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingClosed(
                f"This booking is {booking.get_status_display().lower()} "
                "and can no longer be reconfirmed."
            )
        if booking.start <= now:
            raise BookingClosed("This meeting has already started and can no longer be changed.")
        booking.reconfirmed_at = now
        booking.save(update_fields=["reconfirmed_at"])
        timeline.record(booking, BookingEvent.Kind.RECONFIRMED, at=now, by=BookingEvent.By.ATTENDEE)
    return booking


# ---------------------------------------------------------------------------------------------
# Host actions


def booking_host_cancel(
    *, booking: Booking, actor: Any, reason: str, now: datetime | None = None
) -> Booking:
    """The host cancels with a reason the attendee will read; a meeting that has ended is kept
    (mark it a no-show instead)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise BookingError("Give a reason: the attendee will see it in the cancellation email.")
    if len(reason) > MAX_REASON:
        raise BookingError(f"Keep the reason under {MAX_REASON} characters.")
    if booking.status == Booking.Status.CONFIRMED and booking.end <= now:
        raise BookingClosed(
            "This meeting has already ended, so it can't be cancelled. "
            "Mark it as a no-show if the attendee didn't come."
        )
    return services.booking_cancel(
        booking=booking, reason=reason, by_host=True, actor=actor, now=now
    )


def booking_mark_no_show(*, booking: Booking, actor: Any, now: datetime | None = None) -> Booking:
    """The attendee didn't come: only a confirmed meeting that has started can be marked."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = services._locked(booking)
        if booking.status == Booking.Status.NO_SHOW:
            return booking
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingClosed(
                f"This booking is {booking.get_status_display().lower()}; "
                "only confirmed meetings can be marked as no-shows."
            )
        if booking.start > now:
            raise BookingClosed(
                "This meeting hasn't started yet, so it can't be marked as a no-show."
            )
        _set_status(booking, Booking.Status.NO_SHOW, BookingEvent.Kind.NO_SHOW, actor, now)
        automation.on_no_show(booking)
    return booking


def booking_undo_no_show(*, booking: Booking, actor: Any, now: datetime | None = None) -> Booking:
    """Back to confirmed: the attendee came after all."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = services._locked(booking)
        if booking.status == Booking.Status.CONFIRMED:
            return booking
        if booking.status != Booking.Status.NO_SHOW:
            raise BookingClosed(
                f"This booking is {booking.get_status_display().lower()}, not a no-show."
            )
        kind = BookingEvent.Kind.NO_SHOW_UNDONE
        _set_status(booking, Booking.Status.CONFIRMED, kind, actor, now)
    return booking


def _set_status(booking: Booking, status: str, kind: str, actor: Any, now: datetime) -> None:
    booking.status = status
    booking.save(update_fields=["status"])
    timeline.record(booking, kind, at=now, by=BookingEvent.By.HOST, actor=actor)
