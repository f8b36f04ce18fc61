"""The period an analytics page covers: whole local days in the viewer's zone, stored as UTC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from availability import engine

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
# Outside these a local midnight can overflow a datetime; no booking is that old or that far out.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    zone: ZoneInfo
    preset: int | None = None  # 7, 30 or 90 when chosen as "the last N days"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """The first day's local midnight, in UTC."""
        return engine.from_epoch(engine.local_midnight_epoch(self.first, self.zone))

    @property
    def end(self) -> datetime:
        """The local midnight after the last day, in UTC (exclusive)."""
        following = self.last + timedelta(days=1)
        return engine.from_epoch(engine.local_midnight_epoch(following, self.zone))

    def query(self) -> str:
        """The query string that chooses this period again (for the CSV links)."""
        if self.preset:
            return urlencode({"period": self.preset})
        return urlencode({"from": self.first.isoformat(), "to": self.last.isoformat()})


def last_days(days: int, today: date, zone: ZoneInfo) -> Period:
    return Period(first=today - timedelta(days=days - 1), last=today, zone=zone, preset=days)


def parse_period(params: Mapping[str, str], *, zone: ZoneInfo, now: datetime) -> tuple[Period, str]:
    """The period asked for, or the default (the last 30 days) with a message saying why not."""
    today = now.astimezone(zone).date()
    default = last_days(DEFAULT_DAYS, today, zone)
    first_text = (params.get("from") or "").strip()
    last_text = (params.get("to") or "").strip()
    if first_text or last_text:
        try:
            last = _date(last_text, "end") if last_text else today
            first = _date(first_text, "start") if first_text else last - timedelta(days=29)
        except ValueError as exc:
            return default, str(exc)
        if first > last:
            return default, "The start date is after the end date."
        if (last - first).days + 1 > MAX_DAYS:
            return default, f"Choose a period of at most {MAX_DAYS} days."
        return Period(first=first, last=last, zone=zone), ""
    preset = (params.get("period") or "").strip()
    if not preset:
        return default, ""
    if preset not in {str(days) for days in PRESETS}:
        return default, "Choose the last 7, 30 or 90 days, or a start and an end date."
    return last_days(int(preset), today, zone), ""


def _date(text: str, which: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"The {which} date “{text[:40]}” is not a date: use the form 2026-11-23."
        ) from None
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"Choose a {which} date between the years 2000 and 2100.")
    return value
