"""A single-use link end to end: the host makes one from a contact's page on a phone, the contact
opens it, books with the details already filled in, and a second use is refused."""

from __future__ import annotations

from crm.models import Contact
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS, pick_first_slot
from tests.conftest import login

pytestmark = BROWSER_MARKS
PHONE = {"width": 390, "height": 844}
KEY = "workestra:single_use_token"


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_make_open_book_and_a_second_use_is_refused(
    live_server, page, owner, workspace, link, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    contact = Contact.objects.create(
        workspace=workspace,
        email="ada.lovelace.with.a.long.address@analytical-engines.example.com",
        name="Ada Lovelace",
    )
    session = login(owner).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/crm/contacts/{contact.pk}")
    page.get_by_role("link", name="Create single-use link").click()
    page.wait_for_url("**/calendar/single-use?contact=*")
    assert (
        page.get_by_role("link", name="Single-use", exact=True).get_attribute("aria-current")
        == "page"
    )
    page.get_by_label("Template booking link").select_option(str(link.pk))
    page.get_by_role("button", name="Create single-use link").click()
    page.wait_for_url("**/calendar/single-use#single-use-*")
    row = page.locator("table.single-use tbody tr").first
    assert "Open" in row.inner_text() and "Ada Lovelace" in row.inner_text()
    url = row.locator("input").input_value()
    assert sideways_overflow(page) <= 0
    assert_accessible(page)

    page.goto(url)
    page.wait_for_url(f"**{link.public_path}?single_use=*")
    token = url.rsplit("/", 1)[1]
    assert page.evaluate(f"sessionStorage.getItem('{KEY}')") == token
    pick_first_slot(page)
    assert page.input_value("input[name=name]") == "Ada Lovelace"
    assert page.input_value("input[name=email]") == contact.email
    page.click("text=Confirm booking")
    page.wait_for_url("**/booked/**")
    assert page.evaluate(f"sessionStorage.getItem('{KEY}')") is None

    page.goto(url)
    assert page.get_by_text("This link has already been used to book a meeting.").is_visible()
    assert sideways_overflow(page) <= 0
    assert_accessible(page)
