"""Event arithmetic for the fake Google Calendar: times, recurrence expansion, busy periods.

Google keeps a recurring event as one resource with an ``RRULE``; with ``singleEvents=true`` it
lists each occurrence as an instance of its own (``<id>_<UTC start>``, ``recurringEventId``),
expanded in the event's time zone so 10:00 stays 10:00 local across a DST change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

HORIZON = timedelta(days=730)  # how far a series is expanded when no window bounds it


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_rfc3339(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no offset")
    return moment.astimezone(UTC)


def time_value(moment: date | datetime, zone: str) -> dict[str, str]:
    """A resource's ``start``/``end``: ``dateTime`` in the zone for a time, ``date`` for a day."""
    if isinstance(moment, datetime):
        return {"dateTime": moment.astimezone(ZoneInfo(zone)).isoformat(), "timeZone": zone}
    return {"date": moment.isoformat()}


def to_utc(value: dict[str, Any], calendar_zone: str) -> datetime:
    zone = ZoneInfo(value.get("timeZone") or calendar_zone)
    if "dateTime" in value:
        moment = datetime.fromisoformat(value["dateTime"])
        return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
    return datetime.combine(date.fromisoformat(value["date"]), time.min, zone).astimezone(UTC)


def public(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in resource.items() if not k.startswith("_")}


def minimal_cancelled(resource: dict[str, Any]) -> dict[str, Any]:
    """What Google lists for a deleted event: little more than its id."""
    kept = ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")
    return {k: copy.deepcopy(resource[k]) for k in kept if k in resource}


def instances(master: dict[str, Any], calendar_zone: str, until: datetime) -> Iterator[dict]:
    """Each occurrence of a recurring ``master`` starting before ``until``, as Google's instance."""
    start, end = master["start"], master["end"]
    zone_name = start.get("timeZone") or calendar_zone
    zone = ZoneInfo(zone_name)
    rules = "\n".join(master.get("recurrence") or ())
    if "date" in start:
        first = datetime.combine(date.fromisoformat(start["date"]), time.min)
        length = date.fromisoformat(end["date"]) - date.fromisoformat(start["date"])
    else:
        first = datetime.fromisoformat(start["dateTime"]).astimezone(zone)
        last = datetime.fromisoformat(end["dateTime"]).astimezone(zone)
        length = last.replace(tzinfo=None) - first.replace(tzinfo=None)  # wall-clock length
    for occurrence in rrulestr(rules, dtstart=first, forceset=True):
        if "date" in start:
            day = occurrence.date()
            if datetime.combine(day, time.min, zone) >= until:
                return
            suffix = day.strftime("%Y%m%d")
            values = ({"date": day.isoformat()}, {"date": (day + length).isoformat()})
        else:
            if occurrence >= until:
                return
            ends = (occurrence.replace(tzinfo=None) + length).replace(tzinfo=zone)
            suffix = occurrence.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            values = (
                {"dateTime": occurrence.isoformat(), "timeZone": zone_name},
                {"dateTime": ends.isoformat(), "timeZone": zone_name},
            )
        instance = public(master)
        instance.pop("recurrence", None)
        instance.update(
            id=f"{master['id']}_{suffix}",
            recurringEventId=master["id"],
            originalStartTime=dict(values[0]),
            start=values[0],
            end=values[1],
        )
        yield instance


def listed(
    master: dict[str, Any],
    calendar_zone: str,
    *,
    single_events: bool,
    window: tuple[datetime | None, datetime | None],
) -> list[dict[str, Any]]:
    """What ``events.list`` shows of one stored event within ``window`` (either end open)."""
    low, high = window
    if not master.get("recurrence"):
        items = [public(master)]
    elif not single_events:
        return [
            minimal_cancelled(master) if master.get("status") == "cancelled" else public(master)
        ]
    else:
        first = to_utc(master["start"], calendar_zone)
        until = high or max(first, low or first) + HORIZON
        items = list(instances(master, calendar_zone, until))
    shown = [
        item
        for item in items
        if (low is None or to_utc(item["end"], calendar_zone) > low)
        and (high is None or to_utc(item["start"], calendar_zone) < high)
    ]
    if master.get("status") == "cancelled":
        return [minimal_cancelled(item) for item in shown]
    return shown


def blocks_time(item: dict[str, Any]) -> bool:
    """Busy in free/busy: confirmed, opaque, and not declined by the calendar's owner."""
    if item.get("status") == "cancelled" or item.get("transparency") == "transparent":
        return False
    return not any(
        a.get("self") and a.get("responseStatus") == "declined" for a in item.get("attendees") or ()
    )


def merged(periods: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(periods):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
