"""What every booking write shares: row locks, the race-safe retry, holding the hosts' time and
the outbox rows that tell people about a booking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction

from booking import automation, kinds, selectors, single_use
from booking.calendar_events import (
    MEETING_LINK_WAIT,
    enqueue_event_writes,
    waits_for_meeting_link,
)
from booking.conference import enqueue_conference, waits_for_conference
from booking.models import Booking, BookingLink, Reservation
from booking.services.errors import BookingClosed, SlotTaken
from workflows import outbox
from workflows.kinds import Kind

REMINDER_BEFORE = timedelta(hours=24)
# PostgreSQL's answers when a concurrent transaction holds the same host's time: the exclusion
# constraint refused our row, or both inserts waited on each other while checking it.
EXCLUSION_VIOLATION = "23P01"
DEADLOCK_DETECTED = "40P01"
RACE_SQLSTATES = {EXCLUSION_VIOLATION, DEADLOCK_DETECTED}
RACE_RETRIES = 3
T = TypeVar("T")


def race_safe(work: Callable[[], T]) -> T:
    """Run ``work`` in one transaction. When a concurrent booking won the same host's time (the
    exclusion constraint refused our row, or the two inserts deadlocked checking it), run it
    again: the re-check then sees the winner and offers another free host or says "just taken".
    """
    for attempt in range(RACE_RETRIES):
        try:
            with transaction.atomic():
                return work()
        except (IntegrityError, OperationalError) as exc:
            if sqlstate(exc) not in RACE_SQLSTATES:
                raise
            if attempt == RACE_RETRIES - 1 or connection.in_atomic_block:
                raise SlotTaken from exc
    raise AssertionError("unreachable")


def sqlstate(exc: DatabaseError) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def lock_link(link: BookingLink) -> None:
    """Serialise bookings of one link, so its caps and group seats are counted exactly.

    (Overlaps across links are the exclusion constraint's job; SQLite serialises every write.)
    """
    BookingLink.objects.select_for_update().filter(pk=link.pk).values_list("pk").first()


def counts_own_bookings(link: BookingLink) -> bool:
    """Whether booking ``link`` counts its own bookings (caps, group seats, the round-robin's
    fair rotation), so its bookings must take :func:`lock_link`. A one-on-one or collective
    link without caps need not: its overlaps are the exclusion constraint's job alone, and
    bookings of other times then go through side by side."""
    if link.daily_cap or link.weekly_cap or link.monthly_cap:
        return True
    return link.kind not in (BookingLink.Kind.ONE_ON_ONE, BookingLink.Kind.COLLECTIVE)


def locked(booking: Booking) -> Booking:
    """The booking's row, re-read and locked for the rest of the transaction."""
    return Booking.objects.select_for_update().select_related("link", "host").get(pk=booking.pk)


def refuse_unless_open(booking: Booking, action: str, *, now: datetime, by: str) -> None:
    """Raise the booking's refusal of ``action`` (a ``Booking.Change``), if it has one."""
    refusal = booking.refusal(action, now, by)
    if refusal is not None:
        raise BookingClosed(refusal.message)


def reserve(booking: Booking, link: BookingLink, host_ids: list[int]) -> None:
    """Hold every host's time, buffers included; a group session's seats share one key."""
    blocked_start, blocked_end = booking.blocked_range(link)
    share_key = None
    if link.is_group:
        share_key = selectors.group_share_key(link, booking.start, booking.duration_minutes)
    Reservation.objects.bulk_create(
        Reservation(
            booking=booking,
            host_id=host_id,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
            share_key=share_key,
        )
        for host_id in host_ids
    )


def enqueue_reminder(booking: Booking, *, now: datetime) -> None:
    """The attendee's reminder a day ahead, unless that moment has already passed."""
    reminder_at = booking.start - REMINDER_BEFORE
    if reminder_at > now:
        outbox.enqueue(
            kind=kinds.REMINDER,
            key=f"booking:{booking.pk}:reminder:24h",
            payload={"booking_id": booking.pk},
            subject=booking.subject,
            due_at=reminder_at,
        )


def enqueue_confirmation(booking: Booking, *, now: datetime) -> None:
    """The confirmation, the host's email, the reminder and the workflows of a confirmed booking."""
    key = f"booking:{booking.pk}"
    payload = {"booking_id": booking.pk}
    # With a Meet / Teams link on the way, the emails wait for it (briefly: they go without it
    # if the calendar is slow).
    waits = waits_for_meeting_link(booking) or waits_for_conference(booking)
    due_at = now + MEETING_LINK_WAIT if waits else None
    enqueue_conference(booking)
    enqueue_event_writes(booking)
    outbox.enqueue(
        kind=kinds.CONFIRMATION,
        key=f"{key}:confirmation",
        payload=payload,
        subject=booking.subject,
        due_at=due_at,
    )
    outbox.enqueue(
        kind=kinds.HOST_NOTIFICATION,
        key=f"{key}:host-notification",
        payload=payload,
        subject=booking.subject,
        due_at=due_at,
    )
    enqueue_reminder(booking, now=now)
    single_use.settle(booking, now=now)
    automation.on_confirmed(booking)


def notify_both(booking: Booking, kind: Kind, *, event: str) -> None:
    """One outbox row per audience, so a failure for one never resends to the other."""
    for audience in ("attendee", "host"):
        outbox.enqueue(
            kind=kind,
            key=f"booking:{booking.pk}:{event}:{audience}",
            payload={"booking_id": booking.pk, "audience": audience},
            subject=booking.subject,
        )
