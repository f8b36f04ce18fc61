"""The CRM owner of a routed visitor hosts their round-robin booking when free; a timeout, a
busy owner or a forged ticket leave it to the rotation. The booking is linked to its response."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from availability.models import TimeOff
from booking import routing
from booking.models import LinkHost, RoutingResponse
from booking.services import routing as routing_services
from integrations import owner_lookup
from integrations.owner_lookup import OwnerLookup
from tests.booking.helpers import utc
from tests.booking.routing_helpers import RoutingFormFactory, add_rule
from tests.factories import LinkFactory
from tests.integrations import fixtures_crm
from tests.integrations.fixtures_crm import connect_hubspot

pytestmark = pytest.mark.usefixtures("frozen")

SLOT = utc(2026, 11, 24, 9)  # 10:00 in Berlin
ANSWERS = {"name": "Ada Lovelace", "email": "ada@example.com", "a1": "120", "a2": "Sales"}


@pytest.fixture
def rotation(owner, teammate, workspace):
    """Olga and Tim host it; Olga's weight makes the rotation pick her whenever she is free."""
    link = LinkFactory(workspace=workspace, owner=owner, slug="sales", kind="round_robin")
    LinkHost.objects.create(link=link, user=owner, weight=1000, joined_at=utc(2026, 1, 1))
    LinkHost.objects.create(link=link, user=teammate, weight=1, joined_at=utc(2026, 1, 1))
    return link


@pytest.fixture
def form(workspace, owner, rotation):
    form = RoutingFormFactory(workspace=workspace, owner=owner)
    add_rule(form, [{"question": 2, "op": "equals", "value": "Sales"}], link=rotation)
    return form


@pytest.fixture
def crm(monkeypatch):
    """What the CRM answers, and the calls it got."""
    calls: list[tuple[int, str, float]] = []
    answer = {"value": OwnerLookup(owner_lookup.FOUND, "mate@acme.test", "hubspot", "")}

    def lookup(workspace_id: int, email: str, *, budget_seconds: float = 2.0) -> OwnerLookup:
        calls.append((workspace_id, email, budget_seconds))
        return answer["value"]

    monkeypatch.setattr(owner_lookup, "lookup_owner", lookup)
    monkeypatch.setattr(owner_lookup, "connected_providers", lambda workspace_id: ["hubspot"])
    return answer, calls


def submit(form) -> str:
    response = Client().post(form.public_path, ANSWERS)
    assert response.status_code == 303
    return response["Location"]


def book(location: str, *, email: str = "ada@example.com", ticket: str | None = None):
    """Book SLOT from the routed booking page, as the attendee's browser posts it."""
    url = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    data = {
        "start": SLOT.isoformat(),
        "timezone": "Europe/Berlin",
        "name": query["name"],
        "email": email,
        "rr": query["rr"] if ticket is None else ticket,
        **{k: v for k, v in query.items() if k.startswith("a")},
    }
    return Client().post(url.path, data)


def test_the_crm_owner_hosts_when_free(form, rotation, teammate, crm, workspace):
    _, calls = crm
    location = submit(form)

    response = book(location)

    assert response.status_code == 302
    stored = RoutingResponse.objects.get()
    assert calls == [(workspace.pk, "ada@example.com", 2.0)]
    assert (stored.owner_outcome, stored.owner_provider) == ("found", "hubspot")
    assert stored.preferred_host == teammate
    assert stored.booking is not None and stored.booking.host == teammate
    assert stored.booking.answers == {"a1": "120", "a2": "Sales"}


def test_without_a_ticket_the_rotation_picks(form, rotation, owner, crm):
    location = submit(form)

    book(location, ticket="")

    assert rotation.bookings.get().host == owner
    assert RoutingResponse.objects.get().booking is None


def test_a_busy_owner_leaves_it_to_the_rotation(form, rotation, owner, teammate, crm, workspace):
    TimeOff.objects.create(
        workspace=workspace, user=teammate, start=utc(2026, 11, 24), end=utc(2026, 11, 25)
    )
    location = submit(form)

    assert book(location).status_code == 302

    stored = RoutingResponse.objects.get()
    assert stored.preferred_host == teammate
    assert stored.booking.host == owner


def test_a_forged_hint_is_ignored(form, rotation, owner, teammate, crm):
    crm[0]["value"] = OwnerLookup(owner_lookup.NOT_FOUND, provider="hubspot")
    location = submit(form)
    stored = RoutingResponse.objects.get()
    genuine = routing.ticket_make(routing.Ticket(stored.pk, rotation.pk, None))
    # The attendee names Tim as the host in the payload and keeps the signature.
    payload = signing.b64_encode(json.dumps([stored.pk, rotation.pk, teammate.pk]).encode())
    forged = ":".join([payload.decode(), *genuine.split(":")[1:]])

    book(location, ticket=forged)

    assert rotation.bookings.get().host == owner
    stored.refresh_from_db()
    assert stored.booking is None


