"""The schedule editor's form: per weekday a list of time ranges, dated overrides, a zone.

It works without JavaScript: each day shows a number of rows (``rows_<day>``, carried in a hidden
field), and the "add a range", "remove" and "copy Monday" buttons post the form back to be shown
again with the change and nothing saved. Only "Save" writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict

from availability.hours import WEEKDAYS, parse_windows, windows_text
from availability.models import MAX_SCHEDULE_NAME, Schedule
from availability.schedules import MAX_WINDOWS_PER_DAY, ScheduleError, clean_windows
from booking.forms import timezone_choices
from workestra.inputs import DATE_RANGE_MESSAGE, date_in_range

MAX_OVERRIDE_ROWS = 60
Windows = list[list[str]]


@dataclass
class DayRows:
    day: int
    name: str
    rows: list[tuple[str, str]]  # (start, end) as shown
    error: str = ""


@dataclass
class OverrideRow:
    date: str
    hours: str


class ScheduleMetaForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=MAX_SCHEDULE_NAME,
        error_messages={
            "required": "Give the schedule a name.",
            "max_length": f"Keep the name to {MAX_SCHEDULE_NAME} characters.",
        },
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        error_messages={"invalid_choice": "Pick a time zone from the list."},
    )


@dataclass
class ScheduleInput:
    """What the editor posted (or the schedule as stored), parsed far enough to show again."""

    days: list[DayRows]
    overrides: list[OverrideRow]
    errors: list[str]

    @property
    def weekly(self) -> dict[str, Windows]:
        return {str(d.day): [[a, b] for a, b in d.rows if a or b] for d in self.days if d.rows}


def from_schedule(schedule: Schedule) -> ScheduleInput:
    days = [
        DayRows(day=i, name=name, rows=[(a, _shown(b)) for a, b in schedule.weekly.get(str(i), [])])
        for i, name in enumerate(WEEKDAYS)
    ]
    overrides = [
        OverrideRow(date=day, hours=windows_text(windows) if windows else "off")
        for day, windows in sorted(schedule.overrides.items())
    ]
    return ScheduleInput(days=_padded(days), overrides=[*overrides, OverrideRow("", "")], errors=[])


def _shown(end: str) -> str:
    return "00:00" if end == "24:00" else end


def from_post(post: QueryDict) -> ScheduleInput:
    """The posted rows, with the button's change (``action``) applied."""
    days = []
    for i, name in enumerate(WEEKDAYS):
        count = _count(post.get(f"rows_{i}"), MAX_WINDOWS_PER_DAY)
        rows = [
            (post.get(f"start_{i}_{j}", "").strip()[:5], post.get(f"end_{i}_{j}", "").strip()[:5])
            for j in range(count)
        ]
        days.append(DayRows(day=i, name=name, rows=rows))
    overrides = [
        OverrideRow(
            date=post.get(f"override_date_{j}", "").strip()[:10],
            hours=post.get(f"override_hours_{j}", "").strip()[:200],
        )
        for j in range(_count(post.get("override_rows"), MAX_OVERRIDE_ROWS))
    ]
    found = ScheduleInput(days=days, overrides=overrides, errors=[])
    _apply(found, post.get("action", ""))
    return found


def _apply(found: ScheduleInput, action: str) -> None:
    kind, _, rest = action.partition("-")
    if kind == "add" and rest.isdigit() and int(rest) < len(found.days):
        day = found.days[int(rest)]
        if len(day.rows) < MAX_WINDOWS_PER_DAY:
            day.rows.append(("", ""))
    elif kind == "remove":
        day_text, _, row_text = rest.partition("-")
        if day_text.isdigit() and row_text.isdigit() and int(day_text) < len(found.days):
            rows = found.days[int(day_text)].rows
            if int(row_text) < len(rows):
                del rows[int(row_text)]
    elif kind == "copy":
        monday = [row for row in found.days[0].rows if row[0] or row[1]]
        for day in found.days[1:5]:
            day.rows = list(monday)
    elif kind == "add_date" and len(found.overrides) < MAX_OVERRIDE_ROWS:
        found.overrides.append(OverrideRow("", ""))
    found.days = _padded(found.days)


def _padded(days: list[DayRows]) -> list[DayRows]:
    """Every day shows at least one row, so a day off can be given hours without a round trip."""
    for day in days:
        if not day.rows:
            day.rows = [("", "")]
    return days


def _count(text: str | None, most: int) -> int:
    return min(int(text), most) if text and text.isdigit() else 1


def clean(found: ScheduleInput) -> tuple[dict[str, Windows], dict[str, Windows]]:
    """The weekly windows and overrides to save; problems go to ``found.errors`` (and onto the
    day they concern) and leave the result unusable."""
    weekly: dict[str, Windows] = {}
    for day in found.days:
        windows = []
        for start, end in day.rows:
            if not start and not end:
                continue
            if not start or not end:
                day.error = "Give each range a start and an end."
                break
            # A time input cannot say 24:00; an end of 00:00 means the end of the day.
            windows.append([start, "24:00" if end == "00:00" else end])
        if not day.error:
            try:
                weekly[str(day.day)] = clean_windows(windows, where=day.name)
            except ScheduleError as exc:
                day.error = str(exc)
        if day.error:
            found.errors.append(
                day.error if day.error.startswith(day.name) else f"{day.name}: {day.error}"
            )
    return {k: v for k, v in weekly.items() if v}, _clean_overrides(found)


def _clean_overrides(found: ScheduleInput) -> dict[str, Windows]:
    overrides: dict[str, Windows] = {}
    for row in found.overrides:
        if not row.date and not row.hours:
            continue
        try:
            day = date.fromisoformat(row.date)
        except ValueError:
            found.errors.append(f"“{row.date or row.hours}”: pick a date for each override.")
            continue
        if not date_in_range(day):
            found.errors.append(f"{row.date}: {DATE_RANGE_MESSAGE}")
            continue
        if row.date in overrides:
            found.errors.append(f"{row.date} is listed twice.")
            continue
        try:
            windows = [] if row.hours.lower() in ("", "off") else parse_windows(row.hours)
        except forms.ValidationError as exc:
            found.errors.append(f"{row.date}: {exc.messages[0]}")
            continue
        overrides[day.isoformat()] = windows
    return overrides


def metadata(schedule: Schedule | None, post: QueryDict | None) -> ScheduleMetaForm:
    initial: dict[str, Any] = {}
    if schedule is not None:
        initial = {"name": schedule.name, "timezone": schedule.timezone}
    return ScheduleMetaForm(post, initial=initial)
