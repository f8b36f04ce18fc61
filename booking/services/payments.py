"""Paid bookings: the hold while the attendee pays, Stripe's webhook confirming it (never the
browser's return), the hold released when the payment does not come, and refunds.

Stripe's events reach :func:`on_stripe_event` once each (integrations/stripe/views.py records
their ids in the same transaction), in any order: every step checks the state it expects and
otherwise changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from booking import automation, kinds, timeline
from booking.models import Booking, BookingEvent, BookingLink
from booking.payments import LinkPrice, Payment
from booking.services.common import enqueue_confirmation
from booking.services.errors import BookingError
from integrations.models import StripeAccount
from integrations.stripe import client
from integrations.stripe.currencies import display
from workestra.lib import crypto
from workflows import outbox
from workflows.models import OutboxMessage

logger = logging.getLogger(__name__)

UNPAID_REASON = "The payment was not completed in time."
# Stripe's shortest Checkout Session (30 minutes from its creation), with a margin for the
# moments between our booking and Stripe's clock.
STRIPE_MIN_EXPIRY = timedelta(minutes=30, seconds=30)
PAY_FAILED = gettext_lazy(
    "Payments can't be taken right now, so the time was not held. Please try again in a few "
    "minutes."
)


def link_price(link: BookingLink) -> LinkPrice | None:
    """What booking ``link`` costs; None when it is free. An instant meeting starts at once,
    so it is never held for a payment."""
    if link.kind == BookingLink.Kind.INSTANT:
        return None
    return LinkPrice.objects.filter(link=link).first()


def hold_for_payment(booking: Booking, price: LinkPrice, *, now: datetime) -> Payment:
    """In the booking's transaction: the payment it waits for, and the hold's deadline."""
    return Payment.objects.create(
        workspace_id=booking.workspace_id,
        booking=booking,
        amount=price.amount,
        currency=price.currency,
        refund_hours=price.refund_hours,
        hold_until=now + timedelta(minutes=settings.PAYMENT_HOLD_MINUTES),
        created_at=now,
    )


def current_payment(booking: Booking) -> Payment | None:
    return booking.payments.order_by("-created_at", "-pk").first()


def checkout_start(
    booking: Booking, *, success_url: str, cancel_url: str, now: datetime | None = None
) -> str:
    """The Stripe Checkout page the attendee pays on. When Stripe can't be asked, the hold is
    released at once and :class:`BookingError` says so."""
    now = now or timezone.now()
    payment = current_payment(booking)
    if payment is None or booking.status != Booking.Status.PENDING_PAYMENT:
        raise BookingError(gettext("This booking is not waiting for a payment."))
    if payment.hold_until < now + STRIPE_MIN_EXPIRY:
        # Stripe refuses a session that expires sooner; the hold lasts as long as the session.
        payment.hold_until = now + STRIPE_MIN_EXPIRY
        Payment.objects.filter(pk=payment.pk).update(hold_until=payment.hold_until)
    try:
        account = StripeAccount.objects.get(workspace_id=booking.workspace_id)
        session = client.checkout_create(
            account.api_key,
            amount=payment.amount,
            currency=payment.currency,
            product=booking.link.title,
            booking_id=booking.pk,
            customer_email=booking.email,
            expires_at=payment.hold_until,
            success_url=success_url,
            cancel_url=cancel_url,
            idempotency_key=f"workestra-checkout-{payment.pk}",
        )
    except (StripeAccount.DoesNotExist, crypto.MissingKey, crypto.Undecryptable) as exc:
        logger.warning("Workspace %s has no usable Stripe account", booking.workspace_id)
        release_unpaid(payment.pk, now=now, why="Stripe is not connected.")
        raise BookingError(str(PAY_FAILED)) from exc
    except client.StripeError as exc:
        logger.warning("Checkout for booking %s failed: %s", booking.pk, exc.message)
        release_unpaid(payment.pk, now=now, why=f"Checkout failed: {exc.message}")
        raise BookingError(str(PAY_FAILED)) from exc
    Payment.objects.filter(pk=payment.pk).update(checkout_session_id=session.id)
    return session.url


# --- Stripe's events -----------------------------------------------------------------------


def on_stripe_event(workspace_id: int, event: dict[str, Any]) -> None:
    """One verified event of the workspace's Stripe account, in the webhook's transaction."""
    kind = str(event.get("type", ""))
    obj = (event.get("data") or {}).get("object") or {}
    now = timezone.now()
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        payment = _by_session(workspace_id, obj)
        if payment is not None and obj.get("payment_status") == "paid":
            payment_received(payment.pk, intent=str(obj.get("payment_intent") or ""), now=now)
    elif kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
        payment = _by_session(workspace_id, obj)
        if payment is not None:
            release_unpaid(payment.pk, now=now, why=UNPAID_REASON)
    elif kind.startswith("payment_intent."):
        _intent_changed(workspace_id, kind, obj, now=now)
    elif kind == "charge.refunded":
        _refunded(workspace_id, obj, now=now)


def _by_session(workspace_id: int, session: dict[str, Any]) -> Payment | None:
    rows = Payment.objects.filter(workspace_id=workspace_id)
    found = rows.filter(checkout_session_id=str(session.get("id", ""))).first()
    if found is None and str(session.get("client_reference_id") or "").isdigit():
        # The session was made but its id never stored (we failed right after Stripe answered).
        found = rows.filter(
            booking_id=int(session["client_reference_id"]), checkout_session_id=""
        ).first()
    return found


def _by_intent(workspace_id: int, intent: dict[str, Any] | str) -> Payment | None:
    rows = Payment.objects.filter(workspace_id=workspace_id)
    intent_id = intent if isinstance(intent, str) else str(intent.get("id", ""))
    found = rows.filter(payment_intent_id=intent_id).first() if intent_id else None
    metadata = {} if isinstance(intent, str) else intent.get("metadata") or {}
    booking_id = str(metadata.get("booking_id", ""))
    if found is None and booking_id.isdigit():
        found = rows.filter(booking_id=int(booking_id)).order_by("-pk").first()
    return found


def _locked(payment_id: int) -> tuple[Payment, Booking]:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    booking = Booking.objects.select_for_update().select_related("link").get(pk=payment.booking_id)
    return payment, booking


def payment_received(payment_id: int, *, intent: str, now: datetime) -> None:
    """Stripe says the money is in: the booking confirms, as any booking does, and the Payment
    Received workflows run. Money for a hold already released is refunded in full."""
    with transaction.atomic():
        payment, booking = _locked(payment_id)
        if intent and not payment.payment_intent_id:
            payment.payment_intent_id = intent
        if payment.status not in (Payment.Status.PENDING, Payment.Status.EXPIRED):
            payment.save(update_fields=["payment_intent_id"])
            return  # already counted
        payment.status, payment.paid_at = Payment.Status.PAID, now
        payment.save(update_fields=["status", "paid_at", "payment_intent_id"])
        if booking.status != Booking.Status.PENDING_PAYMENT:
            _refund(payment, booking, now=now, why="Paid after the time was released.")
            return
        booking.status = Booking.Status.CONFIRMED
        booking.save(update_fields=["status"])
        timeline.record(booking, BookingEvent.Kind.PAID, at=now, detail=payment.display)
        enqueue_confirmation(booking, now=now)
        automation.on_payment_received(booking)
        # enqueue_confirmation also consumes a single-use token the booking held (paid row).


def release_unpaid(payment_id: int, *, now: datetime, why: str) -> bool:
    """Free the time of a booking still waiting for this payment; anything else is left alone.
    Nobody was told about the booking, so nobody is emailed. Returns whether it released."""
    with transaction.atomic():
        payment, booking = _locked(payment_id)
        if payment.status != Payment.Status.PENDING:
            return False
        payment.status = Payment.Status.EXPIRED
        payment.save(update_fields=["status"])
        if booking.status != Booking.Status.PENDING_PAYMENT:
            return False
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.cancel_reason = why[:2000]
        booking.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        booking.reservations.update(active=False)
        timeline.record(booking, BookingEvent.Kind.PAYMENT_RELEASED, at=now, detail=why)
    return True


def release_overdue(now: datetime) -> None:
    """Periodic job: holds past our own deadline are released, whatever Stripe has said yet."""
    overdue = Payment.objects.filter(
        status=Payment.Status.PENDING,
        hold_until__lte=now,
        booking__status=Booking.Status.PENDING_PAYMENT,
    ).values_list("pk", flat=True)
    for payment_id in list(overdue[:200]):
        release_unpaid(payment_id, now=now, why=UNPAID_REASON)


def _intent_changed(workspace_id: int, kind: str, intent: dict[str, Any], *, now: datetime) -> None:
    payment = _by_intent(workspace_id, intent)
    if payment is None:
        return
    if not payment.payment_intent_id:
        Payment.objects.filter(pk=payment.pk).update(payment_intent_id=str(intent.get("id", "")))
    if kind == "payment_intent.succeeded" and payment.status == Payment.Status.PENDING:
        payment_received(payment.pk, intent=str(intent.get("id", "")), now=now)
    elif kind == "payment_intent.payment_failed":
        error = (intent.get("last_payment_error") or {}).get("message") or "declined"
        timeline.record(
            payment.booking,
            BookingEvent.Kind.PAYMENT_NOTE,
            at=now,
            detail=f"A payment attempt failed: {error}",
        )


def _refunded(workspace_id: int, charge: dict[str, Any], *, now: datetime) -> None:
    payment = _by_intent(workspace_id, str(charge.get("payment_intent") or ""))
    if payment is None:
        return
    with transaction.atomic():
        payment, booking = _locked(payment.pk)
        refunded = int(charge.get("amount_refunded") or 0)
        if refunded <= payment.refunded_amount:
            return  # an older event, or one we already know
        payment.refunded_amount = min(refunded, payment.amount)
        payment.status = (
            Payment.Status.REFUNDED
            if payment.refunded_amount >= payment.amount
            else Payment.Status.PARTIALLY_REFUNDED
        )
        payment.save(update_fields=["refunded_amount", "status"])
        detail = f"Refunded {display(payment.refunded_amount, payment.currency)}."
        timeline.record(booking, BookingEvent.Kind.REFUND, at=now, detail=detail)


# --- Cancel, reschedule and refunds ----------------------------------------------------------


def on_cancel(booking: Booking, *, by_host: bool, now: datetime) -> Payment | None:
    """In the cancel's transaction: a paid booking is refunded in full when the host cancels or
    the attendee cancels inside the policy's window; a payment still pending is closed.
    Returns the payment being refunded, if any."""
    payment = current_payment(booking)
    if payment is None:
        return None
    if payment.status == Payment.Status.PENDING:
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.EXPIRED)
        return None
    if payment.status != Payment.Status.PAID:
        return None
    if by_host or payment.refundable(booking.start, now):
        why = "Cancelled by the host." if by_host else "Cancelled inside the refund window."
        _refund(payment, booking, now=now, why=why)
        return payment
    timeline.record(
        booking,
        BookingEvent.Kind.REFUND,
        at=now,
        detail="No refund: cancelled after the refund window closed.",
    )
    return None


def move_payment(old: Booking, new: Booking) -> None:
    """A reschedule keeps the payment: it now belongs to the new booking."""
    Payment.objects.filter(booking=old).update(booking=new)


def _refund(payment: Payment, booking: Booking, *, now: datetime, why: str) -> None:
    amount = payment.amount - payment.refunded_amount
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REFUND_PENDING)
    payment.status = Payment.Status.REFUND_PENDING
    outbox.enqueue(
        kind=kinds.PAYMENT_REFUND,
        key=f"payment:{payment.pk}:refund",
        payload={"payment_id": payment.pk, "amount": amount},
        subject=booking.subject,
    )
    detail = f"Refund of {display(amount, payment.currency)} requested. {why}"
    timeline.record(booking, BookingEvent.Kind.REFUND, at=now, detail=detail)


def send_refund(message: OutboxMessage) -> None:
    """Outbox handler: refund through Stripe. The same idempotency key on every attempt, so a
    retry after a lost answer never refunds twice."""
    payment = Payment.objects.filter(pk=int(message.payload.get("payment_id", 0))).first()
    if payment is None:
        raise outbox.Drop("the payment no longer exists")
    if not payment.payment_intent_id:
        raise outbox.Retry(
            "Stripe has not said which payment to refund yet", after=timedelta(minutes=5)
        )
    account = StripeAccount.objects.filter(workspace_id=payment.workspace_id).first()
    if account is None:
        raise outbox.Fail("Stripe is no longer connected: refund from the Stripe dashboard.")
    amount = int(message.payload.get("amount", payment.amount))
    try:
        client.refund_create(
            account.api_key,
            payment_intent=payment.payment_intent_id,
            amount=amount,
            idempotency_key=f"workestra-refund-{payment.pk}",
        )
    except client.StripeError as exc:
        if exc.permanent:
            raise outbox.Fail(exc.message) from exc
        raise
    Payment.objects.filter(pk=payment.pk, refunded_amount__lt=amount).update(
        status=Payment.Status.REFUNDED, refunded_amount=amount
    )
