"""Bookings as seen by workflows: the provider of variables and payloads, and the trigger calls
the booking services make inside their transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from booking import kinds, single_use
from booking.answers import booking_answer_rows
from booking.models import Booking
from booking.variables import VALID_NAMES, VARIABLE_NAMES, booking_variables, is_known
from workflows import outbox, runner
from workflows.models import Workflow

Trigger = Workflow.Trigger
NOT_RECONFIRMED_REASON = "The attendee did not reconfirm in time."


def occurrence(booking: Booking) -> runner.Occurrence:
    return runner.Occurrence(
        subject=booking.subject,
        workspace_id=booking.workspace_id,
        link_id=booking.link_id,
        start=booking.start,
        end=booking.end,
    )


# --- Triggers, called by the booking services in their transactions ----------------------------


def on_confirmed(booking: Booking) -> None:
    """A booking is confirmed (at once, or once its email is verified)."""
    runner.fire(Trigger.BOOKING_CREATED, occurrence(booking))
    runner.schedule_timed(occurrence(booking))


def on_rescheduled(old: Booking, new: Booking) -> None:
    runner.withdraw_timed(old.subject)
    runner.fire(Trigger.BOOKING_RESCHEDULED, occurrence(new))
    runner.schedule_timed(occurrence(new))


def on_cancelled(booking: Booking) -> None:
    runner.withdraw_timed(booking.subject)
    outbox.withdraw(subject=booking.subject, kinds=[kinds.RECONFIRM_DEADLINE])
    runner.fire(Trigger.BOOKING_CANCELLED, occurrence(booking))


def on_no_show(booking: Booking) -> None:
    runner.fire(Trigger.NO_SHOW, occurrence(booking))


def on_payment_received(booking: Booking) -> None:
    """Called by the payment flow when a paid booking's payment completes."""
    runner.fire(Trigger.PAYMENT_RECEIVED, occurrence(booking))


def readable_times(booking: Booking) -> dict[str, str]:
    """Times as people read them in a message ("Tuesday, 24 November 2026, 10:00 (Europe/Berlin)");
    links and redirects keep the ISO form of :func:`booking_variables`."""
    attendee, host = ZoneInfo(booking.timezone), ZoneInfo(booking.link.timezone)

    def text(moment: datetime, zone: ZoneInfo) -> str:
        local = moment.astimezone(zone)
        return f"{local:%A}, {local.day} {local:%B %Y, %H:%M} ({zone.key})"

    return {
        "start_time": text(booking.start, attendee),
        "end_time": text(booking.end, attendee),
        "start_time_host": text(booking.start, host),
        "end_time_host": text(booking.end, host),
    }


# --- The provider --------------------------------------------------------------------------------


def _booking(object_id: int) -> Booking | None:
    return Booking.objects.select_related("link", "host").filter(pk=object_id).first()


#: Made at send time, per message: a fresh single-use link to book again (single-use-links.txt).
SEND_TIME_NAMES = ("single_use_url",)


class BookingProvider:
    variable_names: tuple[str, ...] = (*VALID_NAMES, "reconfirm_deadline", *SEND_TIME_NAMES)

    def is_known(self, name: str) -> bool:
        return is_known(name) or name in ("reconfirm_deadline", *SEND_TIME_NAMES)

    def values(self, object_id: int) -> dict[str, str] | None:
        booking = _booking(object_id)
        if booking is None:
            return None
        return {**booking_variables(booking), **readable_times(booking)}

    def send_values(self, object_id: int, *, names: set[str], send_key: str) -> dict[str, str]:
        if "single_use_url" not in names:
            return {}
        booking = _booking(object_id)
        made = single_use.for_send(booking, send_key=send_key) if booking else None
        return {"single_use_url": made.url if made else ""}

    def payload(self, object_id: int) -> dict[str, Any]:
        booking = _booking(object_id)
        return booking_payload(booking) if booking else {}

    def is_live(self, object_id: int) -> bool:
        return Booking.objects.filter(pk=object_id, status=Booking.Status.CONFIRMED).exists()

    def sample(self) -> tuple[dict[str, str], dict[str, Any]]:
        return SAMPLE_VARIABLES.copy(), SAMPLE_PAYLOAD.copy()

    def request_reconfirmation(self, object_id: int, *, deadline: datetime) -> None:
        outbox.enqueue(
            kind=kinds.RECONFIRM_DEADLINE,
            key=f"booking:{object_id}:reconfirm-deadline",
            payload={"booking_id": object_id},
            subject=f"booking:{object_id}",
            due_at=deadline,
        )


def booking_payload(booking: Booking) -> dict[str, Any]:
    """The booking as webhook and voice-agent JSON."""
    return {
        "id": booking.pk,
        "status": booking.status,
        "start": booking.start.astimezone(UTC).isoformat(),
        "end": booking.end.astimezone(UTC).isoformat(),
        "timezone": booking.timezone,
        "link": {"id": booking.link_id, "title": booking.link.title, "slug": booking.link.slug},
        "host": {"name": booking.host.display_name, "email": booking.host.email},
        "attendee": {
            "name": booking.name,
            "email": booking.email,
            "phone": booking.phone,
            "guests": list(booking.guests),
        },
        "answers": booking.answers,
        # The same answers with the label each was asked with (kept from booking time); a file
        # answer gives its name only: the file itself is for the host, through the app.
        "answer_details": [
            {
                "key": row.key,
                "label": row.label,
                "text": row.text,
                "file": row.key in (booking.answer_files or {}),
            }
            for row in booking_answer_rows(booking)
        ],
        "utm": booking.utm,
        "meeting_url": booking.meeting_url,
        "reschedule_url": booking.reschedule_url,
        "cancel_url": booking.cancel_url,
        "cancel_reason": booking.cancel_reason,
    }


_SAMPLE_START = datetime(2030, 1, 15, 15, 0, tzinfo=UTC)
SAMPLE_PAYLOAD: dict[str, Any] = {
    "id": 0,
    "status": "confirmed",
    "start": _SAMPLE_START.isoformat(),
    "end": (_SAMPLE_START + timedelta(minutes=30)).isoformat(),
    "timezone": "Europe/Berlin",
    "link": {"id": 0, "title": "Sample meeting", "slug": "sample"},
    "attendee": {"name": "Sam Sample", "email": "sam@example.com", "phone": "", "guests": []},
    "sample": True,
}
SAMPLE_VARIABLES: dict[str, str] = {
    **dict.fromkeys(VARIABLE_NAMES, ""),
    "attendee_name": "Sam Sample",
    "invitee_name": "Sam Sample",
    "attendee_email": "sam@example.com",
    "invitee_email": "sam@example.com",
    "event_type_name": "Sample meeting",
    "start_time": _SAMPLE_START.isoformat(),
    "end_time": (_SAMPLE_START + timedelta(minutes=30)).isoformat(),
    "duration": "30",
    "attendee_timezone": "UTC",
    "booking_id": "0",
    "single_use_url": settings.PUBLIC_BASE_URL + "/single-use/sample",
}
