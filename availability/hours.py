"""Weekly hours as people type them ("09:00-12:00, 13:00-17:00") and as schedules store them."""

from __future__ import annotations

import itertools
import re
from datetime import date

from django.core.exceptions import ValidationError

from workestra.inputs import DATE_RANGE_MESSAGE, date_in_range

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_WINDOW = re.compile(r"^\s*(\S+)\s*[-–—]\s*(\S+)\s*$")


def parse_hhmm(text: str) -> int:
    """Minutes from midnight; "24:00" is allowed as the end of the day."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValidationError(f"“{text[:20]}” is not a time like 09:00.")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes:
        raise ValidationError("24:00 is the latest time of day.")
    return hours * 60 + minutes


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_windows(text: str) -> list[list[str]]:
    """``"9:00-12:00, 13:00-17:00"`` → ``[["09:00", "12:00"], ["13:00", "17:00"]]``.

    Windows must not be empty or overlap; they are returned sorted.
    """
    windows: list[tuple[int, int]] = []
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        match = _WINDOW.match(part)
        if not match:
            raise ValidationError(f"“{part.strip()[:30]}” is not a range like 09:00-17:00.")
        start, end = parse_hhmm(match[1]), parse_hhmm(match[2])
        if end <= start:
            raise ValidationError(f"{format_hhmm(start)}-{format_hhmm(end)} ends before it starts.")
        windows.append((start, end))
    windows.sort()
    for (_, prev_end), (start, _) in itertools.pairwise(windows):
        if start < prev_end:
            raise ValidationError("Time ranges on one day must not overlap.")
    return [[format_hhmm(a), format_hhmm(b)] for a, b in windows]


def windows_text(windows: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in windows)


MAX_OVERRIDES = 366
_OVERRIDE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[:=]?\s*(.*?)\s*$")
_DAY_OFF = {"", "off", "closed", "unavailable", "-"}


def parse_overrides(text: str) -> dict[str, list[list[str]]]:
    """One date per line: ``2026-12-24: off`` or ``2026-12-27: 10:00-14:00, 15:00-16:00``.

    Returns ``{"2026-12-24": [], "2026-12-27": [["10:00", "14:00"], ["15:00", "16:00"]]}``.
    """
    overrides: dict[str, list[list[str]]] = {}
    for raw in (line for line in text.splitlines() if line.strip()):
        match = _OVERRIDE.match(raw)
        if not match:
            raise ValidationError(
                f"“{raw.strip()[:40]}” is not a line like 2026-12-24: off or "
                "2026-12-27: 10:00-14:00."
            )
        try:
            day = date.fromisoformat(match[1])
        except ValueError:
            raise ValidationError(f"{match[1]} is not a real date.") from None
        if not date_in_range(day):
            raise ValidationError(f"{day.isoformat()}: {DATE_RANGE_MESSAGE}")
        if day.isoformat() in overrides:
            raise ValidationError(f"{day.isoformat()} is listed twice.")
        rest = match[2]
        try:
            windows = [] if rest.lower() in _DAY_OFF else parse_windows(rest)
        except ValidationError as exc:
            raise ValidationError(f"{day.isoformat()}: {exc.messages[0]}") from None
        overrides[day.isoformat()] = windows
    if len(overrides) > MAX_OVERRIDES:
        raise ValidationError(f"Keep it to {MAX_OVERRIDES} dates.")
    return dict(sorted(overrides.items()))


def overrides_text(overrides: dict[str, list[list[str]]]) -> str:
    return "\n".join(
        f"{day}: {windows_text(windows) if windows else 'off'}"
        for day, windows in sorted(overrides.items())
    )
