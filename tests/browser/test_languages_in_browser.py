"""A German browser books: German pages and a German email, and the menu switches language."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command

from booking.models import Booking
from tests.browser.helpers import BROWSER_MARKS, CHROMIUM, pick_first_slot
from workflows import outbox

pytestmark = BROWSER_MARKS

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def test_a_german_browser_books_in_german_and_gets_a_german_email(live_server, settings):
    from playwright.sync_api import sync_playwright

    settings.PUBLIC_BASE_URL = live_server.url
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE")
        page = context.new_page()

        page.goto(f"{live_server.url}/book/intro")
        page.wait_for_url("**tz=Europe%2FBerlin**")
        assert page.locator("html").get_attribute("lang") == "de"
        pick_first_slot(page)
        page.fill("input[name=name]", "Greta Gauss")
        page.fill("input[name=email]", "greta@example.com")
        page.locator("#booking-form button.primary").click()
        page.wait_for_url("**/booked/**")

        booking = Booking.objects.get()
        assert booking.language == "de"
        outbox.drain()
        email = next(m for m in mail.outbox if m.to == ["greta@example.com"])
        assert email.subject.startswith("Bestätigt: ")
        assert email.body.startswith("Hallo Greta Gauss,\n\nIhr Termin ist gebucht.")
        start = booking.start.astimezone(ZoneInfo("Europe/Berlin"))
        day = f"{WEEKDAYS[start.weekday()]}, {start.day}. {MONTHS[start.month - 1]} {start.year}"
        assert f"Wann: {day}, {start:%H:%M}–" in email.body

        page.goto(booking.cancel_url)
        assert page.locator("h1").inner_text() == "Diesen Termin absagen?"
        page.select_option("select[name=lang]", "fr")
        page.get_by_role("button", name="Sprache ändern").click()
        page.wait_for_url("**lang=fr**")
        assert page.locator("h1").inner_text() == "Annuler ce rendez-vous ?"
        assert page.locator("html").get_attribute("lang") == "fr"

        context.close()
        browser.close()
