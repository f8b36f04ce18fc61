"""Email verification as JSON: the embed widget's way to confirm a booking that waits for a code."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from booking import services, tokens, verification
from booking.models import Booking
from booking.services import BookingError
from workestra.api_errors import responses
from workestra.lib import ratelimit

router = Router(tags=["public booking"])
CODE_MESSAGE = "Enter the 6-digit code from the email."


class CodeIn(Schema):
    code: str = Field(
        max_length=verification.MAX_CODE_INPUT,
        description="The 6 digits from the email.",
        examples=["123456"],
    )


class VerifiedOut(Schema):
    id: int
    status: str
    start: str
    end: str
    timezone: str
    reschedule_url: str
    cancel_url: str


class ResentOut(Schema):
    detail: str
    expires_at: str


def verify_url(booking: Booking) -> str:
    return settings.PUBLIC_BASE_URL + reverse(
        "api:booking_verify", kwargs={"token": booking.reschedule_token}
    )


def _booking(request: HttpRequest, token: str) -> Booking | Status:
    if not ratelimit.hit(
        "token", ratelimit.client_ip(request), limit=settings.RATELIMIT_TOKENS_PER_MINUTE
    ):
        return Status(429, {"detail": "Too many attempts. Please wait a minute and try again."})
    booking = tokens.booking_for_token(token)
    if booking is None:
        return Status(404, {"detail": "This link is not valid."})
    return booking


@router.post(
    "/bookings/{token}/verify",
    url_name="booking_verify",
    response=responses({200: VerifiedOut}, 404, 410, 429),
)
def booking_verify(request: HttpRequest, token: str, payload: CodeIn) -> Any:
    """Confirm a pending booking with the code from the email. A wrong code answers 422 with
    the tries left; an expired code or the third wrong one answers 410 (the time is released)."""
    found = _booking(request, token)
    if not isinstance(found, Booking):
        return found
    code = verification.normalize(payload.code)
    if code is None:
        return Status(422, {"detail": CODE_MESSAGE, "errors": {"code": [CODE_MESSAGE]}})
    try:
        booking = services.booking_verify(booking=found, code=code)
    except services.WrongCode as exc:
        return Status(422, {"detail": exc.message, "errors": {"code": [exc.message]}})
    except BookingError as exc:
        return Status(410, {"detail": exc.message})
    zone = ZoneInfo(booking.timezone)
    return {
        "id": booking.pk,
        "status": booking.status,
        "start": booking.start.astimezone(zone).isoformat(),
        "end": booking.end.astimezone(zone).isoformat(),
        "timezone": booking.timezone,
        "reschedule_url": booking.reschedule_url,
        "cancel_url": booking.cancel_url,
    }


@router.post(
    "/bookings/{token}/resend-code",
    response=responses({200: ResentOut}, 404, 410, 429),
)
def booking_resend_code(request: HttpRequest, token: str) -> Any:
    """Email a new code with a fresh 15-minute expiry (at most one a minute, six per booking)."""
    found = _booking(request, token)
    if not isinstance(found, Booking):
        return found
    try:
        booking = services.booking_resend_code(booking=found)
    except services.ResendRefused as exc:
        return Status(429, {"detail": exc.message})
    except BookingError as exc:
        return Status(410, {"detail": exc.message})
    assert booking.verification_expires_at is not None
    return {
        "detail": f"A new code is on its way to {booking.email}.",
        "expires_at": booking.verification_expires_at.isoformat(),
    }
