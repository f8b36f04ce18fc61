"""An instant link's public page: no slot picker, just "meet now"."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from booking import services
from booking.embed import is_embed
from booking.forms import BookingRequestForm
from booking.models import BookingLink
from booking.views.after import after_booking_url
from workestra.lib import ratelimit
from workestra.timezones import is_valid_timezone


def instant(request: HttpRequest, link: BookingLink) -> HttpResponse:
    if request.method != "POST":
        form = BookingRequestForm(link=link, initial={"timezone": link.timezone})
        return _page(request, link, form)
    if not ratelimit.hit(
        "book", ratelimit.client_ip(request), limit=settings.RATELIMIT_BOOKINGS_PER_MINUTE
    ):
        form = BookingRequestForm(link=link)
        return _page(request, link, form, "Too many attempts. Please wait a minute.", 429)
    data = request.POST.copy()
    data["start"] = services.instant_start(timezone.now()).isoformat()
    data["duration"] = str(link.duration)
    if not is_valid_timezone(data.get("timezone", "")):
        data["timezone"] = link.timezone
    form = BookingRequestForm(data, request.FILES, link=link)
    if not form.is_valid():
        return _page(request, link, form, status=400)
    cleaned = form.cleaned_data
    attendee = services.Attendee(
        name=cleaned["name"],
        email=cleaned["email"],
        timezone=cleaned["timezone"],
        phone=cleaned.get("phone", ""),
        guests=tuple(cleaned.get("guests", [])),
        answers=cleaned["answers"],
        answer_labels=cleaned["answer_labels"],
        uploads=cleaned["uploads"],
    )
    try:
        booking = services.booking_create(link=link, start=cleaned["start"], attendee=attendee)
    except services.BookingError as exc:
        return _page(request, link, form, exc.message, 400)
    return redirect(after_booking_url(booking, embedded=is_embed(request)))


def _page(
    request: HttpRequest,
    link: BookingLink,
    form: BookingRequestForm,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "booking/instant.html",
        {"link": link, "form": form, "error": error},
        status=status,
    )
