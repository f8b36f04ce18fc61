"""The link editor in a real browser on a phone: it passes axe, fits 390 pixels without sideways
scrolling, and changing the event type swaps the settings shown at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.browser.test_schedule_editor_in_browser import signed_in

pytestmark = BROWSER_MARKS


def sideways_scroll(page) -> int:
    """Measured before axe runs: its probes widen the page for a moment."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.usefixtures("frozen")
def test_the_link_editor_on_a_phone_swaps_settings_for_the_type(live_server, page, owner, link):
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in(page, live_server, owner)
    page.goto(live_server.url + reverse("booking:link-edit", args=[link.pk]))

    assert sideways_scroll(page) <= 0
    assert_accessible(page)
    assert page.get_by_role("button", name="Update form").count() == 0  # script swaps at once
    assert not page.locator("#link-hosts").is_visible()

    page.get_by_label("Event type").select_option("round_robin")

    assert page.locator("#link-hosts").is_visible()
    assert page.get_by_label("Round-robin assignment").is_visible()
    assert not page.get_by_label("Seats per slot (group)").is_visible()
    assert sideways_scroll(page) <= 0
    assert_accessible(page)
