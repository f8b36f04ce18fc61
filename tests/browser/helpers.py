"""Marks and page steps shared by the browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None
)
REQUIRED = os.environ.get("REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRED,
        reason="no Chromium here; `python3 dev.py test` installs it",
    ),
]


def pick_first_slot(page) -> None:
    """Click the first open day, then its first time, each after the previous swap landed (the
    picker's URL is pushed once HTMX has swapped it in), so no click hits a stale element."""
    day = page.locator("a.day").first
    date = day.get_attribute("data-date")
    day.click()
    page.wait_for_url(f"**date={date}**")
    page.locator("a.slot").first.click()
    page.wait_for_url("**slot=**")
    page.wait_for_selector("#booking-form")
