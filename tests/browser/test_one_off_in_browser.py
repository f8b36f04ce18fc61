"""A one-off meeting in a real Chromium on a 390 px phone: the host offers times from the picker,
the invitee books one of them; both pages are accessible and never scroll sideways."""

from __future__ import annotations

from booking.models import Booking, OneOffMeeting
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.browser.test_calendar_on_a_phone import assert_no_sideways_scroll, sign_in
from tests.factories import LinkFactory, MembershipFactory

pytestmark = BROWSER_MARKS


def test_host_offers_times_and_the_invitee_books_one(live_server, page, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    olga = MembershipFactory(user__name="Olga Owner", workspace__name="Acme").user
    LinkFactory(workspace=olga.memberships.get().workspace, owner=olga, title="Intro call")
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, live_server, olga)
    page.goto(f"{live_server.url}/calendar/one-off")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.fill("input[name=title]", "Contract review")
    page.fill("input[name=invitee_name]", "Ivy Invitee")
    page.fill("input[name=invitee_email]", "ivy@example.com")
    boxes = page.locator("input[name=times]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("text=Create offer")
    page.wait_for_selector("text=Offer “Contract review” created")
    meeting = OneOffMeeting.objects.get()
    assert meeting.times.count() == 2

    page.context.clear_cookies()
    page.goto(meeting.public_url + "?tz=America/New_York")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert page.locator("input[name=start]").count() == 2
    assert page.locator("input[name=email]").input_value() == "ivy@example.com"
    page.locator("input[name=start]").nth(1).check()
    page.click("text=Book this time")

    page.wait_for_selector("text=You're booked")
    booking = Booking.objects.get()
    second = meeting.times.all()[1]
    assert (booking.start, booking.email, booking.timezone) == (
        second.start,
        "ivy@example.com",
        "America/New_York",
    )
