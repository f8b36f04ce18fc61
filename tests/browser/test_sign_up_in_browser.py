"""A new host signs up in a real browser, verifies the address, sets up their account and their\nfirst link, and a stranger in another browser books it."""

from __future__ import annotations

import re

from django.core import mail

from booking.models import Booking, BookingLink
from tests.browser.helpers import BROWSER_MARKS, pick_first_slot
from workflows import outbox

pytestmark = BROWSER_MARKS


def test_sign_up_verify_onboard_and_get_booked_from_another_browser(live_server, page, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email").fill("hedy@example.test")
    page.get_by_label("Your name").fill("Hedy")
    page.get_by_label("Password").fill("a long enough passphrase 42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/confirm-email/")

    outbox.drain()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/onboarding")

    # The browser runs in New York; the page preselects that zone instead of UTC.
    assert page.get_by_label("Your time zone").input_value() == "America/New_York"
    page.get_by_label("Name of your first booking link").fill("Office hours")
    page.get_by_role("button", name="Save and create the link").click()
    page.wait_for_url("**/onboarding/calendar/*")

    assert page.get_by_role("link", name="Connect a calendar").is_visible()
    link_row = BookingLink.objects.get(title="Office hours")
    assert link_row.timezone == "America/New_York"

    # A stranger, in a browser of their own with no session, books the new link.
    visitor = page.context.browser.new_context(timezone_id="Europe/Berlin", locale="en-GB")
    try:
        attendee = visitor.new_page()
        attendee.goto(f"{live_server.url}/book/{link_row.slug}")
        pick_first_slot(attendee)
        attendee.fill("input[name=name]", "Ada Lovelace")
        attendee.fill("input[name=email]", "ada@example.com")
        attendee.get_by_role("button", name="Confirm booking").click()
        attendee.wait_for_selector("text=You're booked")
    finally:
        visitor.close()

    booking = Booking.objects.get(link=link_row)
    assert (booking.email, booking.status, booking.host.email) == (
        "ada@example.com",
        "confirmed",
        "hedy@example.test",
    )
    # The host sees it on their calendar in the first browser.
    page.goto(f"{live_server.url}/calendar")
    assert page.get_by_text("Ada Lovelace").first.is_visible()
