"""Sending an attendee to Stripe Checkout, and the page that says where a payment stands.

Apart from the payment pages so the booking page and the API can start a checkout without
importing the self-service views.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from booking.models import Booking
from booking.services import payments
from workestra.lib.formatting import local_range


def checkout_url(booking: Booking) -> str:
    """The booking's Stripe Checkout page; raises ``BookingError`` when Stripe can't be asked
    (the hold is released then)."""
    token = booking.reschedule_token
    base = settings.PUBLIC_BASE_URL
    return payments.checkout_start(
        booking,
        success_url=base + reverse("payments:paid", args=[token]),
        cancel_url=base + reverse("payments:not-paid", args=[token]),
    )


def checkout_redirect(booking: Booking) -> HttpResponse:
    """303 to the booking's Stripe Checkout page (see :func:`checkout_url`)."""
    return HttpResponseRedirect(checkout_url(booking), status=303)


def checkout_in_new_tab(request: HttpRequest, booking: Booking) -> HttpResponse:
    """Inside an embed: Stripe Checkout refuses to be framed, so the frame offers it in a tab."""
    return status_page(
        request,
        booking,
        title=gettext("Pay to confirm your booking"),
        message=gettext("The time is held for you. Pay on Stripe's page to confirm it."),
        checkout=checkout_url(booking),
    )


def status_page(
    request: HttpRequest,
    booking: Booking,
    *,
    title: str,
    message: str,
    refresh: bool = False,
    checkout: str = "",
) -> HttpResponse:
    """The attendee's page about a paid booking: where its payment stands."""
    payment = payments.current_payment(booking)
    return render(
        request,
        "booking/payments/status.html",
        {
            "title": title,
            "message": message,
            "booking": booking,
            "payment": payment,
            "refresh": refresh,
            "checkout": checkout,
            "when": local_range(booking.start, booking.end, booking.timezone),
        },
    )
