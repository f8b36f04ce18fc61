"""Booking writes. One function per state change, one transaction each, side effects in the outbox."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from availability import engine
from booking import assignment, automation, kinds, selectors, timeline, verification
from booking.crm_records import crm_records_write
from booking.models import Booking, BookingEvent, BookingLink, Reservation
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


class BookingError(Exception):
    """A booking request that cannot be honoured; ``message`` is shown to the attendee."""

    field = "start"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SlotTaken(BookingError):
    """Someone else got the slot first (or a cap filled): pick another time."""

    def __init__(self, message: str = "That time was just taken. Please pick another.") -> None:
        super().__init__(message)


class SlotUnavailable(BookingError):
    """The time was never offered: past, too soon, too far ahead or outside the hours."""


class LinkInactive(BookingError):
    def __init__(self) -> None:
        super().__init__("This link is no longer active.")


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    timezone: str
    phone: str = ""
    guests: tuple[str, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    utm: dict[str, str] = field(default_factory=dict)


def booking_create(
    *,
    link: BookingLink,
    start: datetime,
    attendee: Attendee,
    duration: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book ``start`` on ``link`` for ``attendee``.

    Re-checks the exact slot inside the transaction, inserts the booking and its host reservation,
    finds or creates the CRM contact (and deal; a failure there is retried through the outbox and
    never fails the booking), and writes the outbox rows for every email.
    Raises :class:`BookingError` subclasses with a message for the attendee; nothing is written then.
    """
    now = now or timezone.now()
    duration = duration or link.duration
    if not link.is_active or link.deleted_at is not None:
        raise LinkInactive
    if duration not in link.duration_choices:
        raise SlotUnavailable("Pick one of the offered meeting lengths.")
    if link.kind == BookingLink.Kind.INSTANT:
        return _book_instant(link, attendee=attendee, duration=duration, now=now)
    end = start + timedelta(minutes=duration)

    def book() -> Booking:
        _lock(link)
        host_ids = _assign_hosts(link, start=start, duration=duration, now=now)
        return _insert(link, host_ids=host_ids, start=start, end=end, attendee=attendee, now=now)

    return _race_safe(book)


INSTANT_ROUNDING = 5 * 60


