"""Paid links under races on the real database: two attendees reach checkout for one slot, and
Stripe delivers one event twice at once. Only one hold, one confirmation, one run of each
side effect, ever."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from booking import kinds
from booking.models import Booking, Reservation
from booking.payments import LinkPrice, Payment
from integrations.models import StripeEvent
from tests.factories import LinkFactory, MembershipFactory
from tests.integrations import fake_stripe as stripe_server
from tests.integrations import fixtures_stripe
from workflows import periodic
from workflows.models import OutboxMessage

fake_stripe = fixtures_stripe.fake_stripe
localstripe_url = fixtures_stripe.localstripe_url
pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def form(n: int) -> dict[str, str]:
    return {
        "start": "2026-11-24T10:00:00+01:00",
        "duration": "30",
        "timezone": "Europe/Berlin",
        "name": f"Racer {n}",
        "email": f"racer{n}@example.com",
    }


@pytest.fixture
def paid(frozen, settings, fake_stripe):
    settings.RATELIMIT_BOOKINGS_PER_MINUTE = 1000
    host = MembershipFactory().user
    workspace = host.memberships.get().workspace
    link = LinkFactory(workspace=workspace, owner=host, slug="race")
    LinkPrice.objects.create(link=link, amount=4000, currency="EUR", refund_hours=24)
    return link, fixtures_stripe.connect_stripe(workspace)


def together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run(n: int) -> None:
        barrier.wait()
        try:
            result = work(n)
            with lock:
                results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def deliver(account, evt):
    payload = stripe_server.body(evt)
    return Client().post(
        reverse("payments:webhook", args=[account.public_id]),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_server.sign(payload),
    )


def test_two_attendees_reach_checkout_for_one_slot_and_one_holds_it(paid, fake_stripe):
    link, _ = paid

    statuses = together(2, lambda n: Client().post(link.public_path, form(n)).status_code)

    assert sorted(statuses) == [303, 409]
    held = Booking.objects.get()
    assert held.status == Booking.Status.PENDING_PAYMENT
    assert Reservation.objects.filter(active=True).count() == 1
    assert len(fake_stripe.sessions) == 1  # the loser never got a checkout page


def test_only_one_attendee_can_ever_confirm_the_slot(paid, fake_stripe, frozen):
    link, account = paid
    assert Client().post(link.public_path, form(1)).status_code == 303
    first = Booking.objects.get()
    first_session = first.payments.get().checkout_session_id
    # The first hold runs out; a second attendee takes the freed slot to checkout.
    frozen.shift(timedelta(minutes=31))
    periodic.run_all()
    assert Client().post(link.public_path, form(2)).status_code == 303
    second = Booking.objects.latest("pk")
    second_session = second.payments.get().checkout_session_id

    # Both pay, and Stripe's two events arrive at once.
    events = [
        stripe_server.event("checkout.session.completed", fake_stripe.pay(s))
        for s in (first_session, second_session)
    ]
    statuses = together(2, lambda n: deliver(account, events[n]).status_code)

    assert statuses == [200, 200]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Booking.Status.CANCELLED, Booking.Status.CONFIRMED)
    assert Reservation.objects.filter(active=True).get().booking_id == second.pk
    # The late payment for the released hold goes back.
    assert OutboxMessage.objects.filter(
        kind=kinds.PAYMENT_REFUND.name, subject=first.subject
    ).exists()


def test_one_event_delivered_twice_at_once_is_processed_once(paid, fake_stripe):
    link, account = paid
    Client().post(link.public_path, form(1))
    booking = Booking.objects.get()
    evt = stripe_server.event(
        "checkout.session.completed", fake_stripe.pay(booking.payments.get().checkout_session_id)
    )

    statuses = together(4, lambda n: deliver(account, evt).status_code)

    assert statuses == [200] * 4
    assert StripeEvent.objects.count() == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payments.get().status == Payment.Status.PAID
    confirmations = OutboxMessage.objects.filter(kind=kinds.CONFIRMATION.name)
    assert confirmations.count() == 1
