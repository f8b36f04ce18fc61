"""Limits on what people may send, shared by every form, page and API endpoint.

Python's datetimes end at years 1 and 9999, so a date near either edge overflows as soon as an
offset or a duration is applied (``0001-01-01T00:00:00+14:00`` in UTC is in year 0). Every date
that comes in is therefore held to a range far inside those edges, where all the arithmetic the
product does stays safe.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
DATE_RANGE_MESSAGE = (
    f"Dates must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
)
OFFSET_MESSAGE = "Give the time with its UTC offset."
NUL_MESSAGE = "null characters are not allowed."


def date_in_range(value: date | datetime) -> bool:
    """Whether ``value`` (a date, or a datetime read on its own wall clock) is in the range."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def validate_date_range(value: date | datetime) -> None:
    """A form field validator for :func:`date_in_range`."""
    if not date_in_range(value):
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or ``None``. PostgreSQL refuses NUL in text, so
    Django's form fields refuse it too; free-form values (answers, UTM) need the same check."""
    if "\x00" in value:
        return NUL_MESSAGE
    return None


def parse_moment(text: str, *, invalid: str) -> datetime:
    """An ISO 8601 time with its UTC offset, inside the supported range.

    Raises ``ValidationError`` with ``invalid`` for text that is not a time at all.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(invalid, code="invalid") from None
    if moment.tzinfo is None:
        # Reading it in the server's zone would silently book the wrong hour.
        raise ValidationError(OFFSET_MESSAGE, code="naive")
    validate_date_range(moment)
    return moment


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset (Django's own field reads a time without
    one in the server's zone)."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            value = value.isoformat()
        return parse_moment(str(value), invalid=str(self.error_messages["invalid"]))
