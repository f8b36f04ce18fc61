"""Bookings written into the hosts' connected calendars, through the outbox.

A confirmed, rescheduled or cancelled booking writes, moves or removes its event in each host's
receiving calendar: one row per host, so one host's failing provider never repeats another's
write. A provider that no longer accepts the account marks the connection broken (the banner on
/calendar and /settings/integrations) and the row fails visibly on the booking's timeline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from django.db import transaction

from booking import kinds, locations
from booking.ics import booking_hosts
from booking.models import Booking, BookingLink
from integrations.calendars import events
from integrations.calendars.provider import EventData, ProviderError
from workflows import outbox
from workflows.models import OutboxMessage

#: How long the confirmation waits for a Meet / Teams link before it goes without one.
MEETING_LINK_WAIT = timedelta(minutes=2)


def calendar_of(booking: Booking) -> str:
    """The calendar provider the booking's events go to: the link's, or the one a Google Meet /
    Teams location needs."""
    if booking.link.calendar_provider:
        return booking.link.calendar_provider
    return locations.CALENDAR_MEETINGS.get(booking.location_kind, "")


def writes_events(booking: Booking) -> bool:
    return bool(calendar_of(booking))


def wants_calendar_meeting(booking: Booking) -> bool:
    """A Meet or Teams link comes with the event: the link asks for one, or the attendee picked
    that location."""
    return booking.link.auto_meeting_link or booking.location_kind in locations.CALENDAR_MEETINGS


def waits_for_meeting_link(booking: Booking) -> bool:
    return (
        writes_events(booking)
        and wants_calendar_meeting(booking)
        and not booking.meeting_url
        and events.makes_meeting_link(booking.host_id, calendar_of(booking))
    )


def enqueue_event_writes(
    booking: Booking, host_ids: list[int] | None = None, *, reason: str = ""
) -> None:
    """One row per host: create/update (or, once cancelled, remove) their event. ``reason``
    makes a second write of the same state its own row (the video link arrived)."""
    if not writes_events(booking):
        return
    if host_ids is None:
        host_ids = [h.pk for h in booking_hosts(booking)]
    suffix = f":{reason}" if reason else ""
    for host_id in dict.fromkeys(host_ids):
        outbox.enqueue(
            kind=kinds.CALENDAR_EVENT,
            key=f"booking:{booking.pk}:calendar:{host_id}:{booking.sequence}:{booking.status}"
            + suffix,
            payload={"booking_id": booking.pk, "host_id": host_id},
            subject=booking.subject,
        )


def event_data(booking: Booking, host_id: int) -> EventData:
    link = booking.link
    lead = host_id == booking.host_id
    lines = [
        link.description,
        f"Join: {booking.meeting_url}" if booking.meeting_url else "",
        booking.dial_in,
        f"Where: {booking.location}" if booking.location and not booking.meeting_url else "",
        f"Booked by {booking.name} <{booking.email}>.",
        f"Reschedule: {booking.reschedule_url}",
        f"Cancel: {booking.cancel_url}",
    ]
    attendees = ((booking.name, booking.email), *(("", g) for g in booking.guests))
    return EventData(
        ical_uid=booking.ical_uid,
        title=f"{link.title} with {booking.name}",
        description="\n".join(line for line in lines if line),
        start=booking.start,
        end=booking.end,
        timezone=link.timezone,
        organizer_email=booking.host.email,
        attendees=attendees,
        location=booking.meeting_url or booking.location,
        # One meeting room and one invitation per booking: the assigned host's event makes them.
        add_meeting=lead and wants_calendar_meeting(booking) and not booking.meeting_url,
        send_invites=lead
        and link.notification_mode == BookingLink.NotificationMode.CALENDAR_INVITE,
    )


def write_event(message: OutboxMessage) -> None:
    booking = load_booking(message.payload.get("booking_id"))
    host_id = int(message.payload.get("host_id", 0))
    link = booking.link
    if not writes_events(booking):
        raise outbox.Drop("the link no longer writes calendar events")
    if booking.status == Booking.Status.RESCHEDULED:
        raise outbox.Drop("the booking moved; its new time updates the event")
    hosting = host_id in {h.pk for h in booking_hosts(booking)}
    try:
        if booking.status == Booking.Status.CONFIRMED and hosting:
            _write(booking, host_id)
        elif booking.status in (Booking.Status.CANCELLED, Booking.Status.CONFIRMED):
            invites = link.notification_mode == BookingLink.NotificationMode.CALENDAR_INVITE
            if not events.event_remove(user_id=host_id, ical_uid=booking.ical_uid, notify=invites):
                raise outbox.Drop("there is no event to remove")
        else:
            raise outbox.Drop(f"the booking is {booking.get_status_display().lower()}")
    except ProviderError as exc:
        outbox_failure(exc)


def _write(booking: Booking, host_id: int) -> None:
    written = events.event_write(
        user_id=host_id,
        preferred=calendar_of(booking),
        data=event_data(booking, host_id),
    )
    if written is None:
        raise outbox.Drop("the host has no connected calendar to add it to")
    if written.meeting_url and host_id == booking.host_id and not booking.meeting_url:
        with transaction.atomic():
            Booking.objects.filter(pk=booking.pk, meeting_url="").update(
                meeting_url=written.meeting_url[:500]
            )
            # The emails waited for the link: send them now.
            outbox.expedite(
                subject=booking.subject, kinds=[kinds.CONFIRMATION, kinds.HOST_NOTIFICATION]
            )


def outbox_failure(exc: ProviderError) -> NoReturn:
    """A provider's failure as the outbox reads it: final, or retried (when it said, then)."""
    if exc.auth:
        raise outbox.Fail(f"{exc} Reconnect the calendar under Settings → Integrations.")
    if not exc.retry:
        raise outbox.Fail(str(exc))
    if exc.retry_after is not None:
        raise outbox.Retry(str(exc), after=exc.retry_after)
    raise exc


def load_booking(pk: int | None) -> Booking:
    booking = Booking.objects.select_related("link", "host").filter(pk=pk or 0).first()
    if booking is None:
        raise outbox.Drop("the booking no longer exists")
    return booking
