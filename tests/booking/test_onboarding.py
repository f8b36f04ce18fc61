"""After sign-up: zone, working hours and a first link that offers times, then a calendar offer."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from availability.models import Schedule
from booking.models import BookingLink
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory
from workestra.models import User
from workflows import outbox

HOURS = {f"hours_{i}": "" for i in range(7)}


@pytest.fixture
def newcomer(workspace):
    user = UserFactory(email="new@example.test", timezone="UTC")
    MembershipFactory(user=user, workspace=workspace, role="owner")
    return user


def onboard(client, **fields):
    data = {"timezone": "Europe/Berlin", "title": "Intro chat", **HOURS}
    data.update({"hours_0": "09:00-17:00", "hours_1": "10:00-12:00, 13:00-15:00"})
    data.update(fields)
    return client.post("/onboarding", data)


def test_the_page_defaults_to_utc_and_weekdays_nine_to_five_without_a_script(newcomer):
    body = login(newcomer).get("/onboarding").content.decode()

    assert '<option value="UTC" selected>' in body
    assert 'name="hours_0" value="09:00-17:00"' in body
    assert 'name="hours_4" value="09:00-17:00"' in body
    assert 'name="hours_5" value=""' in body or 'name="hours_5" placeholder' in body
    assert 'name="detected_timezone"' in body and "data-detect-timezone-select" in body


def test_onboarding_stores_zone_and_hours_and_creates_a_link_that_offers_times(
    newcomer, frozen, client
):
    response = onboard(login(newcomer))

    link = BookingLink.objects.get(owner=newcomer)
    assert response.status_code == 302
    assert response["Location"] == f"/onboarding/calendar/{link.pk}"
    newcomer.refresh_from_db()
    assert newcomer.timezone == "Europe/Berlin"
    assert newcomer.working_hours == {
        "0": [["09:00", "17:00"]],
        "1": [["10:00", "12:00"], ["13:00", "15:00"]],
    }
    assert link.title == "Intro chat" and link.slug == "intro-chat"
    # Monday 2026-11-23 08:00 in Berlin: the day's times from 09:00 are offered.
    body = client.get(f"{link.public_path}?tz=Europe/Berlin").content.decode()
    assert ">09:00<" in body and ">16:30<" in body


def test_the_next_step_offers_to_connect_a_calendar(newcomer):
    client = login(newcomer)
    location = onboard(client)["Location"]

    body = client.get(location).content.decode()

    assert 'href="/settings/integrations"' in body
    assert "Connect a calendar" in body


def test_the_browsers_zone_is_used_when_none_was_chosen(newcomer):
    onboard(login(newcomer), timezone="", detected_timezone="Asia/Tokyo")

    newcomer.refresh_from_db()
    assert newcomer.timezone == "Asia/Tokyo"


def test_a_new_link_starts_with_the_owners_default_hours(newcomer):
    client = login(newcomer)
    onboard(client)

    body = client.get("/settings/booking-links/new").content.decode()
    schedule = Schedule.objects.get(owner=newcomer, is_default=True)

    assert '<option value="" selected>The owner&#x27;s default schedule</option>' in body
    assert schedule.weekly["1"] == [["10:00", "12:00"], ["13:00", "15:00"]]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Base"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"title": "a\x00b"}, "Null characters are not allowed"),
        ({"hours_0": "9 to 5"}, "is not a range like 09:00-17:00"),
        ({"hours_1": "17:00-09:00"}, "ends before it starts"),
        ({"hours_0": "", "hours_1": ""}, "at least one day"),
        ({"hours_2": "x" * 300}, "at most 200 characters"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(newcomer, fields, message):
    response = onboard(login(newcomer), **fields)

    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in body
    assert message in body
    assert not BookingLink.objects.exists()
    newcomer.refresh_from_db()
    assert newcomer.timezone == "UTC"


def test_from_sign_up_to_a_bookable_link(client, db, frozen):
    client.post(
        "/accounts/signup/",
        {"email": "grace@example.test", "password1": "a long enough passphrase 42"},
    )
    outbox.drain()
    url = re.search(r"https?://[^/\s]+(/accounts/\S+)", mail.outbox[0].body).group(1)
    assert client.post(url)["Location"] == "/onboarding"

    response = onboard(client)

    grace = User.objects.get(email="grace@example.test")
    link = BookingLink.objects.get(owner=grace)
    assert response["Location"] == f"/onboarding/calendar/{link.pk}"
    assert link.workspace.memberships.get().user == grace
    assert ">09:00<" in client.get(f"{link.public_path}?tz=Europe/Berlin").content.decode()
