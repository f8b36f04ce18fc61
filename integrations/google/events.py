"""Google Calendar event resources to and from the provider interface's shapes.

Plain data only: ``client.py`` makes the calls, this module reads what they return and writes the
bodies they send.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from integrations.calendars.provider import EventData, Range, RemoteEvent

MEET_SOLUTION = "hangoutsMeet"


def zone(name: str | None) -> ZoneInfo:
    """The named zone; UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_moment(value: dict[str, Any], calendar_zone: str) -> datetime | None:
    """A Google ``start``/``end`` as an aware UTC datetime.

    An all-day value (``date``) means midnight in the event's own zone, else the calendar's.
    """
    if value.get("dateTime"):
        moment = datetime.fromisoformat(value["dateTime"])
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone(value.get("timeZone") or calendar_zone))
        return moment.astimezone(UTC)
    if value.get("date"):
        day = date.fromisoformat(value["date"])
        local = datetime.combine(day, time.min, tzinfo=zone(value.get("timeZone") or calendar_zone))
        return local.astimezone(UTC)
    return None


def _declined_by_owner(item: dict[str, Any]) -> bool:
    return any(
        attendee.get("self") and attendee.get("responseStatus") == "declined"
        for attendee in item.get("attendees") or ()
    )


def to_remote(item: dict[str, Any], calendar_zone: str) -> RemoteEvent:
    """One item of ``events.list`` (an instance, with ``singleEvents``) as a :class:`RemoteEvent`."""
    start = parse_moment(item.get("start") or {}, calendar_zone)
    end = parse_moment(item.get("end") or {}, calendar_zone)
    cancelled = item.get("status") == "cancelled"
    blocks = (
        not cancelled
        and item.get("transparency") != "transparent"
        and not _declined_by_owner(item)
        and start is not None
        and end is not None
        and end > start
    )
    busy: tuple[Range, ...] = ((start, end),) if blocks and start and end else ()
    return RemoteEvent(
        external_id=item["id"],
        ical_uid=item.get("iCalUID", ""),
        busy=busy,
        start=start,
        end=end,
        cancelled=cancelled,
    )


def meet_request_id(ical_uid: str) -> str:
    """The same request id for every write of one booking, so Google makes its Meet link once
    and a retried or repeated request keeps the link it already made."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"workestra-meet:{ical_uid}"))


def event_body(data: EventData) -> dict[str, Any]:
    """The fields of a booking's event that every insert and patch sends."""
    local = zone(data.timezone)
    body: dict[str, Any] = {
        "summary": data.title,
        "description": data.description,
        "location": data.location,
        "start": {"dateTime": data.start.astimezone(local).isoformat(), "timeZone": data.timezone},
        "end": {"dateTime": data.end.astimezone(local).isoformat(), "timeZone": data.timezone},
        "attendees": [
            {"email": email, "displayName": name} if name else {"email": email}
            for name, email in data.attendees
        ],
    }
    if data.add_meeting:
        body["conferenceData"] = {
            "createRequest": {
                "requestId": meet_request_id(data.ical_uid),
                "conferenceSolutionKey": {"type": MEET_SOLUTION},
            }
        }
    return body


def meeting_url(item: dict[str, Any]) -> str:
    """The video link Google made for the event, or ""."""
    if item.get("hangoutLink"):
        return str(item["hangoutLink"])
    for entry in (item.get("conferenceData") or {}).get("entryPoints") or ():
        if entry.get("entryPointType") == "video" and entry.get("uri"):
            return str(entry["uri"])
    return ""


def from_millis(value: str | int | None, default: datetime) -> datetime:
    if value in (None, ""):
        return default
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def to_millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))
