"""The attendee's side of a paid booking: off to Stripe Checkout, and back.

Coming back changes nothing: only Stripe's signed webhook confirms a booking, so the success
page says "waiting for payment confirmation" until it has landed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from booking.models import Booking
from booking.services import payments
from booking.views.after import after_booking_url
from booking.views.checkout import status_page
from booking.views.manage import booking_by_token
from workestra.lib.formatting import clock_time, long_date


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
    return status_page(request, booking, title=title, message=message, refresh=waiting)


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
    return status_page(request, booking, title=gettext("Payment not completed"), message=message)
