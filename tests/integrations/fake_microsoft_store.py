"""The mailbox behind the fake Microsoft Graph: calendars, events (weekly series expanded into
occurrences at the same local time in the event's own zone), rendered as Graph's JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule

Occurrence = tuple[str, datetime, datetime]  # id, aware start, aware end


@dataclass
class FakeCalendar:
    id: str
    name: str
    owner: str
    is_default: bool = False
    can_edit: bool = True


@dataclass
class FakeEvent:
    """``start``/``end`` are wall times in ``tz`` (midnights for an all-day event)."""

    id: str
    calendar_id: str
    subject: str
    start: datetime
    end: datetime
    tz: str = "UTC"
    all_day: bool = False
    show_as: str = "busy"
    response: str = "organizer"
    weekly: int = 0  # a weekly series of this many occurrences
    attendees: list[dict[str, Any]] = field(default_factory=list)
    body: str = ""
    location: str = ""
    join_url: str = ""
    transaction_id: str = ""
    is_cancelled: bool = False

    @property
    def ical_uid(self) -> str:
        return f"040000008200E00074C5B7101A82E008{self.id}"

    def occurrences(self) -> list[Occurrence]:
        zone = ZoneInfo(self.tz)
        if not self.weekly:
            return [(self.id, self.start.replace(tzinfo=zone), self.end.replace(tzinfo=zone))]
        length = self.end - self.start
        return [
            (
                f"{self.id}_{local:%Y%m%d}",
                local.replace(tzinfo=zone),
                (local + length).replace(tzinfo=zone),
            )
            for local in rrule(WEEKLY, dtstart=self.start, count=self.weekly)
        ]

    def in_window(self, start: datetime, end: datetime) -> list[Occurrence]:
        return [occ for occ in self.occurrences() if occ[1] < end and occ[2] > start]


def _stamp(moment: datetime, zone: str, all_day: bool) -> dict[str, str]:
    if not all_day:
        moment = moment.astimezone(ZoneInfo(zone))
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": zone}


def render(event: FakeEvent, occurrence: Occurrence, zone: str) -> dict[str, Any]:
    """One event or occurrence as Graph returns it, times in ``zone`` (the Prefer header)."""
    occ_id, start, end = occurrence
    return {
        "id": occ_id,
        "iCalUId": event.ical_uid,
        "subject": event.subject,
        "type": "occurrence" if event.weekly else "singleInstance",
        "seriesMasterId": event.id if event.weekly else None,
        "isAllDay": event.all_day,
        "isCancelled": event.is_cancelled,
        "showAs": event.show_as,
        "responseStatus": {"response": event.response, "time": "0001-01-01T00:00:00Z"},
        "start": _stamp(start, zone, event.all_day),
        "end": _stamp(end, zone, event.all_day),
        "originalStartTimeZone": event.tz,
        "attendees": event.attendees,
        "body": {"contentType": "text", "content": event.body},
        "location": {"displayName": event.location},
        "isOnlineMeeting": bool(event.join_url),
        "onlineMeetingProvider": "teamsForBusiness" if event.join_url else "unknown",
        "onlineMeeting": {"joinUrl": event.join_url} if event.join_url else None,
    }


def fingerprint(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True)


def wall_time(value: dict[str, Any]) -> tuple[datetime, str]:
    """A posted ``dateTimeTimeZone`` as a wall time and its zone."""
    return datetime.fromisoformat(value["dateTime"][:19]), value.get("timeZone") or "UTC"


def utc_wall(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time())
