"""Video meetings made through the host's conferencing account (Zoom, Webex, GoTo Meeting).

When a booking whose location is one of them confirms, an outbox row creates the meeting with
the assigned host's connection; a reschedule moves the same meeting and a cancel deletes it. The
join URL and dial-in details are stored on the booking, the emails that waited for them are sent,
and the host's calendar event is written again to carry them. A failure is retried and shown on
the booking's timeline; it never fails the booking (the emails go without the link after their
short wait).
"""

from __future__ import annotations

from django.db import transaction

from booking import kinds, locations
from booking.calendar_events import enqueue_event_writes, load_booking, outbox_failure
from booking.models import Booking
from integrations.calendars.events import broken_on_auth
from integrations.calendars.provider import ProviderError
from integrations.conferencing.provider import (
    ConferencingProvider,
    Meeting,
    MeetingData,
    get_conferencing,
)
from integrations.models import CalendarConnection
from workflows import outbox
from workflows.models import OutboxMessage


def _uses_conferencing(booking: Booking) -> bool:
    return booking.location_kind in locations.CONFERENCING


def connection_for(booking: Booking) -> CalendarConnection | None:
    """The assigned host's working account at the booking's conferencing provider."""
    return (
        CalendarConnection.objects.filter(
            user_id=booking.host_id,
            provider=booking.location_kind,
            status=CalendarConnection.Status.ACTIVE,
        )
        .order_by("-pk")
        .first()
    )


def waits_for_conference(booking: Booking) -> bool:
    return (
        _uses_conferencing(booking)
        and not booking.meeting_url
        and connection_for(booking) is not None
    )


def enqueue_conference(booking: Booking) -> None:
    """Create, move or delete the booking's video meeting, per its state now."""
    if not _uses_conferencing(booking):
        return
    outbox.enqueue(
        kind=kinds.CONFERENCE,
        key=f"booking:{booking.pk}:conference:{booking.sequence}:{booking.status}",
        payload={"booking_id": booking.pk},
        subject=booking.subject,
    )


def meeting_data(booking: Booking) -> MeetingData:
    link = booking.link
    return MeetingData(
        topic=f"{link.title} with {booking.name}"[:200],
        agenda=(link.description or f"Booked by {booking.name}.")[:1000],
        start=booking.start,
        end=booking.end,
        timezone=link.timezone,
        host_email=booking.host.email,
    )


def _made_or_moved(
    api: ConferencingProvider, connection: CalendarConnection, booking: Booking
) -> Meeting:
    """Move the booking's meeting, or make one; a meeting the host deleted at the provider in
    the meantime is made again rather than leaving the booking without one."""
    data = meeting_data(booking)
    if booking.conference_id:
        try:
            return api.update_meeting(connection, booking.conference_id, data)
        except ProviderError as exc:
            if exc.retry or exc.auth:
                raise
    return api.create_meeting(connection, data)


def sync_conference(message: OutboxMessage) -> None:
    booking = load_booking(message.payload.get("booking_id"))
    if not _uses_conferencing(booking):
        raise outbox.Drop("the booking has no video meeting to make")
    if booking.status == Booking.Status.RESCHEDULED:
        raise outbox.Drop("the booking moved; its new time moves the meeting")
    connection = connection_for(booking)
    label = locations.Kind(booking.location_kind).label
    if connection is None:
        raise outbox.Fail(
            f"{booking.host.name} has no working {label} connection, so the booking has no "
            f"video link. Connect {label} under Settings → Integrations."
        )
    api = get_conferencing(booking.location_kind)
    try:
        with broken_on_auth(connection):
            if booking.status == Booking.Status.CANCELLED:
                if not booking.conference_id:
                    raise outbox.Drop("no meeting was made")
                api.delete_meeting(connection, booking.conference_id)
                return
            if booking.status != Booking.Status.CONFIRMED:
                raise outbox.Drop(f"the booking is {booking.get_status_display().lower()}")
            meeting = _made_or_moved(api, connection, booking)
    except ProviderError as exc:
        outbox_failure(exc)
    with transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(
            conference_id=meeting.meeting_id[:200],
            meeting_url=meeting.join_url[:500],
            dial_in=meeting.dial_in[:2000],
        )
        booking.refresh_from_db()
        outbox.expedite(
            subject=booking.subject, kinds=[kinds.CONFIRMATION, kinds.HOST_NOTIFICATION]
        )
        enqueue_event_writes(booking, reason=f"conference-{meeting.meeting_id}"[:60])
