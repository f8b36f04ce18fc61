"""Moving a booking to another time: the old row is kept, a new one takes the new time."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from booking import automation, kinds, timeline
from booking.calendar_events import enqueue_event_writes
from booking.conference import enqueue_conference
from booking.ics import booking_hosts
from booking.models import Booking, BookingEvent
from booking.services import payments
from booking.services.common import (
    enqueue_reminder,
    lock_link,
    locked,
    notify_both,
    race_safe,
    refuse_unless_open,
    reserve,
)
from booking.services.errors import BookingClosed
from booking.services.slots import assign_hosts
from workflows import outbox


def booking_reschedule(
    *, booking: Booking, start: datetime, now: datetime | None = None
) -> Booking:
    """Move a booking: the old row becomes ``rescheduled`` (kept, linked), a new confirmed row
    with a fresh token takes the new time, and everyone gets an updated invite."""
    now = now or timezone.now()

    def move() -> Booking:
        old = locked(booking)
        refuse_unless_open(old, Booking.Change.RESCHEDULE, now=now, by=BookingEvent.By.ATTENDEE)
        lock_link(old.link)
        host_ids = assign_hosts(
            old.link,
            start=start,
            duration=old.duration_minutes,
            now=now,
            exclude_booking_id=old.pk,
            prefer=old.host_id,
        )
        new = _move(old, host_ids=host_ids, start=start, now=now)
        by = BookingEvent.By.ATTENDEE
        timeline.record(old, BookingEvent.Kind.RESCHEDULED_TO, at=now, by=by)
        timeline.record(new, BookingEvent.Kind.RESCHEDULED_FROM, at=now, by=by)
        return new

    return race_safe(move)


def booking_calendar_move(
    *, booking: Booking, start: datetime, end: datetime, now: datetime | None = None
) -> Booking:
    """The host moved the meeting in their own calendar: it takes that time (and length) with no
    availability rules, since the host chose it, and the attendee is told as for any reschedule.
    The hosts' time is still held, so a move onto another booking raises :class:`SlotTaken`."""
    now = now or timezone.now()
    if end <= start:
        raise BookingClosed("The moved event ends before it starts.")

    def move() -> Booking:
        old = locked(booking)
        if old.status != Booking.Status.CONFIRMED:
            raise BookingClosed(old.refused("closed").message)
        host_ids = [h.pk for h in booking_hosts(old)]
        new = _move(old, host_ids=host_ids, start=start, now=now, end=end)
        by = BookingEvent.By.HOST
        detail = "Moved in the host's calendar."
        timeline.record(old, BookingEvent.Kind.RESCHEDULED_TO, at=now, by=by, detail=detail)
        timeline.record(new, BookingEvent.Kind.RESCHEDULED_FROM, at=now, by=by, detail=detail)
        return new

    return race_safe(move)


def _move(
    old: Booking,
    *,
    host_ids: list[int],
    start: datetime,
    now: datetime,
    end: datetime | None = None,
) -> Booking:
    old_hosts = [h.pk for h in booking_hosts(old)]
    old.status = Booking.Status.RESCHEDULED
    old.save(update_fields=["status"])
    old.reservations.update(active=False)
    outbox.withdraw(subject=old.subject, kinds=[kinds.REMINDER])
    new = Booking.objects.create(
        workspace=old.workspace,
        link=old.link,
        host_id=host_ids[0],
        status=Booking.Status.CONFIRMED,
        start=start,
        end=end or start + (old.end - old.start),
        timezone=old.timezone,
        language=old.language,
        name=old.name,
        email=old.email,
        phone=old.phone,
        guests=old.guests,
        answers=old.answers,
        answer_labels=old.answer_labels,
        # Both rows name the same stored files; they are removed when no booking names them.
        answer_files=old.answer_files,
        utm=old.utm,
        ical_uid=old.ical_uid,
        sequence=old.sequence + 1,
        contact=old.contact,
        deal=old.deal,
        # The same meeting place and video meeting: a conferencing meeting is moved, not remade.
        meeting_url=old.meeting_url,
        location_kind=old.location_kind,
        location=old.location,
        dial_in=old.dial_in,
        conference_id=old.conference_id,
        rescheduled_from=old,
        created_at=now,
    )
    reserve(new, old.link, host_ids)
    payments.move_payment(old, new)
    # The same event moves in place; a host who no longer hosts it has theirs removed.
    enqueue_event_writes(new, [*host_ids, *old_hosts])
    enqueue_conference(new)
    notify_both(new, kinds.RESCHEDULED, event="rescheduled")
    automation.on_rescheduled(old, new)
    enqueue_reminder(new, now=now)
    return new
