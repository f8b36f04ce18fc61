"""Graph events to and from our shapes: what an event blocks, and the body of an event we write.

Graph is asked for times in UTC (``Prefer: outlook.timezone="UTC"``). All-day events are
floating dates, so they block their dates in the host's own time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from integrations.calendars.provider import EventData, Range, RemoteEvent

# showAs values that leave the time open; busy, tentative and oof block it.
FREE_SHOW_AS = frozenset({"free", "workingElsewhere"})
TEAMS = "teamsForBusiness"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def graph_time(value: dict[str, Any] | None) -> datetime | None:
    """A Graph ``dateTimeTimeZone`` (``2027-03-29T08:00:00.0000000`` + zone) as an aware time."""
    if not value or not value.get("dateTime"):
        return None
    naive = datetime.fromisoformat(value["dateTime"][:19])
    return naive.replace(tzinfo=_zone(value.get("timeZone", "UTC"))).astimezone(UTC)


def _day(value: dict[str, Any] | None) -> date | None:
    if not value or not value.get("dateTime"):
        return None
    return date.fromisoformat(value["dateTime"][:10])


def event_times(item: dict[str, Any], local_tz: str) -> tuple[datetime | None, datetime | None]:
    """The event's start and end; an all-day event's run from local midnight to local midnight."""
    if not item.get("isAllDay"):
        return graph_time(item.get("start")), graph_time(item.get("end"))
    zone = _zone(local_tz)
    first, after = _day(item.get("start")), _day(item.get("end"))
    if first is None or after is None:
        return None, None
    return (
        datetime.combine(first, time(), zone).astimezone(UTC),
        datetime.combine(after, time(), zone).astimezone(UTC),
    )


def blocks_time(item: dict[str, Any]) -> bool:
    """Whether the event makes the host busy: not cancelled, not free, not declined."""
    if item.get("isCancelled"):
        return False
    if item.get("showAs") in FREE_SHOW_AS:
        return False
    return (item.get("responseStatus") or {}).get("response") != "declined"


def busy_range(item: dict[str, Any], local_tz: str, window: Range) -> Range | None:
    """The part of ``window`` the event blocks, or None."""
    if not blocks_time(item):
        return None
    start, end = event_times(item, local_tz)
    if start is None or end is None:
        return None
    start, end = max(start, window[0]), min(end, window[1])
    return (start, end) if start < end else None


def remote_event(item: dict[str, Any], local_tz: str, window: Range) -> RemoteEvent:
    """One item of a calendarView delta page."""
    if "@removed" in item:
        return RemoteEvent(external_id=item["id"], cancelled=True)
    start, end = event_times(item, local_tz)
    blocked = busy_range(item, local_tz, window)
    return RemoteEvent(
        external_id=item["id"],
        ical_uid=item.get("iCalUId") or "",
        busy=(blocked,) if blocked else (),
        start=start,
        end=end,
        cancelled=bool(item.get("isCancelled")),
    )


def _local(moment: datetime, tz: str) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(_zone(tz)).strftime("%Y-%m-%dT%H:%M:%S"),
        "timeZone": tz or "UTC",
    }


def _content(data: EventData) -> str:
    """The description; without invites the attendees are listed here instead of invited."""
    if data.send_invites or not data.attendees:
        return data.description
    names = "\n".join(f"{name} <{email}>" if name else email for name, email in data.attendees)
    return f"{data.description}\n\nAttendees:\n{names}".strip()


def event_body(data: EventData, *, create: bool) -> dict[str, Any]:
    """The JSON of a POST (``create``) or PATCH of the booking's event.

    Graph mails invitations itself to every attendee on the event, so attendees are set only in
    calendar-invite mode. ``transactionId`` makes a retried POST return the event made before.
    """
    body: dict[str, Any] = {
        "subject": data.title,
        "body": {"contentType": "text", "content": _content(data)},
        "start": _local(data.start, data.timezone),
        "end": _local(data.end, data.timezone),
        "location": {"displayName": data.location},
    }
    attendees = [
        {"emailAddress": {"address": email, "name": name or email}, "type": "required"}
        for name, email in data.attendees
    ]
    if data.send_invites:
        body["attendees"] = attendees
    elif not create:
        body["attendees"] = []
    if data.add_meeting:
        body["isOnlineMeeting"] = True
        body["onlineMeetingProvider"] = TEAMS
    if create:
        body["transactionId"] = data.ical_uid
    return body


def join_url(item: dict[str, Any]) -> str:
    return str((item.get("onlineMeeting") or {}).get("joinUrl") or "")


def clamp(moment: datetime, latest: timedelta, now: datetime) -> datetime:
    return min(moment, now + latest)
