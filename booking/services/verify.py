"""The attendee's email code: verify it, resend it, or release the held time when it runs out."""

from __future__ import annotations

import math
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from booking import kinds, timeline, verification
from booking.models import (
    EXPIRED_REASON,
    STARTED_REASON,
    TOO_MANY_MESSAGE,
    TOO_MANY_REASON,
    Booking,
    BookingEvent,
)
from booking.services.common import enqueue_confirmation, locked
from booking.services.errors import (
    BookingClosed,
    BookingError,
    CodeExpired,
    ResendRefused,
    WrongCode,
)
from workflows import outbox
from workflows.models import OutboxMessage


def booking_verify(*, booking: Booking, code: str, now: datetime | None = None) -> Booking:
    """Check the attendee's code. Right: the booking is confirmed and the normal post-booking
    emails and reminder are written. Wrong: one of three tries is used up. Expired or the third
    wrong one: the hold is released. Verifying a verified booking returns it unchanged until the
    meeting starts.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        # Verifying twice is harmless, but like every token this one dies at the start.
        error = _refused(booking, Booking.Change.VERIFY, now=now, release_started=True)
        if error is None and booking.status == Booking.Status.CONFIRMED:
            return booking
        error = error or _check_code(booking, code, now=now)
    # Raised after the commit: a wrong try and a release must be stored, not rolled back.
    if error is not None:
        raise error
    return booking


def _refused(
    booking: Booking, action: str, *, now: datetime, release_started: bool
) -> BookingError | None:
    """The booking's refusal as an error; a hold whose code ran out (or, with
    ``release_started``, whose meeting started) is released on the way."""
    refusal = booking.refusal(action, now)
    if refusal is None:
        return None
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        if refusal.reason == "code_expired":
            _release(booking, now=now, why=EXPIRED_REASON)
            return CodeExpired(refusal.message)
        if refusal.reason == "started" and release_started:
            _release(booking, now=now, why=STARTED_REASON)
    return BookingClosed(refusal.message)


def _check_code(booking: Booking, code: str, *, now: datetime) -> BookingError | None:
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
        return CodeExpired(str(TOO_MANY_MESSAGE))
    tries = "1 try" if left == 1 else f"{left} tries"
    return WrongCode(f"That code is not right. Check the email and try again ({tries} left).")


def _confirm(booking: Booking, *, now: datetime) -> None:
    booking.status = Booking.Status.CONFIRMED
    verification.code_clear(booking)
    booking.save(update_fields=["status", *verification.CLEARED_FIELDS])
    outbox.withdraw(subject=booking.subject, kinds=kinds.VERIFICATION_KINDS)
    timeline.record(booking, BookingEvent.Kind.VERIFIED, at=now, by=BookingEvent.By.ATTENDEE)
    # The same rows an unverified booking writes at once: confirmation, host email, reminder.
    enqueue_confirmation(booking, now=now)


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


def booking_resend_code(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Email a new code with a fresh expiry: at most one a minute and six codes per booking.
    Wrong tries are not reset, so resending never buys more guesses than three."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        error = _refused(booking, Booking.Change.RESEND_CODE, now=now, release_started=False)
        error = error or _resend_too_soon(booking, now)
        if error is None:
            verification.code_issue(booking, now=now)
    if error is not None:
        raise error
    return booking


def _resend_too_soon(booking: Booking, now: datetime) -> BookingError | None:
    if booking.verification_codes_sent >= verification.MAX_CODES:
        return ResendRefused(
            gettext(
                "We've already sent the most codes we can for this booking. "
                "Use the latest one, or book again."
            )
        )
    sent_at = booking.verification_sent_at
    if sent_at is not None and now < sent_at + verification.RESEND_INTERVAL:
        wait = math.ceil((sent_at + verification.RESEND_INTERVAL - now).total_seconds())
        return ResendRefused(
            ngettext(
                "A code was just sent. You can ask for another in %(wait)s second.",
                "A code was just sent. You can ask for another in %(wait)s seconds.",
                wait,
            )
            % {"wait": wait}
        )
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
