"""The CRM contact and deal are not essential to a booking: when writing them fails the booking
stands, the failure shows on its timeline and the outbox retries until they exist, once."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from booking import kinds as booking_kinds
from booking import services
from booking.models import Booking
from crm.models import Contact, Deal
from tests.booking.helpers import attendee, utc
from tests.factories import StageFactory
from workflows import outbox
from workflows.models import OutboxMessage

SLOT = utc(2026, 11, 23, 9, 0)  # Monday 10:00 in Berlin
FORM = {
    "start": "2026-11-23T10:00:00+01:00",
    "duration": "30",
    "timezone": "Europe/Berlin",
    "name": "Alice Attendee",
    "email": "alice@example.com",
}


@pytest.fixture
def deal_link(link):
    link.create_deal = True
    link.deal_stage = StageFactory(workspace=link.workspace, pipeline__workspace=link.workspace)
    link.deal_value = Decimal("1500.00")
    link.save()
    return link


@contextmanager
def refusing_inserts(model):
    """The database refuses new rows of ``model`` until the block ends, as a CRM outage would."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_crm_down() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'the CRM is down'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER test_crm_down BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_crm_down()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER test_crm_down BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the CRM is down'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER test_crm_down ON {table}")
                cursor.execute("DROP FUNCTION test_crm_down()")
            else:
                cursor.execute("DROP TRIGGER test_crm_down")


def timeline_row(client, booking: Booking, title: str) -> str:
    """The text of the row titled ``title`` on the host's page of ``booking``."""
    body = client.get(reverse("booking:calendar-booking", args=[booking.pk])).content.decode()
    rows = [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)]
    [row] = [" ".join(row.split()) for row in rows if title in row]
    return row


def crm_row(booking: Booking) -> OutboxMessage:
    return OutboxMessage.objects.get(kind=booking_kinds.CRM_RECORDS.name, subject=booking.subject)


def test_a_failing_deal_still_books_on_the_form_and_shows_the_confirmation(
    client, deal_link, frozen
):
    with refusing_inserts(Deal):
        response = client.post(deal_link.public_path, FORM)

    assert response.status_code == 302
    assert "You're booked" in client.get(response["Location"]).content.decode()
    booking = Booking.objects.get()
    assert (booking.status, booking.start, booking.deal) == ("confirmed", SLOT, None)
    # The contact is its own step and was written; only the deal waits for the retry.
    assert booking.contact == Contact.objects.get(email="alice@example.com")
    assert booking.reservations.filter(active=True).count() == 1
    # The emails go out as for any booking.
    kinds = set(
        OutboxMessage.objects.filter(subject=booking.subject).values_list("kind", flat=True)
    )
    assert {
        "booking.confirmation",
        "booking.host_notification",
        booking_kinds.CRM_RECORDS.name,
    } <= kinds


def test_a_failing_deal_still_books_through_the_api(client, deal_link, frozen):
    with refusing_inserts(Deal):
        response = client.post(
            f"/api/v1/public/links/{deal_link.slug}/bookings",
            json.dumps({k: v for k, v in FORM.items() if k != "duration"}),
            content_type="application/json",
        )

    assert response.status_code == 201
    booking = Booking.objects.get(pk=response.json()["id"])
    assert booking.status == "confirmed" and booking.deal is None


def test_the_failure_shows_on_the_hosts_timeline_and_the_retry_creates_the_deal_once(
    owner_client, deal_link, frozen
):
    with refusing_inserts(Deal):
        booking = services.booking_create(link=deal_link, start=SLOT, attendee=attendee())
        row = timeline_row(owner_client, booking, "CRM contact and deal")
        assert "the CRM is down" in row and row.endswith("retrying (1 attempt)")

        # Still down at the next attempt: nothing half-written, tried again later.
        frozen.shift(timedelta(minutes=1))
        outbox.drain()
        assert crm_row(booking).attempts == 2 and not Deal.objects.exists()

    frozen.shift(timedelta(minutes=2))
    outbox.drain()

    deal = Deal.objects.get()
    booking.refresh_from_db()
    assert booking.deal == deal and booking.status == "confirmed"
    assert (deal.contact, deal.stage, deal.value, deal.title) == (
        booking.contact,
        deal_link.deal_stage,
        Decimal("1500.00"),
        "Intro call: Alice Attendee",
    )
    assert crm_row(booking).state == "sent"
    row = timeline_row(owner_client, booking, "CRM contact and deal")
    assert row.endswith("done (3 attempts)") and "the CRM is down" not in row

    # A worker that delivers the same row again (a lease ran out) adds nothing.
    outbox.deliver(crm_row(booking))
    assert Deal.objects.count() == 1


def test_a_failing_contact_is_retried_with_the_deal(deal_link, frozen):
    with refusing_inserts(Contact):
        booking = services.booking_create(link=deal_link, start=SLOT, attendee=attendee())
    assert (booking.contact, booking.deal) == (None, None)
    assert not Contact.objects.exists() and not Deal.objects.exists()

    frozen.shift(timedelta(minutes=1))
    outbox.drain()

    booking.refresh_from_db()
    assert booking.contact == Contact.objects.get(email="alice@example.com")
    assert booking.deal == Deal.objects.get(contact=booking.contact)


def test_a_booking_moved_before_the_retry_gets_the_deal_too(deal_link, frozen):
    with refusing_inserts(Deal):
        booking = services.booking_create(link=deal_link, start=SLOT, attendee=attendee())
        moved = services.booking_reschedule(booking=booking, start=utc(2026, 11, 24, 9, 0))

    frozen.shift(timedelta(minutes=1))
    outbox.drain()

    deal = Deal.objects.get()
    booking.refresh_from_db()
    moved.refresh_from_db()
    assert booking.deal == deal and moved.deal == deal


def test_a_working_crm_needs_no_retry(deal_link, frozen):
    booking = services.booking_create(link=deal_link, start=SLOT, attendee=attendee())
    assert booking.deal == Deal.objects.get()
    assert not OutboxMessage.objects.filter(kind=booking_kinds.CRM_RECORDS.name).exists()
