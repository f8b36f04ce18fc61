"""The CRM part of Settings → Integrations on a 390×844 phone, with HubSpot connected and
Salesforce offered: readable, accessible, no sideways scrolling, and Disconnect works without
JavaScript."""

from __future__ import annotations

from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.browser.test_calendar_on_a_phone import assert_no_sideways_scroll, sign_in
from tests.factories import MembershipFactory
from tests.integrations import fixtures_crm
from tests.integrations.fake_hubspot import PORTAL

fake_hubspot = fixtures_crm.fake_hubspot
fake_salesforce = fixtures_crm.fake_salesforce

pytestmark = BROWSER_MARKS


def test_an_admin_sees_and_disconnects_the_crm_on_a_phone(
    live_server, page, fake_hubspot, fake_salesforce
):
    membership = MembershipFactory(user__email="olga@acme.test", workspace__name="Acme")
    fixtures_crm.connect_hubspot(fake_hubspot, membership.workspace)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, membership.user)

    page.goto(f"{live_server.url}/settings/integrations#crm")
    assert page.locator("#crm-hubspot-status").inner_text() == f"Connected: {PORTAL}"
    assert page.locator("#crm-salesforce button").inner_text() == "Connect Salesforce"
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.click(f"button:has-text('Disconnect HubSpot ({PORTAL})')")
    page.wait_for_selector("text=Disconnected HubSpot")
    assert page.locator("#crm-hubspot button").inner_text() == "Connect HubSpot"
    assert_no_sideways_scroll(page)
    assert_accessible(page)
