"""The CRM pages: contacts with search and pages, a contact's bookings and deals, deals by stage,
"Schedule a call", and the workspace scope around all of it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from booking import services
from booking.models import Booking
from crm.models import Contact, Deal
from tests.booking.helpers import utc
from tests.conftest import NOW
from tests.factories import BookingFactory, LinkFactory, StageFactory

SLOT = utc(2026, 11, 24, 9, 0)  # Tuesday 10:00 in Berlin, the day after NOW


def contact(workspace, email="ada@analytical.test", name="Ada Lovelace", **fields) -> Contact:
    return Contact.objects.create(workspace=workspace, email=email, name=name, **fields)


def text(response) -> str:
    """The page as a reader sees it: tags gone, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def section(response, heading: str) -> str:
    """The text from ``heading`` up to the next heading of the same or a higher level."""
    html = response.content.decode()
    match = re.search(
        rf"<h([23])[^>]*>{re.escape(heading)}</h\1>(.*?)(?=<h[123][ >]|</section>)", html, re.S
    )
    assert match, f"no section {heading!r}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


@pytest.fixture
def stage(workspace):
    return StageFactory(workspace=workspace, pipeline__workspace=workspace, name="New leads")


# --- Contacts list ----------------------------------------------------------------------------


def test_the_search_finds_contacts_by_name_email_or_company_domain(
    owner_client, workspace, outsider
):
    contact(workspace)
    contact(workspace, email="grace@navy.test", name="Grace Hopper")
    contact(outsider.memberships.get().workspace, email="ada@elsewhere.test", name="Ada Other")
    url = reverse("crm:contact-list")

    by_name = text(owner_client.get(url, {"q": "ADA"}))
    by_domain = text(owner_client.get(url, {"q": "navy"}))

    assert "Ada Lovelace" in by_name and "Grace Hopper" not in by_name
    assert "Ada Other" not in by_name  # another workspace's contact
    assert "Grace Hopper" in by_domain and "Ada Lovelace" not in by_domain
    assert "No contact matches “nobody”" in text(owner_client.get(url, {"q": "nobody"}))


def test_the_list_comes_in_pages_that_keep_the_search(owner_client, workspace):
    for n in range(30):
        contact(workspace, email=f"p{n:02}@acme.test", name=f"Person {n:02}")
    url = reverse("crm:contact-list")

    first = owner_client.get(url, {"q": "acme"})
    second = owner_client.get(url, {"q": "acme", "page": 2})

    assert len(re.findall(r'id="contact-\d+"', first.content.decode())) == 25
    assert "?q=acme&amp;page=2" in first.content.decode()
    assert len(re.findall(r'id="contact-\d+"', second.content.decode())) == 5
    assert "Person 29" in text(second) and "Person 00" not in text(second)


# --- Contact detail ---------------------------------------------------------------------------


