"""The host's /calendar/single-use: create, list, filter, CSV; and the contact page's button."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking import single_use
from booking.models import SingleUseLink
from crm.models import Contact
from tests.conftest import NOW
from tests.factories import BookingFactory, LinkFactory, MembershipFactory

URL = "/calendar/single-use"


@pytest.fixture
def contact(workspace):
    return Contact.objects.create(workspace=workspace, email="alice@example.com", name="Alice A")


def text(response) -> str:
    return html.unescape(response.content.decode())


def create(client, **fields):
    data = {"strict_email_match": "on", **fields}
    return client.post(URL, data)


def test_the_calendar_nav_has_the_single_use_tab(owner_client, frozen):
    body = text(owner_client.get(URL))
    assert '<a href="/calendar/single-use" aria-current="page">Single-use</a>' in body
    assert 'href="/calendar/single-use">Single-use</a>' in text(owner_client.get("/calendar"))


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_creating_for_an_existing_contact_with_the_defaults(
    owner_client, owner, link, contact, frozen
):
    response = create(owner_client, link=link.pk, contact=contact.pk)
    assert response.status_code == 302
    made = SingleUseLink.objects.get()
    assert (made.link, made.contact, made.created_by) == (link, contact, owner)
    assert made.expires_at == NOW + timedelta(days=30)
    assert made.allow_forwarding is False
    page = text(owner_client.get(response["Location"]))
    assert made.url in page and "Open" in page


def test_typing_an_email_finds_or_makes_the_contact(owner_client, link, contact, frozen):
    create(owner_client, link=link.pk, email="ALICE@example.com")
    create(owner_client, link=link.pk, email="bob@example.com", name="Bob B")
    alice, bob = SingleUseLink.objects.order_by("pk")
    assert alice.contact == contact
    assert (bob.contact.email, bob.contact.name) == ("bob@example.com", "Bob B")
    assert Contact.objects.count() == 2


def test_an_expiry_day_and_forwarding(owner_client, owner, link, contact, frozen):
    owner.timezone = "Europe/Berlin"
    owner.save()
    response = owner_client.post(
        URL, {"link": link.pk, "contact": contact.pk, "expires_on": "2026-11-30"}
    )
    assert response.status_code == 302
    made = SingleUseLink.objects.get()
    # The end of that day in the host's zone; unticked "Strict email match" allows forwarding.
    assert made.expires_at == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert made.allow_forwarding is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "x@example.com"}, "Choose the booking link to book on."),
        ({"link": "LINK"}, "Choose a contact or type their email."),
        ({"link": "LINK", "email": "not-an-email"}, "Enter an email address"),
        ({"link": "LINK", "email": "a@example.com", "expires_on": "2026-11-22"}, "Pick today"),
        ({"link": "LINK", "email": "a@example.com", "expires_on": "2028-01-01"}, "at most a year"),
        ({"link": "LINK", "email": "a@example.com", "expires_on": "soon"}, "Enter the last day"),
        ({"link": "9999999", "email": "a@example.com"}, "Choose a booking link from the list."),
    ],
)
def test_bad_input_says_what_to_fix_and_makes_nothing(owner_client, link, frozen, fields, message):
    data = {k: (str(link.pk) if v == "LINK" else v) for k, v in fields.items()}
    response = create(owner_client, **data)
    assert response.status_code == 400
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert not SingleUseLink.objects.exists()


def test_another_workspaces_link_or_contact_cannot_be_chosen(owner_client, link, frozen):
    stranger = MembershipFactory().user
    their_link = LinkFactory(
        workspace=stranger.memberships.get().workspace, owner=stranger, slug="theirs"
    )
    their_contact = Contact.objects.create(workspace=their_link.workspace, email="eve@example.com")
    response = create(owner_client, link=their_link.pk, email="a@example.com")
    assert response.status_code == 400 and "Choose a booking link from the list." in text(response)
    response = create(owner_client, link=link.pk, contact=their_contact.pk)
    assert response.status_code == 400 and "Choose a contact from the list." in text(response)
    assert not SingleUseLink.objects.exists()
    # The contact page's shortcut does not pick another workspace's contact either.
    body = text(owner_client.get(f"{URL}?contact={their_contact.pk}"))
    assert "eve@example.com" not in body


def _three(link, contact, workspace, owner):
    other = LinkFactory(workspace=workspace, owner=owner, slug="demo", title="Demo")
    bob = Contact.objects.create(workspace=workspace, email="bob@example.com", name="=Bob")
    fresh = single_use.create(link=link, contact=contact)
    used = single_use.create(link=other, contact=bob)
    booking = BookingFactory(link=other)
    SingleUseLink.objects.filter(pk=used.pk).update(
        consumed_at=NOW, consumed_by_booking=booking, created_at=NOW - timedelta(days=3)
    )
    old = single_use.create(link=link, contact=bob)
    SingleUseLink.objects.filter(pk=old.pk).update(
        expires_at=NOW - timedelta(days=1), created_at=NOW - timedelta(days=40)
    )
    return fresh, used, old, other, bob, booking


def test_the_list_shows_contact_template_expiry_and_status(
    owner_client, link, contact, workspace, owner, frozen
):
    fresh, used, old, *_ = _three(link, contact, workspace, owner)
    body = text(owner_client.get(URL))
    for row, status in ((fresh, "Open"), (used, "Consumed"), (old, "Expired")):
        start = body.index(f'id="single-use-{row.pk}"')
        cells = body[start : body.index("</tr>", start)]
        assert status in cells and row.contact.email in cells and row.link.title in cells


def test_filters_by_template_contact_and_date_range(
    owner_client, link, contact, workspace, owner, frozen
):
    fresh, used, old, other, bob, _ = _three(link, contact, workspace, owner)

    def listed(**query):
        body = owner_client.get(URL, query).content.decode()
        return {s.pk for s in (fresh, used, old) if f'id="single-use-{s.pk}"' in body}

    assert listed() == {fresh.pk, used.pk, old.pk}
    assert listed(link=other.pk) == {used.pk}
    assert listed(contact=bob.pk) == {used.pk, old.pk}
    assert listed(start="2026-11-19", end="2026-11-21") == {used.pk}
    assert listed(start="2026-11-23") == {fresh.pk}
    response = owner_client.get(URL, {"start": "2026-11-23", "end": "2026-11-01"})
    assert response.status_code == 400 and "swap them" in text(response)


def test_csv_export_for_outreach_attribution(owner_client, link, contact, workspace, owner, frozen):
    _fresh, used, old, _other, bob, booking = _three(link, contact, workspace, owner)
    response = owner_client.get(f"{URL}/export.csv", {"contact": bob.pk})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Contact", "Email", "Template link", "Status"]
    by_url = {r[-1]: r for r in rows[1:]}
    assert set(by_url) == {used.url, old.url}
    # A name that looks like a formula is made text.
    assert by_url[used.url][:4] == ["'=Bob", "bob@example.com", "Demo", "Consumed"]
    assert by_url[used.url][7] == str(booking.pk)
    assert by_url[old.url][3] == "Expired"


def test_other_workspaces_links_are_never_listed_or_exported(owner_client, frozen):
    stranger = MembershipFactory().user
    their_link = LinkFactory(
        workspace=stranger.memberships.get().workspace, owner=stranger, slug="theirs"
    )
    theirs = single_use.create(
        link=their_link,
        contact=Contact.objects.create(workspace=their_link.workspace, email="eve@example.com"),
    )
    assert theirs.token not in owner_client.get(URL).content.decode()
    export = b"".join(owner_client.get(f"{URL}/export.csv").streaming_content).decode()
    assert theirs.token not in export


def test_the_contact_page_offers_a_single_use_link(owner_client, contact, link, frozen):
    body = text(owner_client.get(f"/crm/contacts/{contact.pk}"))
    target = f"/calendar/single-use?contact={contact.pk}#single-use-new"
    assert f'href="{target}">Create single-use link</a>' in body
    form = text(owner_client.get(f"/calendar/single-use?contact={contact.pk}"))
    assert f'<option value="{contact.pk}" selected>' in form


def test_the_list_shows_expiry_in_the_hosts_zone(owner_client, owner, link, contact):
    with time_machine.travel(NOW, tick=False):
        owner.timezone = "Europe/Berlin"
        owner.save()
        single_use.create(link=link, contact=contact)
        body = text(owner_client.get(URL))
    assert "Wed 23 Dec 2026, 08:00" in body


def test_a_long_list_comes_in_pages_that_keep_the_filters(owner_client, link, contact, frozen):
    made = [single_use.create(link=link, contact=contact) for _ in range(51)]
    first = owner_client.get(URL, {"contact": contact.pk}).content.decode()
    assert len(re.findall(r'<tr id="single-use-\d+"', first)) == 50
    assert f"?contact={contact.pk}&amp;page=2" in first
    second = owner_client.get(URL, {"contact": contact.pk, "page": 2}).content.decode()
    assert (
        len(re.findall(r'<tr id="single-use-\d+"', second)) == 1
        and f'id="single-use-{made[0].pk}"' in second
    )
