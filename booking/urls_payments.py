"""Paid bookings: Stripe's webhook (wired to booking's handler), the pages an attendee comes
back to from Stripe Checkout, and a link's price."""

from django.urls import path

from booking.services import payments
from booking.views import payments as views
from booking.views import payments_settings
from integrations.stripe.urls import payment_webhooks

app_name = "payments"

urlpatterns = [
    *payment_webhooks(on_event=payments.on_stripe_event),
    path("book/paid/<str:token>", views.paid, name="paid"),
    path("book/not-paid/<str:token>", views.not_paid, name="not-paid"),
    path(
        "settings/booking-links/<int:pk>/payment",
        payments_settings.link_payment,
        name="link-payment",
    ),
]
