"""iCalendar in and out for the CalDAV client: what a stored object blocks, and our events.

Pure functions over iCalendar text; the client does the talking. Recurring events are expanded
with ``recurring_ical_events`` in the event's own zone (so a weekly 10:00 stays 10:00 local across
a DST change) and only then converted to UTC.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from integrations.calendars.provider import EventData, Range, RemoteEvent

log = logging.getLogger(__name__)

PRODID = "-//Workestra//Scheduling//EN"

# The zone that floating times and all-day dates are read in, asked for only when needed.
ZoneSource = Callable[[], tzinfo]


def _utc(value: date | datetime, zone: ZoneSource) -> datetime:
    """An iCalendar time as aware UTC: a floating time or an all-day date is local to ``zone``
    (a date becomes its midnight there, so an all-day event blocks that zone's whole day)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone())
        return value.astimezone(UTC)
    return datetime.combine(value, time(), tzinfo=zone()).astimezone(UTC)


def _address(value: Any) -> str:
    text = str(value).strip().lower()
    return text.removeprefix("mailto:")


def _declined(component: Any, emails: Collection[str]) -> bool:
    attendees = component.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return any(
        _address(attendee) in emails
        and str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper() == "DECLINED"
        for attendee in attendees
    )


def _cancelled(component: Any) -> bool:
    return str(component.get("STATUS", "")).upper() == "CANCELLED"


def _blocks(component: Any, emails: Collection[str]) -> bool:
    """Whether this occurrence makes the account busy: not free (transparent), not cancelled,
    and not declined by the account's owner."""
    if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    return not _cancelled(component) and not _declined(component, emails)


def _parse(text: str | bytes, href: str) -> Any | None:
    try:
        return icalendar.Calendar.from_ical(text)
    except ValueError:
        log.warning("Skipping %s: not valid iCalendar", href)
        return None


def _busy(
    calendar: Any, start: datetime, end: datetime, zone: ZoneSource, emails: Collection[str]
) -> tuple[Range, ...]:
    query = recurring_ical_events.of(calendar, components=["VEVENT"], skip_bad_series=True)
    ranges: list[Range] = [
        (_utc(occurrence.start, zone), _utc(occurrence.end, zone))
        for occurrence in query.between(start, end)
        if _blocks(occurrence, emails)
    ]
    return tuple(sorted(r for r in ranges if r[0] < end and r[1] > start))


def remote_event(
    text: str | bytes,
    *,
    href: str,
    start: datetime,
    end: datetime,
    zone: ZoneSource,
    emails: Collection[str],
) -> RemoteEvent | None:
    """The stored object at ``href`` as one event: every occurrence it blocks in [start, end),
    and its own (first) start and end. ``None`` when it holds no event (a task, say) or cannot
    be read. ``emails``: the account's addresses (lower case), to notice its own declines."""
    calendar = _parse(text, href)
    if calendar is None:
        return None
    events = calendar.walk("VEVENT")
    if not events:
        return None
    master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    uid = str(master.get("UID", ""))
    # icalendar's and recurring_ical_events' complaints (no start, a broken rule) are ValueErrors.
    try:
        own_start, own_end = _utc(master.start, zone), _utc(master.end, zone)
        if _cancelled(master):
            return RemoteEvent(
                external_id=href, ical_uid=uid, start=own_start, end=own_end, cancelled=True
            )
        busy = _busy(calendar, start, end, zone, emails)
    except ValueError:
        log.warning("Skipping %s: an event that cannot be read", href, exc_info=True)
        return None
    return RemoteEvent(external_id=href, ical_uid=uid, busy=busy, start=own_start, end=own_end)


def sequence_of(text: str | bytes) -> int:
    """The SEQUENCE of the event in ``text`` (0 when absent or unreadable)."""
    calendar = _parse(text, "the stored event")
    if calendar is None:
        return 0
    for event in calendar.walk("VEVENT"):
        return int(event.get("SEQUENCE", 0))
    return 0


def _attendee(name: str, email: str, *, send_invites: bool) -> Any:
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = "NEEDS-ACTION"
    address.params["RSVP"] = "TRUE"
    if not send_invites:
        # RFC 6638: the client handles scheduling, so the server sends no invitation of its own.
        address.params["SCHEDULE-AGENT"] = "CLIENT"
    return address


def event_ics(data: EventData, *, sequence: int, now: datetime) -> bytes:
    """A VCALENDAR with our one VEVENT for ``data``, its times in UTC."""
    event = icalendar.Event()
    event.add("uid", data.ical_uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("summary", data.title)
    if data.description:
        event.add("description", data.description)
    if data.location:
        event.add("location", data.location)
    event.add("dtstart", data.start.astimezone(UTC))
    event.add("dtend", data.end.astimezone(UTC))
    if data.organizer_email:
        event.add("organizer", icalendar.vCalAddress(f"mailto:{data.organizer_email}"))
    for name, email in data.attendees:
        event.add("attendee", _attendee(name, email, send_invites=data.send_invites))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
