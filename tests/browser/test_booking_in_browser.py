"""An attendee books the demo link in a real Chromium, driven by Playwright."""

from __future__ import annotations

import os

from django.core.management import call_command

from booking.models import Booking
from tests.browser.helpers import BROWSER_MARKS, pick_first_slot

pytestmark = BROWSER_MARKS


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
