"""Paid links: a link's price and refund policy, and the payment of each booking on it.

A booking on a priced link starts ``pending_payment`` and is confirmed only by Stripe's signed
webhook (booking/services/payments.py). The payment follows the meeting: a reschedule moves it
to the new booking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext, ngettext

from integrations.stripe import currencies

MAX_REFUND_HOURS = 24 * 90


class LinkPrice(models.Model):
    """What booking a link costs; with none, booking it is free."""

    link = models.OneToOneField(
        "booking.BookingLink", on_delete=models.CASCADE, related_name="price"
    )
    amount = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(currencies.MAX_MINOR)]
    )  # in the currency's smallest unit
    currency = models.CharField(max_length=3, default="USD")
    # Full refund when cancelled at least this many hours before the start, none after.
    refund_hours = models.PositiveIntegerField(
        default=24, validators=[MaxValueValidator(MAX_REFUND_HOURS)]
    )

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return currencies.display(self.amount, self.currency)

    @property
    def policy_text(self) -> str:
        return refund_policy_text(self.refund_hours)


def payment_summary(booking: object) -> str:
    """``Paid 25.00 USD`` for the host's lists (blank for a free booking); reads the booking's
    prefetched payments when there are."""
    found = list(booking.payments.all())  # type: ignore[attr-defined]
    if not found:
        return ""
    payment = max(found, key=lambda p: (p.created_at, p.pk))
    return f"{payment.get_status_display()} {payment.display}"


def refund_policy_text(hours: int) -> str:
    if hours == 0:
        return gettext("Full refund if you cancel before the meeting starts; none after.")
    return ngettext(
        "Full refund if you cancel at least %(hours)s hour before the meeting; none after.",
        "Full refund if you cancel at least %(hours)s hours before the meeting; none after.",
        hours,
    ) % {"hours": hours}


class Payment(models.Model):
    """One Checkout payment for a booking (the booking it is for now, after any reschedule)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired unpaid"
        FAILED = "failed", "Failed"
        REFUND_PENDING = "refund_pending", "Refund on the way"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partly refunded"

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    booking = models.ForeignKey(
        "booking.Booking", on_delete=models.CASCADE, related_name="payments"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    refund_hours = models.PositiveIntegerField()  # the policy when the attendee paid
    hold_until = models.DateTimeField()
    checkout_session_id = models.CharField(max_length=255, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    refunded_amount = models.PositiveIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "hold_until"])]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_session_id"],
                condition=~models.Q(checkout_session_id=""),
                name="payment_checkout_session_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display} · {self.get_status_display()}"

    @property
    def display(self) -> str:
        return currencies.display(self.amount, self.currency)

    @property
    def policy_text(self) -> str:
        return refund_policy_text(self.refund_hours)

    def refundable(self, start: datetime, now: datetime) -> bool:
        """Inside the policy's window: at least ``refund_hours`` before ``start``."""
        return self.status == self.Status.PAID and now <= start - timedelta(hours=self.refund_hours)
