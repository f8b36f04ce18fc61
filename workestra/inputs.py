"""Limits on what people may send, shared by every form, page and API endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

OFFSET_MESSAGE = "Give the time with its UTC offset."


def parse_moment(text: str, *, invalid: str) -> datetime:
    """An ISO 8601 time with its UTC offset.

    Raises ``ValidationError`` with ``invalid`` for text that is not a time at all.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(invalid, code="invalid") from None
    if moment.tzinfo is None:
        # Reading it in the server's zone would silently book the wrong hour.
        raise ValidationError(OFFSET_MESSAGE, code="naive")
    return moment


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset (Django's own field reads a time without
    one in the server's zone)."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            value = value.isoformat()
        return parse_moment(str(value), invalid=self.error_messages["invalid"])
