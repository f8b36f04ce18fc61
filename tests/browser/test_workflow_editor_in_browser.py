"""With the script, picking a step's action shows its fields at once, with no round trip."""

from __future__ import annotations

from tests.browser.helpers import BROWSER_MARKS
from tests.conftest import login

pytestmark = BROWSER_MARKS


def test_picking_an_action_shows_its_fields_at_once(live_server, page, owner):
    session = login(owner).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/calendar/workflows/new/blank")
    step = page.locator("#step-1")
    subject, slack_url = (
        step.locator("[name=steps-0-subject]"),
        step.locator("[name=steps-0-slack_url]"),
    )
    assert not subject.is_visible() and not slack_url.is_visible()
    assert not step.get_by_role("button", name="Update fields").is_visible()

    step.get_by_label("Action").select_option("slack")
    assert slack_url.is_visible() and step.locator("[name=steps-0-body]").is_visible()
    assert not subject.is_visible()

    step.get_by_label("Action").select_option("email")
    assert subject.is_visible() and not slack_url.is_visible()
