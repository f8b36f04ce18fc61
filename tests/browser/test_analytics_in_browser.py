"""The Analytics page on a phone: every chart fits 390 pixels without sideways scrolling and the
page passes the WCAG 2.2 AA checks."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client

from booking.models import BookingLink, LinkHost
from tests.booking.helpers import utc
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.factories import BookingFactory, LinkFactory, MembershipFactory
from workestra.models import Membership

pytestmark = BROWSER_MARKS
NOW = utc(2026, 11, 23, 7, 0)


def test_analytics_fits_a_phone_and_passes_axe(live_server, page):
    # The server thread reads the clock too: move it, but let it tick so the browser's waits run.
    with time_machine.travel(NOW, tick=True):
        owner = MembershipFactory(
            role=Membership.Role.OWNER, user__email="olga@acme.test", user__name="Olga Owner"
        ).user
        mate = MembershipFactory(workspace=owner.memberships.get().workspace).user
        sales = LinkFactory(
            workspace=owner.memberships.get().workspace,
            owner=owner,
            title="Sales conversations with a long title",
            kind=BookingLink.Kind.ROUND_ROBIN,
        )
        LinkHost.objects.create(link=sales, user=owner, weight=200)
        LinkHost.objects.create(link=sales, user=mate, weight=100)
        for day in range(1, 29):
            start = NOW - timedelta(days=day, hours=day % 9)
            host = owner if day % 3 else mate
            BookingFactory(link=sales, host=host, start=start, created_at=start - timedelta(days=2))

        page.set_viewport_size({"width": 390, "height": 844})
        client = Client()
        client.force_login(owner)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/calendar/analytics")

        assert page.get_by_role("img", name="Bookings per day").is_visible()
        assert page.get_by_role("heading", name="Round-robin distribution").is_visible()
        content = page.locator("main")
        assert content.evaluate("el => el.scrollWidth <= el.clientWidth")
        for chart in page.locator("svg.chart").all():
            box = chart.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)

        # The figures behind the heatmap, opened, scroll inside their own box, not the page.
        page.locator("#days-and-hours summary").click()
        assert page.get_by_role("columnheader", name="Wednesday").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)
