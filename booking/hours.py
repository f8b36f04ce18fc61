"""Weekly hours as people type them: the parsing lives with the schedules in ``availability``."""

from availability.hours import (
    MAX_OVERRIDES,
    WEEKDAYS,
    format_hhmm,
    overrides_text,
    parse_hhmm,
    parse_overrides,
    parse_windows,
    windows_text,
)

__all__ = [
    "MAX_OVERRIDES",
    "WEEKDAYS",
    "format_hhmm",
    "overrides_text",
    "parse_hhmm",
    "parse_overrides",
    "parse_windows",
    "windows_text",
]
