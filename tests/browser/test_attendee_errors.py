"""What the attendee sees in a real browser when a booking or a move is refused: the message,
their entries and a fresh list of times, with no reload that throws them away."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from booking import services
from booking.models import Booking
from tests.booking.helpers import attendee, utc
from tests.browser.helpers import BROWSER_MARKS, pick_first_slot

pytestmark = BROWSER_MARKS
JUST_TAKEN = "That time was just taken. Please pick another."


def expect_settled(page):
    """Let any script-driven navigation happen first: what is checked next is what stays."""
    from playwright.sync_api import expect

    page.wait_for_load_state("networkidle")
    return expect


def take(link, start: str) -> Booking:
    """Someone else books ``start`` between the attendee's page load and their submit."""
    return services.booking_create(
        link=link,
        start=datetime.fromisoformat(start),
        attendee=attendee(name="Quick Quentin", email="quick@example.com"),
    )


def test_a_time_taken_meanwhile_keeps_the_entries_and_offers_a_fresh_list(
    live_server, page, link, frozen
):
    page.goto(f"{live_server.url}{link.public_path}?utm_source=newsletter&a1=Five+people")
    page.wait_for_url("**tz=America%2FNew_York**")
    pick_first_slot(page)
    taken = page.locator("input[name=start]").input_value()
    page.fill("#booking-form [name=name]", "Ada Lovelace")
    page.fill("#booking-form [name=email]", "ada@example.com")
    take(link, taken)

    page.click("text=Confirm booking")

    expect = expect_settled(page)
    expect(page.get_by_role("alert")).to_have_text(JUST_TAKEN)
    # The same day's list, fetched fresh: 09:00 in Berlin (03:00 in New York) is gone.
    expect(page.locator("#slot-list h2")).to_have_text("Monday, 23 November")
    expect(page.locator("a.slot").first).to_have_text("3:30 AM")
    assert page.locator("select[name=tz]").input_value() == "America/New_York"

    page.locator("a.slot").first.click()
    page.wait_for_url("**slot=**")
    expect(page.locator("#booking-form [name=name]")).to_have_value("Ada Lovelace")
    expect(page.locator("#booking-form [name=email]")).to_have_value("ada@example.com")
    page.click("text=Confirm booking")

    page.wait_for_selector("text=You're booked")
    booking = Booking.objects.get(email="ada@example.com")
    assert (booking.name, booking.start, booking.timezone) == (
        "Ada Lovelace",
        utc(2026, 11, 23, 8, 30),
        "America/New_York",
    )
    assert (booking.utm, booking.answers) == ({"utm_source": "newsletter"}, {"a1": "Five people"})


def test_an_email_the_server_refuses_is_explained_next_to_the_kept_entries(
    live_server, page, link, frozen
):
    page.goto(f"{live_server.url}{link.public_path}")
    page.wait_for_url("**tz=America%2FNew_York**")
    pick_first_slot(page)
    heading = page.locator("#booking-form h2").inner_text()
    page.fill("#booking-form [name=name]", "Ada Lovelace")
    # The browser lets a one-label domain through; the server does not.
    page.fill("#booking-form [name=email]", "ada@example")

    page.click("text=Confirm booking")

    expect = expect_settled(page)
    expect(page.locator(".field-error")).to_have_text("Enter a valid email address.")
    expect(page.locator("#booking-form [name=email]")).to_be_focused()  # where to fix it
    expect(page.locator("#booking-form [name=name]")).to_have_value("Ada Lovelace")
    expect(page.locator("#booking-form [name=email]")).to_have_value("ada@example")
    expect(page.locator("#booking-form h2")).to_have_text(heading)
    assert not Booking.objects.exists()

    page.fill("#booking-form [name=email]", "ada@example.com")
    page.click("text=Confirm booking")
    page.wait_for_selector("text=You're booked")
    assert Booking.objects.get().email == "ada@example.com"


def test_a_new_time_taken_meanwhile_leaves_the_booking_and_offers_a_fresh_list(
    live_server, page, link, frozen
):
    booking = services.booking_create(
        link=link, start=utc(2026, 11, 23, 9, 0), attendee=attendee(timezone="America/New_York")
    )
    page.goto(live_server.url + reverse("booking:reschedule", args=[booking.reschedule_token]))
    page.wait_for_url("**tz=America%2FNew_York**")
    # The attendee moves on to another zone than the one they booked in and their browser's.
    page.select_option("select[name=tz]", "Europe/London")
    page.wait_for_url("**tz=Europe%2FLondon**")
    pick_first_slot(page)
    take(link, page.locator("input[name=start]").input_value())

    page.click("text=Confirm new time")

    expect = expect_settled(page)
    expect(page.get_by_role("alert")).to_have_text(JUST_TAKEN)
    expect(page.locator("#slot-list h2")).to_have_text("Monday, 23 November")
    # 08:00 London was just taken; 09:00 is the attendee's own booking, free for the move.
    expect(page.locator("a.slot").first).to_have_text("8:30 AM")
    assert page.locator("select[name=tz]").input_value() == "Europe/London"
    booking.refresh_from_db()
    assert (booking.status, booking.start) == ("confirmed", utc(2026, 11, 23, 9, 0))

    page.locator("a.slot").first.click()
    page.wait_for_url("**slot=**")
    page.click("text=Confirm new time")
    page.wait_for_selector("text=Your meeting has moved")
    moved = Booking.objects.get(rescheduled_from=booking)
    assert moved.start == utc(2026, 11, 23, 8, 30)
