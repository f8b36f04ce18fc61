"""Paid links on a 390×844 phone: the Stripe section of Settings → Integrations, a link's
payment settings, and the attendee's page after Checkout: readable, accessible, no sideways
scrolling."""

from __future__ import annotations

from booking.payments import LinkPrice
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.browser.test_calendar_on_a_phone import assert_no_sideways_scroll, sign_in
from tests.factories import BookingFactory, LinkFactory, MembershipFactory
from tests.integrations import fixtures_stripe

fake_stripe = fixtures_stripe.fake_stripe
localstripe_url = fixtures_stripe.localstripe_url

pytestmark = BROWSER_MARKS


def test_an_admin_sets_up_paid_links_on_a_phone(live_server, page, fake_stripe):
    membership = MembershipFactory(user__email="olga@acme.test", workspace__name="Acme")
    account = fixtures_stripe.connect_stripe(membership.workspace)
    link = LinkFactory(workspace=membership.workspace, owner=membership.user, slug="paid")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, membership.user)

    page.goto(f"{live_server.url}/settings/integrations#stripe")
    assert page.locator("#stripe-status").inner_text() == "Connected: Acme Ltd."
    assert account.public_id in page.locator("#stripe").inner_text()
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/settings/booking-links/{link.pk}/payment")
    page.check("input[name=require_payment]")
    page.fill("input[name=price]", "12.345")
    page.click("button:has-text('Save')")
    assert "Enter at most 2 decimal places." in page.content()
    assert page.locator("input[name=price]").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.fill("input[name=price]", "12.50")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved the payment settings.")
    assert LinkPrice.objects.get(link=link).amount == 1250
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_the_attendee_waits_for_the_payment_on_a_phone(live_server, page, fake_stripe):
    booking = BookingFactory(status="pending_payment", timezone="Europe/Berlin")
    LinkPrice.objects.create(link=booking.link, amount=2500, currency="EUR", refund_hours=24)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/book/paid/{booking.reschedule_token}")

    assert page.locator("h1").inner_text() == "Waiting for payment confirmation"
    assert_no_sideways_scroll(page)
    assert_accessible(page)
