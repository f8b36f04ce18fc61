"""The attendee reconfirms; the host marks a no-show or takes it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking import automation, timeline
from booking.models import Booking, BookingEvent
from booking.services.common import locked, refuse_unless_open


def booking_reconfirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The attendee says they are still coming. A second reconfirmation keeps the first time."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        if booking.reconfirmed_at is not None and booking.status == Booking.Status.CONFIRMED:
            return booking
        refuse_unless_open(booking, Booking.Change.RECONFIRM, now=now, by=BookingEvent.By.ATTENDEE)
        booking.reconfirmed_at = now
        booking.save(update_fields=["reconfirmed_at"])
        timeline.record(booking, BookingEvent.Kind.RECONFIRMED, at=now, by=BookingEvent.By.ATTENDEE)
    return booking


def booking_mark_no_show(*, booking: Booking, actor: Any, now: datetime | None = None) -> Booking:
    """The attendee didn't come: only a confirmed meeting that has started can be marked."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        if booking.status == Booking.Status.NO_SHOW:
            return booking
        refuse_unless_open(booking, Booking.Change.NO_SHOW, now=now, by=BookingEvent.By.HOST)
        _set_status(booking, Booking.Status.NO_SHOW, BookingEvent.Kind.NO_SHOW, actor, now)
        automation.on_no_show(booking)
    return booking


def booking_undo_no_show(*, booking: Booking, actor: Any, now: datetime | None = None) -> Booking:
    """Back to confirmed: the attendee came after all."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = locked(booking)
        if booking.status == Booking.Status.CONFIRMED:
            return booking
        refuse_unless_open(booking, Booking.Change.UNDO_NO_SHOW, now=now, by=BookingEvent.By.HOST)
        kind = BookingEvent.Kind.NO_SHOW_UNDONE
        _set_status(booking, Booking.Status.CONFIRMED, kind, actor, now)
    return booking


def _set_status(booking: Booking, status: str, kind: str, actor: Any, now: datetime) -> None:
    booking.status = status
    booking.save(update_fields=["status"])
    timeline.record(booking, kind, at=now, by=BookingEvent.By.HOST, actor=actor)
