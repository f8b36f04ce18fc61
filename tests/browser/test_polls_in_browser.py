"""Meeting polls in a real browser on a 390 px phone: an invitee votes with one radio group per
time, the host reads the tally; every page passes axe and never scrolls sideways."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from booking.models import PollVote
from booking.services.polls import PollDraft, poll_create
from tests.booking.helpers import utc
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BROWSER_MARKS
from tests.browser.test_calendar_on_a_phone import assert_no_sideways_scroll, sign_in
from tests.conftest import NOW

pytestmark = BROWSER_MARKS


def make_poll(workspace, owner):
    draft = PollDraft(
        title="Quarterly planning with the whole regional team",
        duration=45,
        location="https://meet.example.com/a-rather-long-room-name-for-planning",
        starts=(utc(2026, 11, 24, 9), utc(2026, 11, 24, 13), utc(2026, 11, 25, 9)),
        expires_at=NOW + timedelta(days=2),
    )
    return poll_create(workspace=workspace, owner=owner, draft=draft, now=NOW)


def test_an_invitee_votes_on_a_phone(live_server, page, workspace, owner, frozen):
    from playwright.sync_api import expect

    poll = make_poll(workspace, owner)
    page.set_viewport_size({"width": 390, "height": 844})

    # A first visit shows the times in the browser's own zone.
    page.goto(f"{live_server.url}{reverse('booking:poll-vote', args=[poll.token])}")
    page.wait_for_url("**tz=America%2FNew_York**")
    expect(
        page.get_by_role(
            "group", name="Tuesday, 24 November 2026, 4:00 AM–4:45 AM (America/New_York)"
        )
    ).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    groups = page.get_by_role("group")
    groups.nth(0).get_by_label("Yes").check()
    groups.nth(1).get_by_label("If need be").check()
    page.click("text=Save my answers")

    # A time left unanswered: the page says which, keeps the entries and changes nothing.
    expect(page.get_by_role("alert")).to_have_text("Please fix the answers marked below.")
    expect(page.locator("input[name=name]")).to_have_value("Ada Lovelace")
    assert not PollVote.objects.exists()
    assert_accessible(page)

    page.get_by_role("group").nth(2).get_by_label("No").check()
    page.click("text=Save my answers")

    expect(page.get_by_role("status").filter(has_text="your answers are saved")).to_be_visible()
    expect(page.locator("table")).to_contain_text("4:00 AM")
    assert PollVote.objects.get().answers == {
        str(t.pk): a for t, a in zip(poll.times.all(), ("yes", "maybe", "no"), strict=True)
    }
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_the_host_pages_fit_a_phone(live_server, page, workspace, owner, frozen):
    poll = make_poll(workspace, owner)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/calendar/polls")
    assert page.locator('.subnav [aria-current="page"]').inner_text() == "Polls"
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/calendar/polls/{poll.pk}")
    assert page.locator("text=Book this time").count() == 3
    assert_no_sideways_scroll(page)
    assert_accessible(page)
