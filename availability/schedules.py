"""Checking a schedule's windows and overrides before they are saved.

Forms parse what people type into the stored shape; these checks run again in the services, so a
schedule written any other way (the API, a script) obeys the same rules.
"""

from __future__ import annotations

import itertools
from datetime import date

from django.core.exceptions import ValidationError

from availability.hours import MAX_OVERRIDES, WEEKDAYS, format_hhmm, parse_hhmm
from availability.models import MAX_SCHEDULE_NAME
from workestra.inputs import DATE_RANGE_MESSAGE, date_in_range
from workestra.timezones import is_valid_timezone

MAX_WINDOWS_PER_DAY = 12

Windows = list[list[str]]


class ScheduleError(ValueError):
    """A schedule that cannot be saved as given; the message says why, for the person."""


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ScheduleError("Give the schedule a name.")
    if len(name) > MAX_SCHEDULE_NAME:
        raise ScheduleError(f"Keep the name to {MAX_SCHEDULE_NAME} characters.")
    return name


def clean_zone(zone: str) -> str:
    if not is_valid_timezone(zone):
        raise ScheduleError(f"“{zone[:64]}” is not a known time zone.")
    return zone


def clean_windows(windows: Windows, *, where: str) -> Windows:
    """Sorted ``[["09:00", "12:00"], …]``; each ends after it starts and none overlap."""
    if len(windows) > MAX_WINDOWS_PER_DAY:
        raise ScheduleError(f"{where}: keep it to {MAX_WINDOWS_PER_DAY} time ranges.")
    spans: list[tuple[int, int]] = []
    for window in windows:
        try:
            start, end = parse_hhmm(str(window[0])), parse_hhmm(str(window[1]))
        except (IndexError, TypeError, ValidationError) as exc:
            raise ScheduleError(f"{where}: {_first_message(exc)}") from None
        if end <= start:
            raise ScheduleError(
                f"{where}: {format_hhmm(start)}–{format_hhmm(end)} ends before it starts."
            )
        spans.append((start, end))
    spans.sort()
    for (a0, a1), (b0, b1) in itertools.pairwise(spans):
        if b0 < a1:
            raise ScheduleError(
                f"{where}: {format_hhmm(a0)}–{format_hhmm(a1)} and "
                f"{format_hhmm(b0)}–{format_hhmm(b1)} overlap."
            )
    return [[format_hhmm(a), format_hhmm(b)] for a, b in spans]


def clean_weekly(weekly: dict[str, Windows]) -> dict[str, Windows]:
    cleaned: dict[str, Windows] = {}
    for key, windows in weekly.items():
        if key not in {str(d) for d in range(7)}:
            raise ScheduleError(f"“{key[:10]}” is not a weekday.")
        day = clean_windows(windows, where=WEEKDAYS[int(key)])
        if day:
            cleaned[key] = day
    return dict(sorted(cleaned.items()))


def clean_overrides(overrides: dict[str, Windows]) -> dict[str, Windows]:
    if len(overrides) > MAX_OVERRIDES:
        raise ScheduleError(f"Keep it to {MAX_OVERRIDES} dates.")
    cleaned: dict[str, Windows] = {}
    for key, windows in overrides.items():
        try:
            day = date.fromisoformat(key)
        except ValueError:
            raise ScheduleError(f"“{key[:20]}” is not a real date.") from None
        if not date_in_range(day):
            raise ScheduleError(f"{day.isoformat()}: {DATE_RANGE_MESSAGE}")
        cleaned[day.isoformat()] = clean_windows(windows, where=day.isoformat())
    return dict(sorted(cleaned.items()))


def _first_message(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    return str(messages[0]) if messages else "that is not a time range like 09:00–17:00."
