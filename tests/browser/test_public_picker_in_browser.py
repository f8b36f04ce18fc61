"""The public picker in a real Chromium: keyboard only, screen-reader cues, the zone search,
where focus goes after each step, phones, and axe-core on every state of the page."""

from __future__ import annotations

import re

from booking.models import Booking
from tests.booking.helpers import utc
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS, pick_first_slot

pytestmark = BROWSER_MARKS


def focused(page, script: str = "e => e"):
    return page.evaluate(f"(({script}))(document.activeElement)")


def open_page(page, url: str) -> None:
    """Load the page and let the browser's zone land (one swap of the picker, no reload)."""
    page.goto(url)
    page.wait_for_url("**tz=America%2FNew_York**")
    # The live region speaks once the new picker has settled.
    page.wait_for_function("document.getElementById('picker-status').textContent !== ''")
    # Nothing still in flight: a key pressed during a swap would meet a picker being replaced.
    page.wait_for_load_state("networkidle")
    # ...and the grid of the picker now in the page has its one tab stop (set once it settled).
    page.wait_for_function(
        "document.querySelectorAll('#calendar [data-date]:not([tabindex=\"-1\"])').length === 1"
    )


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
                  return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


def test_an_attendee_books_with_the_keyboard_alone(live_server, page, link, frozen):
    from playwright.sync_api import expect

    open_page(page, f"{live_server.url}{link.public_path}")
    for _ in range(15):  # Tab from the top of the page into the grid of days: one tab stop
        page.keyboard.press("Tab")
        if focused(page, "e => e.closest('#calendar [data-date]') !== null"):
            break
    assert focused(page, "e => e.getAttribute('aria-label') || e.outerHTML.slice(0, 300)") == (
        "Monday 23 November 2026, 16 times available"
    )
    page.keyboard.press("ArrowDown")  # a week later
    page.keyboard.press("ArrowLeft")
    sunday = page.locator('#calendar [data-date="2026-11-29"]')
    expect(sunday).to_be_focused()
    expect(sunday).to_have_attribute("aria-label", "Sunday 29 November 2026, no times")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    expect(page.locator('#calendar [data-date="2026-11-23"]')).to_be_focused()
    page.keyboard.press("ArrowRight")

    page.keyboard.press("Enter")
    page.wait_for_url("**date=2026-11-24**")
    expect(page.locator("#slot-heading")).to_be_focused()
    expect(page.locator("#picker-status")).to_have_text("16 times on Tuesday 24 November")
    page.keyboard.press("Tab")
    assert focused(page, "e => e.textContent") == "3:00 AM"
    page.keyboard.press("Enter")
    page.wait_for_url("**slot=**")
    expect(page.locator("#booking-form [name=name]")).to_be_focused()
    page.keyboard.type("Ada Lovelace")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@example.com")
    for _ in range(8):
        page.keyboard.press("Tab")
        if focused(page, "e => e.textContent") == "Confirm booking":
            break
    page.keyboard.press("Enter")

    page.wait_for_selector("text=You're booked")
    booking = Booking.objects.get()
    assert (booking.name, booking.start) == ("Ada Lovelace", utc(2026, 11, 24, 8, 0))


def test_arrow_keys_cross_into_the_next_month(live_server, page, link, frozen):
    from playwright.sync_api import expect

    open_page(page, f"{live_server.url}{link.public_path}")
    page.locator("#calendar [tabindex='0']").focus()
    page.keyboard.press("ArrowDown")
    assert focused(page, "e => e.dataset.date") == "2026-11-30"
    page.keyboard.press("ArrowDown")  # 7 December: the grid turns to December

    page.wait_for_url("**month=2026-12**")
    expect(page.locator("#month-label")).to_have_text("December 2026")
    expect(page.locator("#calendar [data-date='2026-12-07']")).to_be_focused()
    # December is the last month within the link's 30 days ahead: nothing further is offered.
    expect(page.locator("#month-next")).to_have_count(0)
    page.keyboard.press(" ")  # Space picks, as Enter does
    page.wait_for_url("**date=2026-12-07**")
    expect(page.locator("#slot-heading")).to_be_focused()


