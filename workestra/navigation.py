"""Which top-bar link the page being shown belongs to, so the bar can mark it aria-current."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# Each link's key and the addresses whose pages it covers; the first match wins, so the
# calendar's own sections (workflows, schedules) come before the calendar.
SECTIONS = [
    ("workflows", ["workflows:list"]),
    ("schedules", ["booking:schedule-list"]),
    ("calendar", ["booking:calendar"]),
    ("contacts", ["crm:contact-list"]),
    ("deals", ["crm:deal-list"]),
    ("links", ["booking:link-list"]),
    ("teams", ["booking:team-list"]),
    ("members", ["members:list", "members:scim", "members:sso"]),
    ("time-off", ["booking:time-off"]),
    ("webhooks", ["webhooks:list"]),
    ("sms", ["sms:settings"]),
    ("integrations", ["integrations:settings"]),
    ("profile", ["profile"]),
]


def section_of(path: str) -> str:
    """The key of the link covering ``path`` (its address or one below it), or ""."""
    for key, names in SECTIONS:
        for name in names:
            prefix = reverse(name)
            if path == prefix or path.startswith(prefix + "/"):
                return key
    return ""


def nav_section(request: HttpRequest) -> dict[str, Any]:
    return {"nav_section": section_of(request.path)}