def test_a_contact_page_lists_past_and_upcoming_bookings_and_deals(
    frozen, owner_client, workspace, link, booked, stage
):
    upcoming = booked(link, SLOT, now=NOW, name="Ada Lovelace", email="ada@analytical.test")
    person = upcoming.contact
    past = BookingFactory(
        link=link, contact=person, start=NOW - timedelta(days=7), name="Ada Lovelace"
    )
    Deal.objects.create(workspace=workspace, contact=person, stage=stage, title="Acme rollout")

    response = owner_client.get(reverse("crm:contact-detail", args=[person.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tue 24 Nov 2026, 10:00–10:30" in section(response, "Upcoming")
    assert "Mon 16 Nov 2026" in section(response, "Past")
    assert reverse("booking:calendar-booking", args=[upcoming.pk]) in html
    assert reverse("booking:calendar-booking", args=[past.pk]) in html
    assert "Acme rollout" in section(response, "Deals")
    assert "Sales · New leads" in section(response, "Deals")


def test_schedule_a_call_opens_the_viewers_link_prefilled_with_the_contact(
    owner_client, workspace, link
):
    person = contact(workspace, phone="+14155550100")

    html = owner_client.get(reverse("crm:contact-detail", args=[person.pk])).content.decode()

    [href] = re.findall(r'<a class="button primary" href="([^"]+)">Schedule a call</a>', html)
    assert href == (
        "/book/intro?name=Ada+Lovelace&amp;email=ada%40analytical.test&amp;phone=%2B14155550100"
    )


def test_with_several_links_the_host_picks_one_and_lands_on_it_prefilled(
    owner_client, owner, workspace, link
):
    other = LinkFactory(workspace=workspace, owner=owner, title="Demo", slug="demo")
    someone_elses = LinkFactory(workspace=workspace, title="Not mine", slug="not-mine")
    person = contact(workspace)
    schedule = reverse("crm:schedule-call", args=[person.pk])

    page = owner_client.get(reverse("crm:contact-detail", args=[person.pk]))
    chosen = owner_client.get(schedule, {"link": other.pk})

    assert "Demo" in text(page) and "Intro call" in text(page) and "Not mine" not in text(page)
    assert chosen.status_code == 302
    assert chosen["Location"] == "/book/demo?name=Ada+Lovelace&email=ada%40analytical.test"
    assert owner_client.get(schedule, {"link": someone_elses.pk}).status_code == 404


def test_without_a_link_the_page_says_how_to_get_one(owner_client, workspace):
    person = contact(workspace)

    page = text(owner_client.get(reverse("crm:contact-detail", args=[person.pk])))

    assert "create a booking link first" in page


# --- Deals ------------------------------------------------------------------------------------


def test_deals_are_grouped_by_the_stages_of_the_pipeline(owner_client, workspace, stage):
    won = StageFactory(workspace=workspace, pipeline=stage.pipeline, name="Won", position=3)
    person = contact(workspace)
    Deal.objects.create(workspace=workspace, contact=person, stage=stage, title="Fresh lead")
    Deal.objects.create(
        workspace=workspace, contact=person, stage=won, title="Signed", value=Decimal("900")
    )

    response = owner_client.get(reverse("crm:deal-list"))

    assert "Fresh lead" in section(response, 'New leads <span class="count">1</span>')
    won_column = section(response, 'Won <span class="count">1</span>')
    assert "Signed" in won_column and "Ada Lovelace · 900" in won_column


def test_another_pipeline_is_picked_from_the_workspaces_own(
    owner_client, workspace, stage, outsider
):
    hiring = StageFactory(
        workspace=workspace, pipeline__workspace=workspace, pipeline__name="Hiring"
    )
    theirs = StageFactory(pipeline__workspace=outsider.memberships.get().workspace)
    person = contact(workspace)
    Deal.objects.create(workspace=workspace, contact=person, stage=hiring, title="Engineer")
    url = reverse("crm:deal-list")

    sales = text(owner_client.get(url, {"pipeline": stage.pipeline_id}))
    foreign = text(owner_client.get(url, {"pipeline": theirs.pipeline_id}))

    assert "Deals · Sales" in sales and "Engineer" not in sales
    # Another workspace's pipeline is not shown: the page falls back to the first of ours.
    assert "Deals · Hiring" in foreign and "Engineer" in foreign
    assert theirs.name not in foreign


def test_a_deal_page_shows_its_contact_stage_value_and_bookings(
    frozen, owner_client, workspace, link, booked, stage
):
    link.create_deal, link.deal_stage, link.deal_value = True, stage, Decimal("1500.00")
    link.save()
    booking = booked(link, SLOT, now=NOW, name="Ada Lovelace", email="ada@analytical.test")

    response = owner_client.get(reverse("crm:deal-detail", args=[booking.deal_id]))

    page = text(response)
    assert "Contact Ada Lovelace ada@analytical.test" in page
    assert "Stage Sales · New leads" in page
    assert "Value 1500.00" in page
    assert "Tue 24 Nov 2026, 10:00–10:30 Intro call" in section(response, "Upcoming")
    assert (
        "/book/intro?name=Ada+Lovelace&amp;email=ada%40analytical.test" in response.content.decode()
    )


def test_a_cancelled_meeting_leaves_its_deal_where_it_was(
    frozen, owner_client, workspace, link, booked, stage
):
    """reschedule-cancel: the deal stays in the pipeline; closing it is the host's call."""
    link.create_deal, link.deal_stage = True, stage
    link.save()
    booking = booked(link, SLOT, now=NOW, name="Ada Lovelace", email="ada@analytical.test")

    services.booking_cancel(booking=booking, reason="Can't make it", now=NOW)

    deal = Deal.objects.get()
    assert deal.stage == stage
    assert Booking.objects.get(pk=booking.pk).deal_id == deal.pk
    board = owner_client.get(reverse("crm:deal-list"))
    assert "Intro call: Ada Lovelace" in section(board, 'New leads <span class="count">1</span>')
    listed = section(owner_client.get(reverse("crm:deal-detail", args=[deal.pk])), "Upcoming")
    assert "Cancelled" in listed


# --- Scope ------------------------------------------------------------------------------------


def test_another_workspaces_contact_and_deal_are_not_found(outsider_client, workspace, stage):
    person = contact(workspace)
    deal = Deal.objects.create(workspace=workspace, contact=person, stage=stage, title="Ours")

    for url in (
        reverse("crm:contact-detail", args=[person.pk]),
        reverse("crm:deal-detail", args=[deal.pk]),
        reverse("crm:schedule-call", args=[person.pk]),
    ):
        assert outsider_client.get(url).status_code == 404
    assert "Ada Lovelace" not in text(outsider_client.get(reverse("crm:contact-list")))
    assert "Ours" not in text(outsider_client.get(reverse("crm:deal-list")))


def test_every_member_sees_the_workspaces_contacts(teammate_client, workspace):
    person = contact(workspace)

    assert "Ada Lovelace" in text(teammate_client.get(reverse("crm:contact-list")))
    assert teammate_client.get(reverse("crm:contact-detail", args=[person.pk])).status_code == 200


def test_the_navigation_marks_the_crm_section_you_are_in(owner_client, workspace):
    person = contact(workspace)

    html = owner_client.get(reverse("crm:contact-detail", args=[person.pk])).content.decode()

    assert re.search(r'<a href="/crm/contacts" aria-current="page">Contacts</a>', html)
    assert re.search(r'<a href="/crm/deals">Deals</a>', html)
