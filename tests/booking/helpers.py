"""Small helpers shared by booking tests."""

from __future__ import annotations

from datetime import UTC, datetime

from booking import services


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def attendee(**overrides) -> services.Attendee:
    values = {"name": "Alice Attendee", "email": "alice@example.com", "timezone": "Europe/Berlin"}
    values.update(overrides)
    return services.Attendee(**values)
