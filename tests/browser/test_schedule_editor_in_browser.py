"""The schedule editor in a real browser: add a range, copy Monday, save; and it passes axe."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from availability.models import Schedule
from availability.services import schedule_create
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.usefixtures("frozen")
def test_a_host_adds_a_range_copies_monday_and_saves(live_server, page, owner, workspace):
    schedule = schedule_create(
        workspace=workspace,
        owner=owner,
        name="Office",
        timezone="Europe/Berlin",
        weekly={"0": [["09:00", "12:00"]]},
    )
    signed_in(page, live_server, owner)
    page.goto(live_server.url + reverse("booking:schedule-edit", args=[schedule.pk]))
    assert_accessible(page)

    page.get_by_role("button", name="Add a range on Monday").click()
    page.locator("#start_0_1").fill("13:00")
    page.locator("#end_0_1").fill("17:00")
    page.get_by_role("button", name="Copy Monday to all weekdays").click()
    page.wait_for_selector("#start_4_1")
    page.locator("#override_date_0").fill("2026-12-24")
    page.locator("#override_hours_0").fill("off")
    page.get_by_role("button", name="Save schedule").first.click()
    page.wait_for_selector("text=Saved “Office”.")
    assert_accessible(page)

    schedule = Schedule.objects.get(pk=schedule.pk)
    split = [["09:00", "12:00"], ["13:00", "17:00"]]
    assert schedule.weekly == {str(d): split for d in range(5)}
    assert schedule.overrides == {"2026-12-24": []}