def test_the_zone_search_finds_a_zone_and_shows_times_there(live_server, page, link, frozen):
    from playwright.sync_api import expect

    open_page(page, f"{live_server.url}{link.public_path}")
    # The detected zone leads the list, each zone with its offset and local time.
    first = page.locator("#tz-select option").first
    expect(first).to_have_text("(UTC−05:00) America/New York · 2:00 AM")

    page.get_by_label("Search time zones").fill("tokyo")
    visible = page.locator("#tz-select option:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible).to_have_text("(UTC+09:00) Asia/Tokyo · 4:00 PM")
    page.keyboard.press("Enter")

    page.wait_for_url("**tz=Asia%2FTokyo**")
    expect(page.locator("a.slot").first).to_have_text("5:00 PM")
    assert page.locator("#tz-select").input_value() == "Asia/Tokyo"
    expect(page.get_by_label("Search time zones")).to_be_focused()


def test_one_page_load_and_one_small_swap_on_the_first_visit(live_server, page, link, frozen):
    documents, swaps = [], []
    page.on("request", lambda r: (documents if r.resource_type == "document" else swaps).append(r))
    open_page(page, f"{live_server.url}{link.public_path}")

    assert len(documents) == 1
    pickers = [r for r in swaps if r.headers.get("hx-request")]
    assert len(pickers) == 1
    assert len(pickers[0].response().body()) < 15_000


def test_picking_a_time_brings_the_form_into_view_with_focus(live_server, page, link, frozen):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page, f"{live_server.url}{link.public_path}")
    pick_first_slot(page)
    # The form lands with the swap; scrolling and focus follow once HTMX has settled it.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'name'")

    assert in_view(page, "#booking-form-heading")
    assert focused(page, "e => e.name") == "name"


def test_on_a_phone_the_day_and_its_times_fit_the_first_screen(live_server, page, link, frozen):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, f"{live_server.url}{link.public_path}")
    assert in_view(page, "a.day.selected") and in_view(page, "a.slot")

    page.locator("a.day[data-date='2026-11-25']").click()
    page.wait_for_url("**date=2026-11-25**")
    assert in_view(page, "a.day.selected") and in_view(page, "a.slot")


def test_the_clock_toggle_switches_without_a_reload(live_server, page, link, frozen):
    from playwright.sync_api import expect

    open_page(page, f"{live_server.url}{link.public_path}")
    page.click("#clock-24h")
    page.wait_for_url("**clock=24h**")
    expect(page.locator("a.slot").first).to_have_text("03:00")
    expect(page.locator("#clock-24h")).to_be_focused()


def test_the_browsers_locale_sets_the_clock_in_the_first_swap(live_server, page, link, frozen):
    """A German Accept-Language, but the browser itself set to American English: the browser's
    own locale wins, in the same swap that brings its time zone."""
    from playwright.sync_api import expect

    context = page.context.browser.new_context(timezone_id="America/New_York", locale="de-DE")
    context.add_init_script("Object.defineProperty(navigator, 'language', {get: () => 'en-US'})")
    mixed = context.new_page()
    first = mixed.goto(f"{live_server.url}{link.public_path}")
    assert 'data-clock="24h"' in first.text()  # the server's guess, from de-DE
    mixed.wait_for_url("**clock=12h**")
    # 12-hour form, written the German way the page's language asks for ("3:00 vorm.").
    expect(mixed.locator("a.slot").first).to_have_text(re.compile(r"^3:00\s\S"))
    context.close()


def test_the_booking_and_team_pages_pass_axe(live_server, page, link, frozen):
    from booking.models import BookingLink
    from workestra.models import Team

    open_page(page, f"{live_server.url}{link.public_path}")
    assert_accessible(page)
    page.locator("a.day[data-date='2026-11-25']").click()
    page.wait_for_url("**date=2026-11-25**")
    assert_accessible(page)
    page.locator("a.slot").first.click()
    page.wait_for_selector("#booking-form")
    assert_accessible(page)

    team = Team.objects.create(workspace=link.workspace, name="Sales", slug="sales")
    BookingLink.objects.filter(pk=link.pk).update(team=team)
    page.goto(f"{live_server.url}/team/sales")
    assert_accessible(page)
    BookingLink.objects.filter(pk=link.pk).update(is_active=False)
    page.goto(f"{live_server.url}{link.public_path}")
    page.wait_for_selector("text=not taking bookings right now")
    assert_accessible(page)


def test_without_javascript_the_zone_clock_day_and_time_links_still_book(
    live_server, page, link, frozen
):
    from playwright.sync_api import expect

    context = page.context.browser.new_context(java_script_enabled=False, locale="en-US")
    plain = context.new_page()
    plain.goto(f"{live_server.url}{link.public_path}")
    expect(plain.locator("#tz-search")).to_be_hidden()
    plain.select_option("#tz-select", "Asia/Tokyo")
    plain.click("text=Show times")
    plain.click("#clock-24h")
    plain.locator("a.day[data-date='2026-11-25']").click()
    expect(plain.locator("#slot-heading")).to_have_text("Wednesday, 25 November")
    plain.locator("a.slot").first.click()
    assert plain.url.endswith("#booking-form") and "clock=24h" in plain.url
    expect(plain.locator("#booking-form-heading")).to_contain_text("00:00–00:30 (Asia/Tokyo)")
    plain.fill("#booking-form [name=name]", "Ada Lovelace")
    plain.fill("#booking-form [name=email]", "ada@example.com")
    plain.click("text=Confirm booking")

    plain.wait_for_selector("text=You're booked")
    booking = Booking.objects.get()
    assert (booking.start, booking.timezone) == (utc(2026, 11, 24, 15, 0), "Asia/Tokyo")
    context.close()
