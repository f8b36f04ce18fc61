"""The top bar marks the link of the section the host is in, and only that one."""

from __future__ import annotations

import re

import pytest


def marked(html: str) -> list[str]:
    bar = html[html.index('<header class="topbar">') :].split("</header>")[0]
    return re.findall(r'aria-current="page">([^<]+)<', bar)


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/calendar", "Calendar"),
        ("/calendar/bookings", "Calendar"),
        ("/calendar/workflows", "Workflows"),
        ("/calendar/schedules", "Schedules"),
        ("/settings/booking-links", "Booking links"),
        ("/settings/members", "Members"),
        ("/settings/scim", "Members"),
        ("/settings/sso", "Members"),
        ("/settings/teams", "Teams"),
        ("/settings/time-off", "Time off"),
        ("/settings/webhooks", "Webhooks"),
        ("/settings/sms", "SMS"),
        ("/settings/integrations", "Integrations"),
        ("/settings/profile", "Profile"),
        ("/crm/deals", "Deals"),
    ],
)
def test_the_top_bar_marks_the_section_of_the_page(owner_client, url, current):
    response = owner_client.get(url)
    assert response.status_code == 200
    assert marked(response.content.decode()) == [current]


def test_pages_outside_the_bar_mark_nothing(owner_client):
    assert marked(owner_client.get("/accounts/email/").content.decode()) == []
