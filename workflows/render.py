"""The one ``{{variable}}`` renderer: workflow subjects and bodies, and booking redirect URLs.

Which names exist is the provider's business (``booking.variables`` for bookings); this module
fills placeholders in and words the one "unknown variable" message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render(text: str, values: Mapping[str, str], *, escape: Callable[[str], str] = str) -> str:
    """Fill every known placeholder; an unknown one (refused at save time) renders empty."""
    return PLACEHOLDER.sub(lambda m: escape(values.get(m[1], "")), text)


def render_url(template: str, values: Mapping[str, str]) -> str:
    """Fill a URL template, each value percent-encoded so it cannot add a query or path part."""
    return render(template, values, escape=lambda v: quote(v, safe=""))


def unknown_names(text: str, is_known: Callable[[str], bool]) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if not is_known(name)})


def unknown_message(text: str, is_known: Callable[[str], bool], valid_names: Iterable[str]) -> str:
    """The error naming every unknown placeholder in ``text`` and every valid name; empty when
    all are known."""
    unknown = unknown_names(text, is_known)
    if not unknown:
        return ""
    plural = "s" if len(unknown) > 1 else ""
    return f"Unknown variable{plural}: {', '.join(unknown)}. Valid names: {', '.join(valid_names)}."
