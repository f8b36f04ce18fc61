"""The attendee's side of a paid booking: off to Stripe Checkout, and back.

Coming back changes nothing: only Stripe's signed webhook confirms a booking, so the success
page says "waiting for payment confirmation" until it has landed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from booking.models import Booking
from booking.services import payments
from booking.views.after import after_booking_url
from booking.views.manage import booking_by_token
from workestra.lib.formatting import clock_time, local_range, long_date


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
    return _page(
        request,
        booking,
        title=gettext("Pay to confirm your booking"),
        message=gettext("The time is held for you. Pay on Stripe's page to confirm it."),
        checkout=checkout_url(booking),
    )


@require_GET
def paid(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_by_token(request, token)
    if booking.status == Booking.Status.CONFIRMED:
        return HttpResponseRedirect(after_booking_url(booking), status=303)
    waiting = booking.status == Booking.Status.PENDING_PAYMENT
    if waiting:
        title = gettext("Waiting for payment confirmation")
        message = gettext(
            "Thanks! We are waiting for Stripe to confirm your payment. Your confirmation email "
            "follows as soon as it is confirmed."
        )
    else:
        title = gettext("This booking is not held any more")
        message = booking.refused("closed").message
    return _page(request, booking, title=title, message=message, refresh=waiting)


@require_GET
def not_paid(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_by_token(request, token)
    payment = payments.current_payment(booking)
    if booking.status != Booking.Status.PENDING_PAYMENT or payment is None:
        return paid(request, token)
    until = payment.hold_until.astimezone(ZoneInfo(booking.timezone))
    held = f"{long_date(until)}, {clock_time(until)} ({booking.timezone})"
    message = gettext(
        "You left the payment page before paying. The time stays held until %(held)s and is "
        "then released; book again to pay."
    ) % {"held": held}
    return _page(request, booking, title=gettext("Payment not completed"), message=message)


def _page(
    request: HttpRequest,
    booking: Booking,
    *,
    title: str,
    message: str,
    refresh: bool = False,
    checkout: str = "",
) -> HttpResponse:
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
