"""The JSON API of single-use links: create and list, for the signed-in workspace only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from booking import single_use
from booking.models import SingleUseLink
from crm.models import Contact
from tests.conftest import NOW, login
from tests.factories import LinkFactory, MembershipFactory

URL = "/api/v1/single-use-links"


@pytest.fixture
def contact(workspace):
    return Contact.objects.create(workspace=workspace, email="alice@example.com", name="Alice A")


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_create_for_a_contact_with_the_defaults(owner_client, owner, link, contact, frozen):
    response = post(owner_client, {"link_id": link.pk, "contact_id": contact.pk})
    assert response.status_code == 201
    body = response.json()
    made = SingleUseLink.objects.get()
    assert body["url"] == made.url and made.created_by == owner
    assert body["contact"] == {"id": contact.pk, "email": "alice@example.com", "name": "Alice A"}
    assert body["status"] == "open" and body["allow_forwarding"] is False
    assert body["expires_at"] == (NOW + timedelta(days=30)).isoformat()
    assert body["consumed_at"] is None and body["consumed_by_booking_id"] is None


def test_create_by_email_with_expiry_and_forwarding(owner_client, link, contact, frozen):
    response = post(
        owner_client,
        {
            "link_id": link.pk,
            "email": "bob@example.com",
            "name": "Bob B",
            "expires_at": "2026-11-30T12:00:00+01:00",
            "allow_forwarding": True,
        },
    )
    assert response.status_code == 201
    made = SingleUseLink.objects.get()
    assert made.contact.email == "bob@example.com" and made.allow_forwarding
    assert made.expires_at.isoformat() == "2026-11-30T11:00:00+00:00"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "Give contact_id, or the contact's email."),
        ({"email": "nope"}, "Enter an email address"),
        ({"email": "a@example.com", "expires_at": "2026-11-01T00:00:00Z"}, "in the future"),
        ({"email": "a@example.com", "expires_at": "2026-12-01T00:00:00"}, "UTC offset"),
        ({"email": "a@example.com", "expires_at": "2028-12-01T00:00:00Z"}, "at most a year"),
    ],
)
def test_bad_input_is_a_400_that_says_why(owner_client, link, frozen, extra, message):
    response = post(owner_client, {"link_id": link.pk, **extra})
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not SingleUseLink.objects.exists()


def test_list_is_scoped_and_filtered(owner_client, link, contact, workspace, owner, frozen):
    other = LinkFactory(workspace=workspace, owner=owner, slug="demo")
    a = single_use.create(link=link, contact=contact)
    b = single_use.create(link=other, contact=contact)
    stranger = MembershipFactory().user
    their_link = LinkFactory(workspace=stranger.memberships.get().workspace, owner=stranger)
    single_use.create(
        link=their_link,
        contact=Contact.objects.create(workspace=their_link.workspace, email="e@example.com"),
    )
    assert {r["id"] for r in owner_client.get(URL).json()} == {a.pk, b.pk}
    assert [r["id"] for r in owner_client.get(URL, {"link_id": other.pk}).json()] == [b.pk]


def test_needs_a_login_and_hides_other_workspaces(client, outsider_client, link, contact):
    assert client.get(URL).status_code == 401
    assert post(client, {"link_id": link.pk, "contact_id": contact.pk}).status_code == 401
    response = post(outsider_client, {"link_id": link.pk, "email": "a@example.com"})
    assert response.status_code == 404
    stranger = MembershipFactory().user
    mine = LinkFactory(workspace=stranger.memberships.get().workspace, owner=stranger)
    response = post(login(stranger), {"link_id": mine.pk, "contact_id": contact.pk})
    assert response.status_code == 404
    assert response.json()["detail"] == "No contact with this id in your workspace."
    assert not SingleUseLink.objects.exists()
