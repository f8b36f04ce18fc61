"""``{{variable}}`` substitution for workflow subjects and bodies."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill every known placeholder; an unknown one (refused at save time) renders empty."""
    return PLACEHOLDER.sub(lambda m: values.get(m[1], ""), text)


def unknown_names(text: str, is_known: Callable[[str], bool]) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if not is_known(name)})
