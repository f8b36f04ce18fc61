"""The contacts list and a contact's page on a phone: nothing scrolls sideways, and axe-core
finds no WCAG A/AA violation."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from crm.models import Contact
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.conftest import login
from tests.factories import BookingFactory, StageFactory

pytestmark = BROWSER_MARKS
PHONE = {"width": 390, "height": 844}


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_contacts_and_a_contact_fit_a_phone_and_pass_axe(live_server, page, owner, workspace, link):
    person = Contact.objects.create(
        workspace=workspace,
        email="ada.lovelace.with.a.long.address@analytical-engines.example.com",
        name="Ada Lovelace",
        phone="+14155550100",
    )
    Contact.objects.create(workspace=workspace, email="grace@navy.test", name="Grace Hopper")
    BookingFactory(link=link, contact=person, start=timezone.now() + timedelta(days=3))
    BookingFactory(link=link, contact=person, start=timezone.now() - timedelta(days=3))
    stage = StageFactory(workspace=workspace, pipeline__workspace=workspace, name="New leads")
    person.deals.create(workspace=workspace, stage=stage, title="Analytical engine rollout")
    session = login(owner).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/crm/contacts")
    assert page.get_by_role("link", name="Contacts").get_attribute("aria-current") == "page"
    assert sideways_overflow(page) <= 0
    assert_accessible(page)

    page.get_by_label("Search by name, email or company domain").fill("analytical")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url(f"**/crm/contacts/{person.pk}")
    assert page.get_by_role("link", name="Schedule a call").is_visible()
    assert page.get_by_text("Analytical engine rollout").is_visible()
    assert sideways_overflow(page) <= 0
    assert_accessible(page)

    page.get_by_role("link", name="Deals", exact=True).first.click()
    page.wait_for_url("**/crm/deals")
    assert page.get_by_role("heading", name="New leads").is_visible()
    assert sideways_overflow(page) <= 0
    assert_accessible(page)
