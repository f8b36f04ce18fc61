"""A booking's timeline: its state changes (``BookingEvent``) merged with its outbox rows.

Services call :func:`record` in the transaction that changes the booking; the host's booking
page reads :func:`booking_timeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.models import Booking, BookingEvent
from workestra.lib.formatting import local_range
from workflows import kinds, outbox
from workflows.models import OutboxMessage


@dataclass(frozen=True)
class Entry:
    at: datetime
    title: str
    detail: str = ""
    state: str = ""  # outbox rows: sent, done, scheduled, retrying, failed, withdrawn, skipped
    attempts: int = 0
    error: str = ""
    related_id: int | None = None  # the booking this one was moved from or to
    is_job: bool = False


def record(
    booking: Booking,
    kind: str,
    *,
    at: datetime,
    by: str = BookingEvent.By.SYSTEM,
    actor: Any = None,
    detail: str = "",
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking, kind=kind, at=at, by=by, actor=actor, detail=detail[:2000]
    )


def booking_timeline(booking: Booking, *, zone: str) -> list[Entry]:
    """Everything that happened to ``booking`` (and is scheduled to), oldest first."""
    events = [_event_entry(e, booking, zone) for e in booking.events.select_related("actor")]
    rows = [_outbox_entry(r) for r in OutboxMessage.objects.for_subject(booking.subject)]
    # At the same instant, the state change comes before the emails it caused.
    return sorted([*events, *rows], key=lambda e: (e.at, e.is_job))


def _who(event: BookingEvent) -> str:
    return event.actor.display_name if event.actor else event.get_by_display()


def _event_entry(event: BookingEvent, booking: Booking, zone: str) -> Entry:
    kind = BookingEvent.Kind
    if event.kind == kind.CANCELLED:
        detail = f"Reason: {event.detail}" if event.detail else "No reason given."
        return Entry(event.at, f"Cancelled by {_who(event)}", detail)
    if event.kind == kind.RESCHEDULED_FROM and booking.rescheduled_from:
        old = booking.rescheduled_from
        return Entry(
            event.at,
            f"Rescheduled by {_who(event)} from {local_range(old.start, old.end, zone)}",
            related_id=old.pk,
        )
    if event.kind == kind.RESCHEDULED_TO:
        new = Booking.objects.filter(rescheduled_from=booking).first()
        if new is not None:
            return Entry(
                event.at,
                f"Rescheduled by {_who(event)} to {local_range(new.start, new.end, zone)}",
                related_id=new.pk,
            )
    if event.kind == kind.NEW_TIME_ASKED:
        detail = f"Message: {event.detail}" if event.detail else "No message."
        return Entry(event.at, f"{event.get_kind_display()} by {_who(event)}", detail)
    if event.kind in (kind.NO_SHOW, kind.NO_SHOW_UNDONE, kind.CREATED):
        return Entry(event.at, f"{event.get_kind_display()} by {_who(event)}", event.detail)
    return Entry(event.at, event.get_kind_display(), event.detail)


def _outbox_entry(row: OutboxMessage) -> Entry:
    kind = kinds.get(row.kind)
    title = (kind.title if kind and kind.title else row.kind).format(
        audience=row.payload.get("audience", "attendee")
    )
    state, detail, error = row.state, "", ""
    if state == "sent" and row.skipped:
        state, detail = "skipped", row.last_error.removeprefix(outbox.DROPPED)
    elif state == "sent" and kind is not None and not kind.is_email:
        state = "done"
    elif state in ("failed", "retrying"):
        error = row.last_error
    at = {
        "failed": row.failed_at,
        "withdrawn": row.withdrawn_at,
        "sent": row.done_at,
        "done": row.done_at,
        "skipped": row.done_at,
    }.get(state) or row.due_at
    return Entry(at, title, detail, state=state, attempts=row.attempts, error=error, is_job=True)
