"""Where the attendee goes once a booking is made: the code page, the link's redirect or the
confirmation page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core import signing
from django.urls import reverse

from booking.models import Booking
from booking.variables import booking_variables
from workflows.render import render_url

CONFIRM_SALT = "booking.confirmed"


def after_booking_url(booking: Booking, *, embedded: bool = False) -> str:
    """The link's redirect (placeholders filled, UTM passed through) or our confirmation page;
    first the code page when the attendee still has to verify their email. Embedded in another
    site, the confirmation stays in its frame: the parent page hears of the booking instead."""
    if booking.status == Booking.Status.PENDING_VERIFICATION:
        return reverse("booking:verify", args=[booking.reschedule_token])
    if booking.link.redirect_url and not embedded:
        url = render_url(booking.link.redirect_url, booking_variables(booking))
        return _with_params(url, booking.utm)
    token = signing.dumps(booking.pk, salt=CONFIRM_SALT)
    return reverse("booking:confirmed", args=[booking.link.slug, token])


def _with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    existing = dict(parse_qsl(parts.query, keep_blank_values=True))
    extra = {k: v for k, v in params.items() if k not in existing}
    if not extra:
        return url
    query = f"{parts.query}&{urlencode(extra)}" if parts.query else urlencode(extra)
    return urlunsplit(parts._replace(query=query))