def instant_start(now: datetime) -> datetime:
    """ "Now" for an instant meeting: rounded up to the next 5 minutes."""
    ts = engine.to_epoch(now)
    return engine.from_epoch(-(-ts // INSTANT_ROUNDING) * INSTANT_ROUNDING)


def _book_instant(
    link: BookingLink, *, attendee: Attendee, duration: int, now: datetime
) -> Booking:
    """No slot check: the meeting starts now with a fresh room, and the host hears at once.

    The host's time is still reserved so other links stop offering it, unless it is already
    taken; then the instant meeting goes ahead anyway, as asked for.
    """
    start = instant_start(now)
    with transaction.atomic():
        booking = _insert(
            link,
            host_ids=[],
            start=start,
            end=start + timedelta(minutes=duration),
            attendee=attendee,
            now=now,
            host_id=link.owner_id,
            meeting_url=settings.INSTANT_MEETING_BASE_URL + f"workestra-{secrets.token_hex(8)}",
        )
        try:
            with transaction.atomic():
                _reserve(booking, link, [link.owner_id])
        except IntegrityError as exc:
            if _sqlstate(exc) != EXCLUSION_VIOLATION:
                raise
    return booking


def _race_safe(work: Callable[[], T]) -> T:
    """Run ``work`` in one transaction. When a concurrent booking won the same host's time (the
    exclusion constraint refused our row, or the two inserts deadlocked checking it), run it
    again: the re-check then sees the winner and offers another free host or says "just taken".
    """
    for attempt in range(RACE_RETRIES):
        try:
            with transaction.atomic():
                return work()
        except (IntegrityError, OperationalError) as exc:
            if _sqlstate(exc) not in RACE_SQLSTATES:
                raise
            if attempt == RACE_RETRIES - 1 or connection.in_atomic_block:
                raise SlotTaken from exc
    raise AssertionError("unreachable")


def _sqlstate(exc: DatabaseError) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def _lock(link: BookingLink) -> None:
    """Serialise bookings of one link, so its caps and group seats are counted exactly.

    (Overlaps across links are the exclusion constraint's job; SQLite serialises every write.)
    """
    BookingLink.objects.select_for_update().filter(pk=link.pk).values_list("pk").first()


def _assign_hosts(
    link: BookingLink,
    *,
    start: datetime,
    duration: int,
    now: datetime,
    exclude_booking_id: int | None = None,
    prefer: int | None = None,
) -> list[int]:
    """Re-check the exact slot in the transaction and pick who hosts it, the assigned host first:
    one host of the free pool (the preferred one when still free) plus every host who must attend
    (all hosts of a collective link, the always-attending hosts of a multi-host group).
    """
    found = selectors.link_availability(
        link,
        start=start,
        end=start + timedelta(seconds=1),
        now=now,
        duration=duration,
        exclude_booking_id=exclude_booking_id,
    )
    must, pool = found.assignable(engine.to_epoch(start))
    if not must and not pool:
        raise _why_unavailable(link, start=start, duration=duration, now=now)
    rotation = [int(h) for h, r in zip(found.hosts, found.required, strict=True) if not r]
    free = [int(h) for h in pool]
    picked = [_rotate(link, free, rotation=rotation, now=now, prefer=prefer)] if pool else []
    return [int(h) for h in [*picked, *must]]  # type: ignore[call-overload]


def _rotate(
    link: BookingLink, free: list[int], *, rotation: list[int], now: datetime, prefer: int | None
) -> int:
    """One host of the free pool: the preferred one when free (a reschedule keeps its host),
    the only one, or the fair pick among the round-robin's ``rotation`` (its non-required
    hosts, as the slot check already read them)."""
    if prefer in free:
        return prefer  # type: ignore[return-value]
    if len(free) == 1 or link.kind != BookingLink.Kind.ROUND_ROBIN:
        return free[0]
    members = selectors.rotation_members(link, rotation, now=now)
    return assignment.pick(
        members,
        free,
        mode=assignment.Mode(link.rotation),
        max_lead=link.rotation_max_lead,
    )


def _why_unavailable(
    link: BookingLink, *, start: datetime, duration: int, now: datetime
) -> BookingError:
    if start <= now:
        return SlotUnavailable("That time has already passed.")
    if start < now + timedelta(hours=link.min_notice_hours):
        return SlotUnavailable(
            f"That time is too soon: book at least {link.min_notice_hours} hours ahead."
        )
    rules = link.rules(duration)
    schedule = link.schedule()
    free = engine.compute(
        schedule,
        rules,
        [engine.HostBusy(host=0)],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(start) + 1,
    )
    if free.is_offered(engine.to_epoch(start)):
        return SlotTaken()
    horizon = engine.compute(
        schedule,
        engine.Rules(duration=duration, interval=rules.interval, max_days_ahead=None),
        [engine.HostBusy(host=0)],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(start) + 1,
    )
    if horizon.is_offered(engine.to_epoch(start)):
        return SlotUnavailable(
            f"That time is too far ahead: book within {link.max_days_ahead} days."
        )
    return SlotUnavailable("That time is not available. Please pick one of the listed times.")


def _insert(
    link: BookingLink,
    *,
    host_ids: list[int],
    start: datetime,
    end: datetime,
    attendee: Attendee,
    now: datetime,
    host_id: int | None = None,
    meeting_url: str = "",
) -> Booking:
    booking = Booking(
        workspace=link.workspace,
        link=link,
        host_id=host_id or host_ids[0],
        start=start,
        end=end,
        timezone=attendee.timezone,
        meeting_url=meeting_url,
        name=attendee.name,
        email=attendee.email,
        phone=attendee.phone,
        guests=list(attendee.guests),
        answers=attendee.answers,
        utm=attendee.utm,
        created_at=now,
        status=(
            Booking.Status.PENDING_VERIFICATION
            if link.require_email_verification
            else Booking.Status.CONFIRMED
        ),
    )
    booking.ical_uid = f"{booking.reschedule_token}@workestra"
    booking.save()
    _reserve(booking, link, host_ids)
    crm_records_write(booking)
    _announce(booking, now=now)
    return booking


def _reserve(booking: Booking, link: BookingLink, host_ids: list[int]) -> None:
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


def _enqueue_confirmation(booking: Booking, *, now: datetime) -> None:
    key = f"booking:{booking.pk}"
    payload = {"booking_id": booking.pk}
    outbox.enqueue(
        kind=kinds.CONFIRMATION,
        key=f"{key}:confirmation",
        payload=payload,
        subject=booking.subject,
    )
    outbox.enqueue(
        kind=kinds.HOST_NOTIFICATION,
        key=f"{key}:host-notification",
        payload=payload,
        subject=booking.subject,
    )
    reminder_at = booking.start - REMINDER_BEFORE
    if reminder_at > now:
        outbox.enqueue(
            kind=kinds.REMINDER,
            key=f"{key}:reminder:24h",
            payload=payload,
            subject=booking.subject,
            due_at=reminder_at,
        )
    automation.on_confirmed(booking)


def _announce(booking: Booking, *, now: datetime) -> None:
    timeline.record(booking, BookingEvent.Kind.CREATED, at=now, by=BookingEvent.By.ATTENDEE)
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        # The code email goes first; confirmation, host email and reminder wait for the code.
        verification.code_issue(booking, now=now)
    else:
        _enqueue_confirmation(booking, now=now)


def sender_for(link: BookingLink) -> tuple[str, list[str]]:
    """The From address and Reply-To list for a link's emails, per its no-reply setting."""
    if link.use_no_reply:
        return settings.NOREPLY_EMAIL, []
    host = link.owner
    address = formataddr((host.name, host.email))
    return address, [address]


class BookingClosed(BookingError):
    """The booking can no longer be changed by this route (started, cancelled, moved on)."""


UNVERIFIED_MESSAGE = (
    "This booking is waiting for you to confirm your email address. "
    "Enter the code we emailed you first."
)


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("link", "host").get(pk=booking.pk)


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
    cancellation sends nothing either.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if booking.status == Booking.Status.CANCELLED:
            return booking
        if booking.status not in Booking.ACTIVE_STATUSES:
            raise BookingClosed(
                f"This booking is {booking.get_status_display().lower()} and "
                "can no longer be cancelled."
            )
        if not by_host and booking.start <= now:
            raise BookingClosed("This meeting has already started and can no longer be changed.")
        announced = booking.status != Booking.Status.PENDING_VERIFICATION
        booking.status = Booking.Status.CANCELLED
        booking.cancel_reason = reason.strip()[:2000]
        booking.cancelled_at = now
        booking.sequence += 1
        booking.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence"])
        booking.reservations.update(active=False)
        outbox.withdraw(subject=booking.subject, kinds=[kinds.REMINDER, *kinds.VERIFICATION_KINDS])
        timeline.record(
            booking,
            BookingEvent.Kind.CANCELLED,
            at=now,
            by=BookingEvent.By.HOST if by_host else BookingEvent.By.ATTENDEE,
            actor=actor,
            detail=booking.cancel_reason,
        )
        if announced:
            automation.on_cancelled(booking)
            if notify:
                _notify_both(booking, kinds.CANCELLATION, event="cancellation")
    return booking


def booking_reschedule(
    *, booking: Booking, start: datetime, now: datetime | None = None
) -> Booking:
    """Move a booking: the old row becomes ``rescheduled`` (kept, linked), a new confirmed row
    with a fresh token takes the new time, and everyone gets an updated invite."""
    now = now or timezone.now()

    def move() -> Booking:
        old = _locked(booking)
        _check_reschedulable(old, now=now)
        _lock(old.link)
        host_ids = _assign_hosts(
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

    return _race_safe(move)


def _check_reschedulable(booking: Booking, *, now: datetime) -> None:
    if booking.status == Booking.Status.RESCHEDULED:
        raise BookingClosed(
            "This booking was already rescheduled. Use the link in the latest confirmation email."
        )
    if booking.status not in Booking.ACTIVE_STATUSES:
        raise BookingClosed(
            f"This booking is {booking.get_status_display().lower()} and "
            "can no longer be rescheduled."
        )
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        raise BookingClosed(UNVERIFIED_MESSAGE)
    if booking.start <= now:
        raise BookingClosed("This meeting has already started and can no longer be changed.")


def _move(old: Booking, *, host_ids: list[int], start: datetime, now: datetime) -> Booking:
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
        end=start + (old.end - old.start),
        timezone=old.timezone,
        name=old.name,
        email=old.email,
        phone=old.phone,
        guests=old.guests,
        answers=old.answers,
        utm=old.utm,
        ical_uid=old.ical_uid,
        sequence=old.sequence + 1,
        contact=old.contact,
        deal=old.deal,
        rescheduled_from=old,
        created_at=now,
    )
    _reserve(new, old.link, host_ids)
    _notify_both(new, kinds.RESCHEDULED, event="rescheduled")
    automation.on_rescheduled(old, new)
    reminder_at = new.start - REMINDER_BEFORE
    if reminder_at > now:
        outbox.enqueue(
            kind=kinds.REMINDER,
            key=f"booking:{new.pk}:reminder:24h",
            payload={"booking_id": new.pk},
            subject=new.subject,
            due_at=reminder_at,
        )
    return new


def _notify_both(booking: Booking, kind: Kind, *, event: str) -> None:
    """One outbox row per audience, so a failure for one never resends to the other."""
    for audience in ("attendee", "host"):
        outbox.enqueue(
            kind=kind,
            key=f"booking:{booking.pk}:{event}:{audience}",
            payload={"booking_id": booking.pk, "audience": audience},
            subject=booking.subject,
        )
