"""Self-service pages behind the booking's token: reschedule, cancel and reconfirm.

A GET only shows a page (mail scanners prefetch links); every change happens on POST.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from booking import services, tokens
from booking.middleware import prefer
from booking.models import Booking
from booking.views.confirmation import ics_response, render_meeting_page
from booking.views.public import build_picker, keep_day, render_picker_page
from workestra.inputs import AwareDateTimeField
from workestra.lib import ratelimit
from workestra.lib.formatting import local_range
from workestra.tenancy import HtmxRequest
from workestra.timezones import is_valid_timezone


class RescheduleForm(forms.Form):
    start = AwareDateTimeField(
        error_messages={
            "required": _("Pick a new time."),
            "invalid": _("Pick a time from the list."),
        },
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Optional: let the host know why")}
        ),
    )


def booking_by_token(request: HttpRequest, token: str) -> Booking:
    """The booking a token belongs to, for every token page: each request counts against a
    per-address rate limit, and unknown or malformed tokens are a 404."""
    if not ratelimit.hit(
        "token", ratelimit.client_ip(request), limit=settings.RATELIMIT_TOKENS_PER_MINUTE
    ):
        raise TooManyAttempts
    booking = tokens.booking_for_token(token)
    if booking is None:
        raise Http404("This link is not valid.")
    prefer(request, booking.language)  # the language it was booked in, unless they pick another
    return booking


class TooManyAttempts(Exception):
    pass


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "booking/manage_message.html",
        {
            "title": gettext("Too many attempts"),
            "message": gettext("Please wait a minute and try again."),
        },
        status=429,
    )


def _closed(
    request: HttpRequest, booking: Booking, message: str, status: int = 410
) -> HttpResponse:
    return render(
        request,
        "booking/manage_message.html",
        {"title": booking.link.title, "message": message, "booking": booking},
        status=status,
    )


def _refused(
    request: HttpRequest, booking: Booking, action: str, now: datetime
) -> HttpResponse | None:
    """The page saying why ``action`` is refused, or ``None`` when the attendee may go on (a
    booking still waiting for its code goes on to the code page)."""
    refusal = booking.refusal(action, now)
    if refusal is None or refusal.reason == "unverified":
        return None
    return _closed(request, booking, refusal.message)


@require_http_methods(["GET", "POST"])
def reschedule(request: HtmxRequest, token: str) -> HttpResponse:
    try:
        booking = booking_by_token(request, token)
    except TooManyAttempts:
        return _too_many(request)
    now = timezone.now()
    if refused := _refused(request, booking, Booking.Change.RESCHEDULE, now):
        return refused
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        return redirect("booking:verify", booking.reschedule_token)
    query = request.GET.copy()
    if request.method == "POST":
        # The list comes back in the zone the attendee was looking at when they posted.
        query["tz"] = request.POST.get("timezone", "")
    if not is_valid_timezone(query.get("tz", "")):
        query["tz"] = booking.timezone
    form = RescheduleForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new = services.booking_reschedule(booking=booking, start=form.cleaned_data["start"])
            except services.BookingError as exc:
                error = exc.message
                status = 409 if isinstance(exc, services.SlotTaken) else 400
            else:
                return redirect(reverse("booking:rescheduled", args=[new.reschedule_token]))
        else:
            error = " ".join(str(e) for e in form.errors.get("start", [])) or gettext(
                "Pick a time from the list."
            )
            status = 400
        keep_day(query, booking.link, form.cleaned_data.get("start"))
    picker = build_picker(
        booking.link,
        query,
        base_path=request.path,
        fixed_duration=booking.duration_minutes,
        exclude_booking_id=booking.pk,
    )
    return render_picker_page(
        request,
        booking.link,
        picker=picker,
        form=form,
        error=error,
        status=status,
        extra={
            "rescheduling": booking,
            "rescheduling_from": local_range(booking.start, booking.end, picker.zone),
        },
    )


def _moved_booking(request: HttpRequest, token: str) -> Booking | HttpResponse:
    """The moved booking, or the page to show instead of it."""
    try:
        booking = booking_by_token(request, token)
    except TooManyAttempts:
        return _too_many(request)
    now = timezone.now()
    # Only a confirmed meeting still ahead may be shown as moved: an old token (moved again or
    # cancelled since), an unverified booking or a started meeting gets what the others get.
    refusal = booking.refusal(Booking.Change.RESCHEDULE, now)
    if refusal is not None and refusal.reason == "unverified":
        refusal = booking.refused("closed")  # this page is no step of the code flow
    if refusal is not None:
        return _closed(request, booking, refusal.message)
    return booking


def rescheduled(request: HttpRequest, token: str) -> HttpResponse:
    booking = _moved_booking(request, token)
    if isinstance(booking, HttpResponse):
        return booking
    ics_url = reverse("booking:rescheduled-ics", args=[token])
    return render_meeting_page(request, booking, ics_url=ics_url, rescheduled=True)


def rescheduled_ics(request: HttpRequest, token: str) -> HttpResponse:
    booking = _moved_booking(request, token)
    if isinstance(booking, HttpResponse):
        return booking
    return ics_response(booking)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = booking_by_token(request, token)
    except TooManyAttempts:
        return _too_many(request)
    now = timezone.now()
    if booking.status == Booking.Status.CANCELLED:
        return _closed(request, booking, gettext("This booking is cancelled."), status=200)
    if refused := _refused(request, booking, Booking.Change.CANCEL, now):
        return refused
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, reason=form.cleaned_data["reason"], now=now)
        except services.BookingError as exc:
            return _closed(request, booking, exc.message)
        return _closed(
            request,
            booking,
            gettext("Your booking is cancelled. Everyone has been notified."),
            status=200,
        )
    return render(
        request,
        "booking/cancel.html",
        {
            "booking": booking,
            "form": form,
            "when": local_range(booking.start, booking.end, booking.timezone),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def reconfirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = booking_by_token(request, token)
    except TooManyAttempts:
        return _too_many(request)
    now = timezone.now()
    if refused := _refused(request, booking, Booking.Change.RECONFIRM, now):
        return refused
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        return redirect("booking:verify", booking.reschedule_token)
    error = ""
    if request.method == "POST":
        try:
            booking = services.booking_reconfirm(booking=booking, now=now)
        except services.BookingError as exc:
            error = exc.message
    return render(
        request,
        "booking/reconfirm.html",
        {
            "booking": booking,
            "error": error,
            "just_reconfirmed": request.method == "POST" and not error,
            "when": local_range(booking.start, booking.end, booking.timezone),
        },
        status=409 if error else 200,
    )
