"""IANA time zone helpers: one place that says which names are valid."""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def timezone_names() -> tuple[str, ...]:
    # "localtime" and the bare POSIX names are not zones a person picks.
    names = {n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"}
    return tuple(sorted(names - {"Factory"}))


def is_valid_timezone(name: str) -> bool:
    return name in _name_set()


@functools.cache
def _name_set() -> frozenset[str]:
    return frozenset(timezone_names())


def validate_timezone(name: str) -> None:
    if not is_valid_timezone(name):
        raise ValidationError("“%(name)s” is not a known time zone.", params={"name": name[:64]})
