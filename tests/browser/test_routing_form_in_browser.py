"""A visitor answers a routing form in Chromium, lands on the booking link it routes to with
their answers carried over, and books; the host's routing pages fit a phone and pass axe."""

from __future__ import annotations

from booking.models import Booking, RoutingResponse
from tests.booking.routing_helpers import RoutingFormFactory, add_rule
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS, pick_first_slot
from tests.browser.test_calendar_on_a_phone import assert_no_sideways_scroll, sign_in
from tests.factories import LinkFactory, MembershipFactory

pytestmark = BROWSER_MARKS


def test_a_routed_visitor_books_with_their_answers_carried_over(live_server, page, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    olga = MembershipFactory(user__name="Olga Owner", workspace__name="Acme").user
    workspace = olga.memberships.get().workspace
    link = LinkFactory(workspace=workspace, owner=olga, title="Sales call", slug="sales-call")
    form = RoutingFormFactory(workspace=workspace, owner=olga)
    add_rule(form, [{"question": 2, "op": "equals", "value": "Sales"}], link=link, label="Sales")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}{form.public_path}")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    page.click("text=Continue")  # nothing filled in: every required answer is asked for
    page.wait_for_selector("text=Please correct the answers marked below.")
    assert page.locator("[aria-invalid=true]").count() >= 3
    assert_accessible(page)
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=a1]", "120")
    page.select_option("select[name=a2]", "Sales")
    page.fill("input[name=a3]", "We need SSO")
    page.check("input[name=a4][value=Security]")
    page.click("text=Continue")

    page.wait_for_url("**/book/sales-call**")
    pick_first_slot(page)
    assert page.locator("#booking-form input[name=name]").input_value() == "Ada Lovelace"
    assert page.locator("#booking-form input[name=email]").input_value() == "ada@example.com"
    page.click("text=Confirm booking")

    page.wait_for_selector("text=You're booked")
    booking = Booking.objects.get()
    assert booking.answers == {"a1": "120", "a2": "Sales", "a3": "We need SSO", "a4": "Security"}
    response = RoutingResponse.objects.get()
    assert (response.route_label, response.booking) == ("Sales", booking)


def test_the_host_pages_fit_a_phone_and_pass_axe(live_server, page):
    olga = MembershipFactory(user__name="Olga Owner", workspace__name="Acme").user
    workspace = olga.memberships.get().workspace
    link = LinkFactory(workspace=workspace, owner=olga, title="Sales call", slug="sales-call")
    form = RoutingFormFactory(workspace=workspace, owner=olga)
    rule = add_rule(form, [{"question": 2, "op": "equals", "value": "Sales"}], link=link)
    RoutingResponse.objects.create(
        workspace=workspace,
        form=form,
        name="Maximilian Longname-Attendee",
        email="maximilian.with-a-long-address@example-company.test",
        answers={"1": "120", "2": "Sales", "3": "A long answer " * 8},
        route_label="Sales",
        destination="link",
        link=link,
        target=link.public_path,
        owner_outcome="timeout",
        owner_provider="hubspot",
        owner_detail="HubSpot did not answer within 2 s.",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, olga)

    for path in [
        "/calendar/routing-forms",
        f"/calendar/routing-forms/{form.pk}",
        f"/calendar/routing-forms/{form.pk}/questions/2",
        f"/calendar/routing-forms/{form.pk}/rules/{rule.pk}",
        "/calendar/routing-forms/responses",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator('.subnav [aria-current="page"]').inner_text() == "Routing Forms"
        assert_no_sideways_scroll(page)
        assert_accessible(page)
