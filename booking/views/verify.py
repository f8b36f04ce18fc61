"""Email verification page, ``/book/verify/<token>``: where an attendee lands after booking a link
that requires it. A GET only shows the page; checking a code and resending one are POSTs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from booking import services, verification
from booking.embed import embeddable, is_embed, link_by_booking_token
from booking.models import Booking
from booking.services import BookingError
from booking.views.after import after_booking_url
from booking.views.manage import TooManyAttempts, _closed, _too_many, booking_by_token
from workestra.lib.formatting import local_range

CODE_MESSAGE = _("Enter the 6-digit code from the email.")


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=verification.MAX_CODE_INPUT,
        error_messages={"required": CODE_MESSAGE, "max_length": CODE_MESSAGE},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = verification.normalize(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(CODE_MESSAGE)
        return code


def _page(
    request: HttpRequest,
    booking: Booking,
    *,
    form: CodeForm | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "booking": booking,
        "link": booking.link,
        "form": form or CodeForm(),
        "notice": notice,
        "error": error,
        "when": local_range(booking.start, booking.end, booking.timezone),
        "minutes": int(verification.CODE_TTL.total_seconds() // 60),
    }
    return render(request, "booking/verify.html", context, status=status)


def _not_waiting(request: HttpRequest, booking: Booking) -> HttpResponse | None:
    """The answer when the booking no longer waits for a code (shown without changing it)."""
    refusal = booking.refusal(Booking.Change.VERIFY, timezone.now())
    if refusal is not None:
        return _closed(request, booking, refusal.message)
    if booking.status == Booking.Status.CONFIRMED:
        return redirect(after_booking_url(booking, embedded=is_embed(request)))
    return None


@embeddable(link_by_booking_token)
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = booking_by_token(request, token)
    except TooManyAttempts:
        return _too_many(request)
    if request.method == "GET":
        return _not_waiting(request, booking) or _page(request, booking)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _not_waiting(request, booking) or _page(request, booking, form=form, status=400)
    try:
        booking = services.booking_verify(booking=booking, code=form.cleaned_data["code"])
    except services.WrongCode as exc:
        form.add_error("code", exc.message)
        return _page(request, booking, form=form, status=400)
    except BookingError as exc:
        return _closed(request, booking, exc.message)
    return redirect(after_booking_url(booking, embedded=is_embed(request)))


@embeddable(link_by_booking_token)
@require_POST
def resend(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = booking_by_token(request, token)
    except TooManyAttempts:
        return _too_many(request)
    try:
        booking = services.booking_resend_code(booking=booking)
    except services.ResendRefused as exc:
        return _page(request, booking, error=exc.message, status=429)
    except BookingError as exc:
        return _closed(request, booking, exc.message)
    return _page(
        request,
        booking,
        notice=gettext("A new code is on its way to %(email)s.") % {"email": booking.email},
    )
