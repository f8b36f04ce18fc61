"""An attendee books the demo link in a real Chromium, driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from booking.models import Booking

CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None
)
REQUIRED = os.environ.get("REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRED,
        reason="no Chromium here; `python3 dev.py test` installs it",
    ),
]
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


def pick_first_slot(page) -> None:
    """Click the first open day, then its first time, each after the previous swap landed (the
    picker's URL is pushed once HTMX has swapped it in), so no click hits a stale element."""
    day = page.locator("a.day").first
    date = day.get_attribute("data-date")
    day.click()
    page.wait_for_url(f"**date={date}**")
    page.locator("a.slot").first.click()
    page.wait_for_url("**slot=**")
    page.wait_for_selector("input[name=name]")


def test_attendee_books_the_demo_link_and_sees_the_confirmation(live_server, page, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    page.goto(f"{live_server.url}/book/intro")
    # The page picks up the browser's zone and lists times in it.
    page.wait_for_url("**tz=America%2FNew_York**")
    assert page.locator("select[name=tz]").input_value() == "America/New_York"
    pick_first_slot(page)
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.click("text=Confirm booking")

    page.wait_for_selector("text=You're booked")
    assert "ada@example.com" in page.content()
    booking = Booking.objects.get()
    assert (booking.name, booking.timezone, booking.status) == (
        "Ada Lovelace",
        "America/New_York",
        "confirmed",
    )


def test_attendee_picks_a_round_robin_link_from_the_team_page(live_server, page, settings):
    from booking.models import BookingLink, LinkHost
    from tests.factories import LinkFactory, MembershipFactory
    from workestra.models import Team

    settings.PUBLIC_BASE_URL = live_server.url
    first = MembershipFactory(user__name="Rita Rotation")
    second = MembershipFactory(workspace=first.workspace, user__name="Sam Second")
    team = Team.objects.create(workspace=first.workspace, name="Sales team", slug="sales-team")
    link = LinkFactory(
        workspace=first.workspace,
        owner=first.user,
        team=team,
        kind=BookingLink.Kind.ROUND_ROBIN,
        title="Talk to sales",
        slug="talk-to-sales",
    )
    LinkHost.objects.create(link=link, user=first.user)
    LinkHost.objects.create(link=link, user=second.user)

    page.goto(f"{live_server.url}/team/sales-team")
    page.click("text=Talk to sales")
    page.wait_for_url("**tz=America%2FNew_York**")
    pick_first_slot(page)
    page.fill("input[name=name]", "Grace Hopper")
    page.fill("input[name=email]", "grace@example.com")
    page.click("text=Confirm booking")

    page.wait_for_selector("text=You're booked")
    booking = Booking.objects.get()
    assert booking.host_id in (first.user_id, second.user_id)
    assert booking.reservations.count() == 1
    assert booking.host.display_name in page.content()
