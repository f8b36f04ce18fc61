"""The host asks the attendee to pick a new time ("reschedule on behalf", reschedule-cancel.txt).

The booking stays as it is: the attendee gets an email with their own reschedule link, and the
move happens only when they pick a time, through the same page and rules as any reschedule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking import kinds, timeline
from booking.models import Booking, BookingEvent
from booking.services.common import locked
from booking.services.errors import BookingClosed, BookingError
from workflows import outbox

MAX_NOTE = 1000


def new_time_refusal(booking: Booking, now: datetime) -> str | None:
    """Why the attendee can't be asked for a new time now (said to the host), or ``None``."""
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        return "The attendee hasn't verified their email yet, so they can't move this booking."
    if booking.status != Booking.Status.CONFIRMED:
        status = booking.get_status_display().lower()
        return f"This booking is {status}, so there is no time to move."
    if booking.start <= now:
        return (
            "This meeting has already started, so its reschedule link no longer works. "
            "Send the attendee the booking page instead."
        )
    return None


def booking_ask_new_time(
    *, booking: Booking, actor: Any, note: str = "", now: datetime | None = None
) -> Booking:
    """Email the attendee their reschedule link with the host's ``note``, and put the request
    on the booking's timeline. Each request is an email of its own."""
    now = now or timezone.now()
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise BookingError(f"Keep the message under {MAX_NOTE} characters.")
    with transaction.atomic():
        booking = locked(booking)
        refusal = new_time_refusal(booking, now)
        if refusal is not None:
            raise BookingClosed(refusal)
        event = timeline.record(
            booking,
            BookingEvent.Kind.NEW_TIME_ASKED,
            at=now,
            by=BookingEvent.By.HOST,
            actor=actor,
            detail=note,
        )
        outbox.enqueue(
            kind=kinds.NEW_TIME_REQUEST,
            key=f"booking:{booking.pk}:new-time:{event.pk}",
            payload={"booking_id": booking.pk, "message": note},
            subject=booking.subject,
        )
    return booking
