"""The browser every browser test drives: Debian's Chromium through Playwright."""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import CHROMIUM

# Playwright's sync API runs an event loop in this thread; the ORM calls here are test setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "REQUIRE_BROWSER is set but no Chromium was found"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(timezone_id="America/New_York", locale="en-US")
        yield context.new_page()
        context.close()
        browser.close()
