"""Paid bookings through Stripe Checkout: held while the attendee pays, confirmed only by
Stripe's signed webhook, released when the payment does not come, refunded by the policy.

Stripe is localstripe (payment intents, charges, refunds) behind a fake front for Checkout
Sessions (tests/integrations/fake_stripe.py); the attendee pays there with ``fake.pay``.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking import kinds, services, single_use
from booking.models import Booking, BookingEvent
from booking.payments import LinkPrice, Payment
from crm.models import Contact
from integrations.models import StripeEvent
from tests.booking.helpers import attendee, utc
from tests.conftest import NOW
from tests.integrations import fake_stripe as stripe_server
from tests.integrations import fixtures_stripe
from workflows import outbox, periodic
from workflows.models import OutboxMessage, Workflow, WorkflowStep

fake_stripe = fixtures_stripe.fake_stripe
localstripe_url = fixtures_stripe.localstripe_url
pytestmark = pytest.mark.usefixtures("frozen")

START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 in Berlin
FORM = {
    "start": "2026-11-25T10:00:00+01:00",
    "duration": "30",
    "timezone": "Europe/Berlin",
    "name": "Alice Attendee",
    "email": "alice@example.com",
}


@pytest.fixture
def account(workspace, fake_stripe):
    return fixtures_stripe.connect_stripe(workspace)


@pytest.fixture
def paid_link(link, account):
    LinkPrice.objects.create(link=link, amount=2500, currency="USD", refund_hours=24)
    return link


def book(client, link) -> tuple[Booking, str]:
    response = client.post(link.public_path, FORM)
    assert response.status_code == 303, response.content.decode()[:2000]
    return Booking.objects.latest("pk"), response["Location"]


def deliver(client, account, evt, *, signature: str | None = None):
    payload = stripe_server.body(evt)
    return client.post(
        reverse("payments:webhook", args=[account.public_id]),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature or stripe_server.sign(payload),
    )


def session_of(fake, booking: Booking) -> dict:
    payment = booking.payments.get()
    return fake.sessions[payment.checkout_session_id]


def pay(client, fake, account, booking: Booking) -> dict:
    evt = stripe_server.event(
        "checkout.session.completed", fake.pay(session_of(fake, booking)["id"])
    )
    assert deliver(client, account, evt).status_code == 200
    booking.refresh_from_db()
    return evt


def paid_booking(client, fake, account, link) -> Booking:
    booking, _ = book(client, link)
    pay(client, fake, account, booking)
    assert booking.status == Booking.Status.CONFIRMED
    return booking


def outbox_kinds(booking: Booking) -> list[str]:
    return sorted(OutboxMessage.objects.for_subject(booking.subject).values_list("kind", flat=True))


def payment_workflow(workspace) -> Workflow:
    wf = Workflow.objects.create(
        workspace=workspace,
        name="Receipt",
        trigger=Workflow.Trigger.PAYMENT_RECEIVED,
        is_enabled=True,
    )
    WorkflowStep.objects.create(
        workflow=wf, action="email", subject="Receipt for {{attendee_name}}", body="Thanks."
    )
    return wf


# --- the whole flow ---------------------------------------------------------------------------


def test_booking_holds_the_slot_and_sends_the_attendee_to_checkout(client, paid_link, fake_stripe):
    page = client.get(paid_link.public_path + "?slot=2026-11-25T09:00:00Z").content.decode()
    assert "25.00 USD" in page
    assert "Full refund if you cancel at least 24 hours before the meeting; none after." in page

    booking, landing = book(client, paid_link)

    session = session_of(fake_stripe, booking)
    assert landing == session["url"]
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert booking.reservations.get().active
    assert session["client_reference_id"] == str(booking.pk)
    assert session["metadata"] == {"booking_id": str(booking.pk)}
    assert (session["amount_total"], session["currency"]) == (2500, "usd")
    payment = booking.payments.get()
    # Stripe's shortest session (30 minutes from its creation) with a margin: both end together.
    hold = NOW + timedelta(minutes=30, seconds=30)
    assert session["expires_at"] == int(hold.timestamp())
    assert payment.hold_until == hold
    # Nobody is told about a booking that is not paid for.
    assert outbox_kinds(booking) == []
    with pytest.raises(services.SlotTaken):
        services.booking_create(link=paid_link, start=START, attendee=attendee(email="b@x.test"))


def test_inside_an_embed_checkout_opens_in_a_new_tab(paid_link, fake_stripe):
    """Stripe Checkout refuses to be framed: the frame keeps the hold and links out to pay."""
    browser = Client(enforce_csrf_checks=True)  # a cross-site iframe: no CSRF cookie
    embedded = f"{paid_link.public_path}?embed=1&embed_origin=https://site.example"
    page = browser.get(embedded + "&slot=2026-11-25T09:00:00Z").content.decode()
    token = html.unescape(re.search(r'name="embed_token" value="([^"]+)"', page).group(1))

    response = browser.post(embedded, {**FORM, "embed_token": token})

    booking = Booking.objects.get()
    body = response.content.decode()
    assert response.status_code == 200
    assert booking.status == Booking.Status.PENDING_PAYMENT
    url = html.escape(session_of(fake_stripe, booking)["url"])
    assert f'href="{url}" target="_blank" rel="noopener"' in body
    assert "frame-ancestors *" in response["Content-Security-Policy"]


def test_a_german_attendee_reads_the_price_and_refund_policy_in_german(client, paid_link):
    page = client.get(
        paid_link.public_path + "?slot=2026-11-25T09:00:00Z",
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9",
    ).content.decode()
    assert "Preis: 25.00 USD, sicher bezahlt über Stripe" in page
    assert "Erstattungsregel:" in page
    assert "mindestens 24 Stunden vor dem Termin absagen; danach keine." in page
    assert "Full refund" not in page


def test_coming_back_from_checkout_changes_nothing(client, paid_link, fake_stripe):
    booking, _ = book(client, paid_link)
    fake_stripe.pay(session_of(fake_stripe, booking)["id"])  # paid, but no webhook yet

    page = client.get(reverse("payments:paid", args=[booking.reschedule_token]))

    assert page.status_code == 200
    assert "Waiting for payment confirmation" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT
    left = client.get(reverse("payments:not-paid", args=[booking.reschedule_token]))
    assert "The time stays held until" in left.content.decode()


def test_the_signed_webhook_confirms_emails_and_runs_payment_workflows(
    client, paid_link, fake_stripe, account, workspace
):
    payment_workflow(workspace)
    booking, _ = book(client, paid_link)

    pay(client, fake_stripe, account, booking)

    assert booking.status == Booking.Status.CONFIRMED
    payment = booking.payments.get()
    assert payment.status == Payment.Status.PAID
    assert payment.payment_intent_id.startswith("pi_")
    assert {kinds.CONFIRMATION.name, kinds.HOST_NOTIFICATION.name} <= set(outbox_kinds(booking))
    outbox.drain()
    subjects = [m.subject for m in mail.outbox]
    assert "Receipt for Alice Attendee" in subjects
    confirmation = next(
        m for m in mail.outbox if m.to == ["alice@example.com"] and "Receipt" not in m.subject
    )
    assert "25.00 USD" in confirmation.body
    assert "Full refund if you cancel at least 24 hours" in confirmation.body
    done = client.get(reverse("payments:paid", args=[booking.reschedule_token]))
    assert done.status_code == 303


def test_a_replayed_webhook_changes_nothing(client, paid_link, fake_stripe, account, workspace):
    payment_workflow(workspace)
    booking, _ = book(client, paid_link)
    evt = pay(client, fake_stripe, account, booking)
    rows = OutboxMessage.objects.count()
    events = BookingEvent.objects.count()

    assert deliver(client, account, evt).status_code == 200
    # The same news under another event id (Stripe's async success) counts once too.
    again = stripe_server.event("checkout.session.async_payment_succeeded", evt["data"]["object"])
    assert deliver(client, account, again).status_code == 200

    assert OutboxMessage.objects.count() == rows
    assert BookingEvent.objects.count() == events
    assert StripeEvent.objects.filter(event_id=evt["id"]).count() == 1


def test_a_late_expiry_event_does_not_undo_a_payment(client, paid_link, fake_stripe, account):
    booking = paid_booking(client, fake_stripe, account, paid_link)
    expired = stripe_server.event("checkout.session.expired", session_of(fake_stripe, booking))

    assert deliver(client, account, expired).status_code == 200

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.reservations.get().active


@pytest.mark.parametrize("signature", ["t=1,v1=deadbeef", "", "forged"])
def test_a_forged_signature_is_refused_and_changes_nothing(
    client, paid_link, fake_stripe, account, signature
):
    booking, _ = book(client, paid_link)
    evt = stripe_server.event(
        "checkout.session.completed", fake_stripe.pay(session_of(fake_stripe, booking)["id"])
    )
    payload = stripe_server.body(evt)
    if signature == "forged":
        signature = stripe_server.sign(payload, secret="whsec_someone_else")

    response = deliver(client, account, evt, signature=signature or "none")

    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_the_webhook_takes_only_posts_for_a_known_account(client, account):
    url = reverse("payments:webhook", args=[account.public_id])
    assert client.get(url).status_code == 405
    assert (
        client.post(
            reverse("payments:webhook", args=["nope"]), b"{}", content_type="application/json"
        ).status_code
        == 404
    )


# --- unpaid holds are released -----------------------------------------------------------------


def assert_released(booking: Booking, link) -> None:
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not booking.reservations.filter(active=True).exists()
    assert booking.payments.get().status == Payment.Status.EXPIRED
    assert outbox_kinds(booking) == []  # nobody was told, nobody is emailed
    # The slot is free again.
    services.booking_create(link=link, start=START, attendee=attendee(email="b@x.test"))


def test_stripes_expiry_releases_the_hold(client, paid_link, fake_stripe, account):
    booking, _ = book(client, paid_link)
    session = fake_stripe.expire(session_of(fake_stripe, booking)["id"])

    assert (
        deliver(
            client, account, stripe_server.event("checkout.session.expired", session)
        ).status_code
        == 200
    )

    assert_released(booking, paid_link)


def test_our_deadline_releases_the_hold_first(client, paid_link, fake_stripe, frozen):
    booking, _ = book(client, paid_link)
    frozen.shift(timedelta(minutes=29))
    periodic.run_all()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT

    frozen.shift(timedelta(minutes=1, seconds=30))
    periodic.run_all()

    assert_released(booking, paid_link)


def test_money_for_a_released_hold_is_refunded(client, paid_link, fake_stripe, account, frozen):
    booking, _ = book(client, paid_link)
    frozen.shift(timedelta(minutes=31))
    periodic.run_all()

    pay(client, fake_stripe, account, booking)

    assert booking.status == Booking.Status.CANCELLED
    assert kinds.PAYMENT_REFUND.name in outbox_kinds(booking)
    outbox.drain()
    assert fake_stripe.refunds(booking.payments.get().payment_intent_id)


def test_stripe_unreachable_releases_the_hold_with_a_clear_message(client, paid_link, fake_stripe):
    fake_stripe.fail_next.append(500)

    response = client.post(paid_link.public_path, FORM)

    assert response.status_code == 400
    assert "the time was not held" in response.content.decode()
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CANCELLED
    assert not booking.reservations.filter(active=True).exists()


def test_a_pending_payment_cannot_be_rescheduled(client, paid_link, fake_stripe):
    booking, _ = book(client, paid_link)
    with pytest.raises(services.BookingClosed, match="waiting for its payment"):
        services.booking_reschedule(booking=booking, start=START + timedelta(hours=2))


# --- refunds by the policy -------------------------------------------------------------------


def test_cancelling_inside_the_window_refunds_through_stripe(
    client, owner_client, paid_link, fake_stripe, account
):
    booking = paid_booking(client, fake_stripe, account, paid_link)
    intent = booking.payments.get().payment_intent_id

    services.booking_cancel(booking=booking)

    refund_row = OutboxMessage.objects.get(kind=kinds.PAYMENT_REFUND.name)
    assert refund_row.subject == booking.subject
    outbox.drain()
    refunds = fake_stripe.refunds(intent)
    assert [(r["amount"], r["status"]) for r in refunds] == [(2500, "succeeded")]
    payment = booking.payments.get()
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, 2500)
    details = list(
        booking.events.filter(kind=BookingEvent.Kind.REFUND).values_list("detail", flat=True)
    )
    assert any("Refund of 25.00 USD requested" in d for d in details)
    cancellations = [m for m in mail.outbox if "ancel" in m.subject]
    assert cancellations and all("refund of 25.00 USD" in m.body for m in cancellations)
    page = owner_client.get(reverse("booking:calendar-booking", args=[booking.pk])).content
    assert "Refund to the attendee through Stripe" in page.decode()
    assert "Refund of 25.00 USD requested" in page.decode()
    # Stripe's own report of the refund is recorded once, however often it comes.
    charge = stripe_server.event("charge.refunded", fake_stripe.charge(intent))
    assert deliver(client, account, charge).status_code == 200
    assert booking.payments.get().refunded_amount == 2500


def test_cancelling_after_the_window_refunds_nothing(
    client, paid_link, fake_stripe, account, frozen
):
    booking = paid_booking(client, fake_stripe, account, paid_link)
    frozen.move_to(START - timedelta(hours=23))

    services.booking_cancel(booking=booking)

    assert not OutboxMessage.objects.filter(kind=kinds.PAYMENT_REFUND.name).exists()
    assert booking.payments.get().status == Payment.Status.PAID
    outbox.drain()
    cancellation = next(
        m for m in mail.outbox if m.to == ["alice@example.com"] and "ancel" in m.subject
    )
    assert "No refund" in cancellation.body


def test_a_refund_stripe_cannot_take_now_is_retried(client, paid_link, fake_stripe, account):
    booking = paid_booking(client, fake_stripe, account, paid_link)
    services.booking_cancel(booking=booking)
    fake_stripe.fail_next.append(503)

    outbox.drain()

    row = OutboxMessage.objects.get(kind=kinds.PAYMENT_REFUND.name)
    assert row.state == "retrying"
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        outbox.drain()
    row.refresh_from_db()
    assert row.state in ("sent", "done")
    assert fake_stripe.refunds(booking.payments.get().payment_intent_id)


def test_a_reschedule_keeps_the_payment(client, paid_link, fake_stripe, account):
    booking = paid_booking(client, fake_stripe, account, paid_link)
    payment = booking.payments.get()

    new = services.booking_reschedule(booking=booking, start=START + timedelta(hours=2))

    payment.refresh_from_db()
    assert payment.booking_id == new.pk
    assert payment.status == Payment.Status.PAID
    assert not OutboxMessage.objects.filter(kind=kinds.PAYMENT_REFUND.name).exists()


# --- the host's side -------------------------------------------------------------------------


def test_the_owner_sets_a_price_in_a_zero_decimal_currency(
    owner_client, link, account, fake_stripe
):
    url = reverse("payments:link-payment", args=[link.pk])
    data = {"require_payment": "on", "price": "1500", "currency": "JPY", "refund_hours": "48"}

    assert owner_client.post(url, data).status_code == 302

    price = LinkPrice.objects.get(link=link)
    assert (price.amount, price.currency, price.display) == (1500, "JPY", "1,500 JPY")
    wrong = owner_client.post(url, {**data, "price": "15.50"})
    assert wrong.status_code == 400
    assert "JPY has no smaller unit" in wrong.content.decode()
    assert LinkPrice.objects.get(link=link).amount == 1500


def test_a_jpy_link_charges_whole_yen(client, link, account, fake_stripe):
    LinkPrice.objects.create(link=link, amount=1500, currency="JPY", refund_hours=0)
    booking, _ = book(client, link)
    session = session_of(fake_stripe, booking)
    assert (session["amount_total"], session["currency"]) == (1500, "jpy")


def test_another_workspaces_link_payment_page_is_404(outsider_client, link):
    assert outsider_client.get(reverse("payments:link-payment", args=[link.pk])).status_code == 404


def test_hosts_see_payment_status_and_amount(owner_client, client, paid_link, fake_stripe, account):
    booking = paid_booking(client, fake_stripe, account, paid_link)

    page = owner_client.get(reverse("booking:calendar-booking", args=[booking.pk])).content.decode()
    listing = owner_client.get(reverse("booking:calendar-bookings")).content.decode()
    export = owner_client.get(reverse("booking:calendar-export") + "?status=all")
    csv = b"".join(export.streaming_content).decode()

    for text in (page, listing):
        assert "25.00 USD" in text and "Paid" in text
    assert "Paid 25.00 USD" in csv


def test_the_api_answers_where_to_pay(client, paid_link, fake_stripe):
    payload = {k: v for k, v in FORM.items() if k != "duration"}

    response = client.post(
        f"/api/v1/public/links/{paid_link.slug}/bookings", payload, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending_payment"
    booking = Booking.objects.get(pk=body["id"])
    assert body["checkout_url"] == session_of(fake_stripe, booking)["url"]


def test_instant_links_never_hold_for_a_payment(owner_client, link, account):
    link.kind = link.Kind.INSTANT
    link.save()
    url = reverse("payments:link-payment", args=[link.pk])
    data = {"require_payment": "on", "price": "10", "currency": "EUR", "refund_hours": "0"}

    response = owner_client.post(url, data)

    assert response.status_code == 400
    assert "can&#x27;t require payment" in response.content.decode()
    assert not LinkPrice.objects.exists()


def test_without_stripe_a_link_cannot_require_payment(owner_client, link):
    url = reverse("payments:link-payment", args=[link.pk])
    data = {"require_payment": "on", "price": "10", "currency": "EUR", "refund_hours": "0"}

    response = owner_client.post(url, data)

    assert response.status_code == 400
    assert "Connect Stripe in Settings" in response.content.decode()
    assert not LinkPrice.objects.exists()


# --- a single-use link on a paid template (single-use-links.txt, "What consumed means") --------


@pytest.fixture
def single(paid_link, workspace):
    contact = Contact.objects.create(workspace=workspace, email="alice@example.com", name="Alice")
    return single_use.create(link=paid_link, contact=contact)


def book_single(client, single) -> Booking:
    response = client.post(single.link.public_path, {**FORM, "single_use": single.token})
    assert response.status_code == 303, response.content.decode()[:2000]
    return Booking.objects.latest("pk")


def test_a_single_use_link_is_consumed_at_payment_confirmation(
    client, single, fake_stripe, account
):
    booking = book_single(client, single)
    single.refresh_from_db()
    assert single.consumed_at is None  # pending_payment does not consume it

    pay(client, fake_stripe, account, booking)

    single.refresh_from_db()
    assert single.consumed_by_booking_id == booking.pk and single.consumed_at == NOW
    assert client.get(single.path).status_code == 410


def test_a_single_use_link_whose_payment_never_came_stays_valid(
    client, single, fake_stripe, account
):
    booking = book_single(client, single)
    session = fake_stripe.expire(session_of(fake_stripe, booking)["id"])
    deliver(client, account, stripe_server.event("checkout.session.expired", session))

    single.refresh_from_db()
    assert single.consumed_at is None
    assert client.get(single.path).status_code == 302  # on to the booking page again
    assert book_single(client, single).status == Booking.Status.PENDING_PAYMENT
