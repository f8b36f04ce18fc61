"""The calendar's Overview and Bookings on a 390×844 phone: readable, accessible, no sideways
scrolling, and the filters work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.factories import BookingFactory, LinkFactory, MembershipFactory

pytestmark = BROWSER_MARKS


@pytest.fixture
def host(live_server):
    olga = MembershipFactory(
        user__email="olga@acme.test", user__name="Olga Owner", workspace__name="Acme"
    ).user
    link = LinkFactory(workspace=olga.memberships.get().workspace, owner=olga, title="Intro call")
    soon = timezone.now() + timedelta(hours=3)
    for n, name in enumerate(["Uma Underwood", "Maximilian Longname-Attendee"]):
        BookingFactory(
            link=link,
            start=soon + timedelta(days=n),
            name=name,
            email=f"{name.split()[0].lower()}.with-a-long-address@example-company.test",
        )
    return olga


def sign_in(page, live_server, user) -> None:
    """Carry a signed-in session into the browser (signing in has browser tests of its own)."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


def assert_no_sideways_scroll(page) -> None:
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, f"{page.url} is {scroll}px wide in a {width}px window"


def test_overview_and_bookings_fit_a_phone(live_server, page, host):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, host)

    page.goto(f"{live_server.url}/calendar")
    assert page.locator('.subnav [aria-current="page"]').inner_text() == "Overview"
    assert page.locator("text=Uma Underwood").count() == 1
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.click(".subnav >> text=Bookings")
    page.wait_for_url("**/calendar/bookings")
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.fill("input[name=q]", "maxim")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**q=maxim**")
    page.wait_for_function("!document.body.innerText.includes('Uma Underwood')")
    assert page.locator("text=Maximilian Longname-Attendee").count() == 1
    assert_no_sideways_scroll(page)
    assert_accessible(page)
