"""Cancelling a booking: by the attendee through their link, or by the host with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking import automation, kinds, timeline
from booking.calendar_events import enqueue_event_writes
from booking.conference import enqueue_conference
from booking.models import Booking, BookingEvent
from booking.services import payments
from booking.services.common import locked, notify_both, refuse_unless_open
from booking.services.errors import BookingClosed, BookingError
from workflows import outbox
from workflows.models import OutboxMessage

MAX_REASON = 2000


def booking_cancel(
    *,
    booking: Booking,
    reason: str = "",
    by_host: bool = False,
    actor: Any = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Booking:
    """Cancel and notify. Cancelling a cancelled booking returns it unchanged (idempotent).

    ``notify=False`` leaves the standard cancellation emails out, for callers that send their
    own (a missed reconfirmation explains why).

    A booking still waiting for its email to be verified was never announced, so its
    cancellation sends nothing either. ``by_host`` cancels regardless of the time (the host's
    own route, :func:`booking_host_cancel`, keeps a meeting that has ended).
    """
    by = BookingEvent.By.HOST if by_host else BookingEvent.By.ATTENDEE
    judged_as = BookingEvent.By.SYSTEM if by_host else by
    return _cancel(
        booking, reason=reason, by=by, judged_as=judged_as, actor=actor, now=now, notify=notify
    )


def _cancel(
    booking: Booking,
    *,
    reason: str,
    by: str,
    judged_as: str,
    actor: Any,
    now: datetime | None,
    notify: bool,
) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        if booking.status == Booking.Status.CANCELLED:
            return booking
        refuse_unless_open(booking, Booking.Change.CANCEL, now=now, by=judged_as)
        announced = booking.status not in (
            Booking.Status.PENDING_VERIFICATION,
            Booking.Status.PENDING_PAYMENT,
        )
        booking.status = Booking.Status.CANCELLED
        booking.cancel_reason = reason.strip()[:2000]
        booking.cancelled_at = now
        booking.sequence += 1
        booking.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence"])
        booking.reservations.update(active=False)
        outbox.withdraw(subject=booking.subject, kinds=[kinds.REMINDER, *kinds.VERIFICATION_KINDS])
        payments.on_cancel(booking, by_host=by == BookingEvent.By.HOST, now=now)
        timeline.record(
            booking,
            BookingEvent.Kind.CANCELLED,
            at=now,
            by=by,
            actor=actor,
            detail=booking.cancel_reason,
        )
        if announced:
            enqueue_event_writes(booking)
            enqueue_conference(booking)
            automation.on_cancelled(booking)
            if notify:
                notify_both(booking, kinds.CANCELLATION, event="cancellation")
    return booking


def booking_host_cancel(
    *, booking: Booking, actor: Any, reason: str, now: datetime | None = None
) -> Booking:
    """The host cancels with a reason the attendee will read, even once the meeting started;
    a meeting that has ended is kept (mark it a no-show instead)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise BookingError("Give a reason: the attendee will see it in the cancellation email.")
    if len(reason) > MAX_REASON:
        raise BookingError(f"Keep the reason under {MAX_REASON} characters.")
    host = BookingEvent.By.HOST
    return _cancel(
        booking, reason=reason, by=host, judged_as=host, actor=actor, now=now, notify=True
    )


def booking_cancel_unreconfirmed(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The reconfirmation deadline passed: unless the attendee reconfirmed, cancel the booking
    and tell them why in an email of its own (not the standard cancellation).

    Raises :class:`BookingClosed` when there is nothing to cancel: reconfirmed, no longer
    confirmed, or the meeting has already started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        if booking.reconfirmed_at is not None or booking.status != Booking.Status.CONFIRMED:
            raise BookingClosed("reconfirmed, or no longer confirmed")
        refusal = booking.refusal(Booking.Change.CANCEL, now, BookingEvent.By.ATTENDEE)
        if refusal is not None:
            raise BookingClosed(refusal.message)
        cancelled = booking_cancel(
            booking=booking,
            reason=automation.NOT_RECONFIRMED_REASON,
            by_host=True,
            now=now,
            notify=False,
        )
        outbox.enqueue(
            kind=kinds.NOT_RECONFIRMED,
            key=f"booking:{cancelled.pk}:not-reconfirmed",
            payload={"booking_id": cancelled.pk},
            subject=cancelled.subject,
        )
    return cancelled


def reconfirm_deadline(message: OutboxMessage) -> None:
    """The deadline passed: unless the attendee reconfirmed, cancel and tell them why."""
    booking = Booking.objects.filter(pk=int(message.payload.get("booking_id", 0))).first()
    if booking is None:
        raise outbox.Drop("the booking no longer exists")
    try:
        booking_cancel_unreconfirmed(booking=booking)
    except BookingClosed as exc:
        raise outbox.Drop(exc.message) from exc