def test_a_ticket_for_another_link_chooses_no_host(form, rotation, owner, teammate, crm, workspace):
    other = LinkFactory(workspace=workspace, owner=owner, slug="other", kind="round_robin")
    LinkHost.objects.create(link=other, user=owner, weight=1000, joined_at=utc(2026, 1, 1))
    LinkHost.objects.create(link=other, user=teammate, weight=1, joined_at=utc(2026, 1, 1))
    location = submit(form)
    ticket = parse_qs(urlsplit(location).query)["rr"][0]

    book(location.replace("/book/sales", "/book/other"), ticket=ticket)

    assert other.bookings.get().host == owner
    assert RoutingResponse.objects.get().booking is None


def test_a_ticket_passed_to_someone_else_chooses_no_host(form, rotation, owner, crm):
    location = submit(form)

    book(location, email="someone.else@example.com")

    assert rotation.bookings.get().host == owner


def test_a_lookup_timeout_is_recorded_and_the_rotation_decides(form, rotation, owner, crm):
    crm[0]["value"] = OwnerLookup(
        owner_lookup.TIMEOUT, provider="salesforce", detail="No answer in 2 s"
    )
    location = submit(form)

    book(location)

    stored = RoutingResponse.objects.get()
    assert (stored.owner_outcome, stored.owner_detail) == ("timeout", "No answer in 2 s")
    assert stored.preferred_host is None
    assert stored.booking.host == owner


def test_an_owner_who_is_not_a_host_is_noted(form, rotation, owner, crm):
    crm[0]["value"] = OwnerLookup(owner_lookup.FOUND, "boss@acme.test", "hubspot")
    submit(form)

    stored = RoutingResponse.objects.get()
    assert stored.owner_email == "boss@acme.test" and stored.preferred_host is None
    assert "not a host of this link" in stored.owner_detail


def test_a_one_on_one_link_asks_no_crm(form, link, crm):
    rule = form.rules.get(is_fallback=False)
    rule.link = link
    rule.save()

    submit(form)

    assert crm[1] == []
    assert RoutingResponse.objects.get().owner_outcome == ""


# Against the fake HubSpot, through the real lookup -------------------------------------------

fake_hubspot = fixtures_crm.fake_hubspot


def test_the_hubspot_owner_hosts_the_routed_booking(
    form, rotation, teammate, fake_hubspot, workspace
):
    connect_hubspot(fake_hubspot, workspace)
    fake_hubspot.add_contact("ada@example.com", "Mate@Acme.test")

    book(submit(form))

    stored = RoutingResponse.objects.get()
    assert (stored.owner_outcome, stored.owner_provider) == ("found", "hubspot")
    assert stored.booking.host == teammate


def test_a_slow_hubspot_is_recorded_as_a_timeout(
    form, rotation, owner, fake_hubspot, workspace, monkeypatch
):
    monkeypatch.setattr(routing_services, "OWNER_LOOKUP_SECONDS", 0.5)
    connect_hubspot(fake_hubspot, workspace)
    fake_hubspot.add_contact("ada@example.com", "mate@acme.test")
    fake_hubspot.delay = 3.0

    started = time.monotonic()
    location = submit(form)
    assert time.monotonic() - started < 1.5

    book(location)
    stored = RoutingResponse.objects.get()
    assert (stored.owner_outcome, stored.owner_provider) == ("timeout", "hubspot")
    assert stored.booking.host == owner


def test_the_public_api_takes_the_ticket_too(form, rotation, teammate, crm):
    location = submit(form)
    ticket = parse_qs(urlsplit(location).query)["rr"][0]

    response = Client().post(
        "/api/v1/public/links/sales/bookings",
        {
            "start": SLOT.isoformat(),
            "timezone": "Europe/Berlin",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "rr": ticket,
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    stored = RoutingResponse.objects.get()
    assert stored.booking.pk == response.json()["id"] and stored.booking.host == teammate


def test_the_hosts_booking_page_names_the_routing_form(form, rotation, teammate, crm, owner_client):
    book(submit(form))
    booking = RoutingResponse.objects.get().booking

    page = owner_client.get(f"/calendar/bookings/{booking.pk}").content.decode()

    assert "Routing form" in page and "Talk to us" in page
    assert "CRM owner lookup: Owner found" in page


def test_without_a_crm_nothing_is_asked_and_the_rotation_decides(form, rotation, owner):
    book(submit(form))

    stored = RoutingResponse.objects.get()
    assert (stored.owner_outcome, stored.preferred_host) == ("", None)
    assert stored.booking.host == owner


def test_the_editor_says_whether_owner_routing_can_work(form, owner_client, monkeypatch):
    page = owner_client.get(f"/calendar/routing-forms/{form.pk}").content.decode()
    assert "Connect HubSpot or Salesforce" in page

    monkeypatch.setattr(owner_lookup, "connected_providers", lambda workspace_id: ["salesforce"])
    page = owner_client.get(f"/calendar/routing-forms/{form.pk}").content.decode()
    assert "is looked up in Salesforce" in page
