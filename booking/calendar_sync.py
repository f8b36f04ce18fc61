"""The hosts' calendars read back: syncs on push notifications and polls, and what a host did to
one of our events in their calendar.

A deleted event cancels its booking (the standard emails go out); a moved one reschedules it to
that time, as the host's own choice (no availability rules, but the hosts' time is still held,
so a move onto another booking is refused and noted on the timeline). Each change arrives as a
``booking.calendar_change`` row written in the sync's own transaction, so a replayed
notification finds nothing new and our own writes echoing back change nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from booking import kinds, timeline
from booking.calendar_events import outbox_failure
from booking.models import Booking, BookingEvent, BookingLink
from booking.services import BookingError, booking_calendar_move, booking_cancel
from integrations.calendars import provider as providers
from integrations.calendars.events import broken_on_auth
from integrations.calendars.provider import ProviderError
from integrations.calendars.sync import CANCELLED, Change, calendar_sync, calendars_to_sync
from integrations.calendars.watch import needs_renewal, watch_renew
from integrations.models import Calendar
from workflows import outbox
from workflows.models import OutboxMessage


def enqueue_sync(calendar: Calendar, *, reason: str = "push") -> None:
    """A sync of ``calendar`` soon; a notification while one is already waiting adds nothing."""
    waiting = OutboxMessage.objects.open().filter(
        kind=kinds.CALENDAR_SYNC.name,
        subject=f"calendar:{calendar.pk}",
        locked_until__isnull=True,
    )
    if waiting.exists():
        return
    outbox.enqueue(
        kind=kinds.CALENDAR_SYNC,
        key=f"calendar:{calendar.pk}:sync:{reason}:{uuid.uuid4().hex}",
        payload={"calendar_id": calendar.pk},
        subject=f"calendar:{calendar.pk}",
        max_attempts=3,
    )


def run_sync(message: OutboxMessage) -> None:
    calendar = (
        Calendar.objects.select_related("connection")
        .filter(pk=message.payload.get("calendar_id"))
        .first()
    )
    if calendar is None:
        raise outbox.Drop("the calendar was disconnected")
    if calendar.connection.is_broken:
        raise outbox.Drop("the connection needs reconnecting")
    now = timezone.now()
    try:
        calendar_sync(calendar, now=now, on_change=enqueue_change, days=horizon(calendar.user_id))
    except ProviderError as exc:
        Calendar.objects.filter(pk=calendar.pk).update(sync_error=str(exc)[:500])
        outbox_failure(exc)


def horizon(user_id: int) -> int:
    """How many days ahead the links a host owns or hosts offer times."""
    days = (
        BookingLink.objects.live()
        .filter(Q(owner_id=user_id) | Q(link_hosts__user_id=user_id))
        .aggregate(days=Max("max_days_ahead"))["days"]
    )
    return int(days or 0) + 1


def enqueue_change(change: Change) -> None:
    event = change.event
    when = change.start.isoformat() if change.start else ""
    outbox.enqueue(
        kind=kinds.CALENDAR_CHANGE,
        key=f"calendar-event:{event.pk}:{change.kind}:{when}",
        payload={
            "user_id": event.user_id,
            "ical_uid": event.ical_uid,
            "change": change.kind,
            "provider": event.calendar.connection.get_provider_display(),
            "start": when,
            "end": change.end.isoformat() if change.end else "",
        },
    )


def calendar_tick(now: datetime) -> None:
    """Enqueue a poll for every calendar due one, and renew push channels close to expiry."""
    poll = timedelta(minutes=settings.CALENDAR_POLL_MINUTES)
    for calendar in calendars_to_sync(now=now):
        Calendar.objects.filter(pk=calendar.pk).update(next_sync_at=now + poll)
        enqueue_sync(calendar, reason="poll")
        if providers.get(calendar.connection.provider).can_push and needs_renewal(
            calendar, now=now
        ):
            outbox.enqueue(
                kind=kinds.CALENDAR_WATCH,
                key=f"calendar:{calendar.pk}:watch:{now:%Y-%m-%d}",
                payload={"calendar_id": calendar.pk},
                subject=f"calendar:{calendar.pk}",
                max_attempts=3,
            )


def pushes(calendar: Calendar) -> bool:
    """Providers deliver notifications only to an https address; without one we poll."""
    public_https = settings.PUBLIC_BASE_URL.startswith("https://")
    return public_https and providers.get(calendar.connection.provider).can_push


def renew_watch(message: OutboxMessage) -> None:
    calendar = (
        Calendar.objects.select_related("connection")
        .filter(pk=message.payload.get("calendar_id"))
        .first()
    )
    if calendar is None or calendar.connection.is_broken:
        raise outbox.Drop("the calendar is disconnected or needs reconnecting")
    try:
        with broken_on_auth(calendar.connection):
            watch_renew(calendar, now=timezone.now())
    except ProviderError as exc:
        Calendar.objects.filter(pk=calendar.pk).update(sync_error=str(exc)[:500])
        outbox_failure(exc)


def apply_change(message: OutboxMessage) -> None:
    """Cancel or move the booking whose event the host deleted or moved in their calendar."""
    payload = message.payload
    booking = (
        Booking.objects.active()
        .select_related("link", "host")
        .filter(ical_uid=payload.get("ical_uid"), reservations__host_id=payload.get("user_id"))
        .order_by("-pk")
        .first()
    )
    if booking is None:
        raise outbox.Drop("no open booking has that event any more")
    provider = str(payload.get("provider", "calendar"))
    now = timezone.now()
    if payload.get("change") == CANCELLED:
        reason = f"The host deleted the meeting from their {provider} calendar."
        booking_cancel(booking=booking, reason=reason, by_host=True, now=now)
        return
    start = datetime.fromisoformat(str(payload["start"]))
    end = datetime.fromisoformat(str(payload["end"]))
    if (start, end) == (booking.start, booking.end):
        raise outbox.Drop("the booking is already at that time")
    try:
        booking_calendar_move(booking=booking, start=start, end=end, now=now)
    except BookingError as exc:
        timeline.record(
            booking,
            BookingEvent.Kind.CALENDAR,
            at=now,
            by=BookingEvent.By.HOST,
            detail=f"Moved in the {provider} calendar to {start:%Y-%m-%d %H:%M} UTC, "
            f"but the booking kept its time: {exc}",
        )
        raise outbox.Drop(str(exc)) from exc
