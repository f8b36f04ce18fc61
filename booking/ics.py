"""iCalendar (.ics) files for bookings: invites, updates and cancellations (RFC 5545/5546)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from booking.models import Booking
from workestra.models import User

PRODID = "-//Workestra//Scheduling//EN"


def booking_ics(booking: Booking, *, method: str = "REQUEST", now: datetime | None = None) -> bytes:
    """The booking as one VEVENT. UID is stable per booking, SEQUENCE grows with each change."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", booking.ical_uid)
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("sequence", booking.sequence)
    event.add("summary", f"{booking.link.title}: {booking.name}")
    event.add("description", _description(booking))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("url", booking.meeting_url or booking.reschedule_url)
    if booking.location or booking.meeting_url:
        event.add("location", booking.location or booking.meeting_url)
    host = booking.host
    organizer = vCalAddress(f"mailto:{host.email}")
    organizer.params["cn"] = vText(host.display_name)
    event.add("organizer", organizer)
    co_hosts = [(u.display_name, u.email) for u in booking_hosts(booking) if u.pk != host.pk]
    people = [(booking.name, booking.email), *((g, g) for g in booking.guests), *co_hosts]
    for name, email in people:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical()


def _description(booking: Booking) -> str:
    lines = [booking.link.description] if booking.link.description else []
    if booking.meeting_url:
        lines.append(gettext("Join: %(url)s") % {"url": booking.meeting_url})
    if booking.dial_in:
        lines.append(booking.dial_in)
    lines += [
        gettext("Booked by %(name)s <%(email)s>") % {"name": booking.name, "email": booking.email},
        gettext("Reschedule: %(url)s") % {"url": booking.reschedule_url},
        gettext("Cancel: %(url)s") % {"url": booking.cancel_url},
        gettext("Managed by %(site)s") % {"site": settings.PUBLIC_BASE_URL},
    ]
    return "\n".join(lines)


def booking_hosts(booking: Booking) -> list[User]:
    """Everyone hosting the meeting: the assigned host first, then the others it reserved
    (every host of a collective link, the always-attending hosts of a multi-host group)."""
    others = [
        r.host
        for r in booking.reservations.select_related("host").order_by("pk")
        if r.host_id != booking.host_id
    ]
    return [booking.host, *dict.fromkeys(others)]
