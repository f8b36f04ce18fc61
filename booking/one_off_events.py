"""The placeholder events of a one-off offer in the host's connected calendar, through the outbox.

Each offered time gets a "Hold: <title>" event while it is held, and loses it once the offer is
booked, withdrawn or expired. Sync and the live free/busy check know these events as ours (by
their iCal UID), so they never come back as busy time of someone else's.
"""

from __future__ import annotations

import secrets
from datetime import UTC

from booking import kinds
from booking.calendar_events import outbox_failure
from booking.one_off_models import OneOffHold, OneOffMeeting, OneOffTime
from integrations.calendars import events
from integrations.calendars.provider import EventData, ProviderError
from integrations.models import Calendar, CalendarConnection
from workflows import outbox
from workflows.models import OutboxMessage

WRITE = "write"
REMOVE = "remove"


def short_id() -> str:
    return secrets.token_hex(8)


def hold_provider(host_id: int) -> str:
    """The provider of the host's calendar that receives bookings (else any writable one); empty
    when the host has none connected: then nothing is written."""
    calendars = Calendar.objects.filter(
        user_id=host_id, writable=True, connection__status=CalendarConnection.Status.ACTIVE
    ).order_by("-receives_bookings", "-is_primary", "pk")
    found = calendars.values_list("connection__provider", flat=True).first()
    return found or ""


def _enqueue(meeting: OneOffMeeting, time: OneOffTime, action: str) -> None:
    outbox.enqueue(
        kind=kinds.ONE_OFF_HOLD,
        key=f"one-off:{meeting.pk}:time:{time.pk}:{action}",
        payload={"meeting_id": meeting.pk, "time_id": time.pk, "action": action},
        subject=meeting.subject,
    )


def enqueue_holds(meeting: OneOffMeeting, times: list[OneOffTime]) -> None:
    if not meeting.link.calendar_provider:
        return
    for time in times:
        _enqueue(meeting, time, WRITE)


def enqueue_removals(meeting: OneOffMeeting) -> None:
    if not meeting.link.calendar_provider:
        return
    for time in meeting.times.all():
        _enqueue(meeting, time, REMOVE)


def write_hold(message: OutboxMessage) -> None:
    """Write or remove one placeholder event. A write whose hold is already released is dropped
    (its removal row follows it)."""
    time = (
        OneOffTime.objects.select_related("meeting__link", "meeting__host")
        .filter(pk=message.payload.get("time_id") or 0)
        .first()
    )
    if time is None:
        raise outbox.Drop("the offer no longer exists")
    meeting = time.meeting
    try:
        if message.payload.get("action") == REMOVE:
            if not events.event_remove(
                user_id=meeting.host_id, ical_uid=time.ical_uid, notify=False
            ):
                raise outbox.Drop("there is no placeholder to remove")
            return
        if not OneOffHold.objects.filter(time=time).exists():
            raise outbox.Drop("the time is no longer held")
        written = events.event_write(
            user_id=meeting.host_id, preferred=meeting.link.calendar_provider, data=_data(time)
        )
    except ProviderError as exc:
        outbox_failure(exc)
    if written is None:
        raise outbox.Drop("the host has no connected calendar to add it to")


def _data(time: OneOffTime) -> EventData:
    meeting = time.meeting
    invitee = meeting.invitee_name or meeting.invitee_email or "your invitee"
    return EventData(
        ical_uid=time.ical_uid,
        title=f"Hold: {meeting.title}",
        description=(
            f"Tentative: offered to {invitee} as a one-off meeting. "
            f"Released when they pick a time, or when the offer expires "
            f"({meeting.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)."
        ),
        start=time.start,
        end=time.end,
        timezone=meeting.link.timezone,
        organizer_email=meeting.host.email,
        attendees=(),
    )
