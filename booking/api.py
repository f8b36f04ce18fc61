"""The public booking flow as JSON, for the embed widget and integrators."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.utils.timezone import now as tz_now
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from availability import engine
from booking import ratelimit, selectors, services
from booking.forms import BookingRequestForm, clean_answers, clean_utm
from booking.models import BookingLink
from workestra.timezones import is_valid_timezone

router = Router(tags=["public booking"])
MAX_RANGE_DAYS = 62


class SlotOut(Schema):
    start: str
    end: str


class SlotsOut(Schema):
    timezone: str
    duration: int
    slots: dict[str, list[SlotOut]]


class Error(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


class BookingIn(Schema):
    start: str | None = None
    duration: int | None = None
    timezone: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    guests: list[str] | None = None
    answers: dict[str, Any] | None = None
    utm: dict[str, Any] | None = None


class BookingOut(Schema):
    id: int
    status: str
    start: str
    end: str
    timezone: str
    reschedule_url: str
    cancel_url: str


def _live_link(slug: str) -> BookingLink:
    link = selectors.link_get_public(slug)
    if link is None:
        raise HttpError(404, "No booking link with this slug.")
    if not link.is_active:
        raise HttpError(410, "This link is no longer active.")
    return link


@router.get("/links/{slug}/slots", response={200: SlotsOut, 400: Error, 404: Error, 410: Error})
def link_slots(
    request: HttpRequest,
    slug: str,
    start: date,
    end: date,
    timezone: str,
    duration: int | None = None,
) -> Any:
    link = _live_link(slug)
    if not is_valid_timezone(timezone):
        return Status(
            400,
            {
                "detail": f"Unknown time zone {timezone[:64]!r}; use an IANA name "
                "such as Europe/Berlin."
            },
        )
    if end < start:
        return Status(400, {"detail": "end must be on or after start."})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return Status(400, {"detail": f"Ask for at most {MAX_RANGE_DAYS} days at a time."})
    duration = duration or link.duration
    if duration not in link.duration_choices:
        offered = ", ".join(str(d) for d in link.duration_choices)
        return Status(400, {"detail": f"duration must be one of: {offered}."})
    zone = ZoneInfo(timezone)
    range_start = engine.from_epoch(engine.local_midnight_epoch(start, zone))
    range_end = engine.from_epoch(engine.local_midnight_epoch(end + timedelta(days=1), zone))
    found = selectors.link_availability(
        link, start=range_start, end=range_end, now=tz_now(), duration=duration
    )
    slots: dict[str, list[dict[str, str]]] = {}
    step = timedelta(minutes=duration)
    for ts in found.offered_starts():
        local = engine.from_epoch(ts).astimezone(zone)
        slots.setdefault(local.date().isoformat(), []).append(
            {"start": local.isoformat(), "end": (local + step).astimezone(zone).isoformat()}
        )
    return {"timezone": timezone, "duration": duration, "slots": slots}


@router.post(
    "/links/{slug}/bookings",
    response={
        201: BookingOut,
        400: Error,
        404: Error,
        409: Error,
        410: Error,
        422: FieldErrors,
        429: Error,
    },
)
def link_book(request: HttpRequest, slug: str, payload: BookingIn) -> Any:
    link = _live_link(slug)
    if not ratelimit.hit(
        "book", ratelimit.client_ip(request), limit=settings.RATELIMIT_BOOKINGS_PER_MINUTE
    ):
        return Status(429, {"detail": "Too many attempts. Please wait a minute and try again."})
    data = payload.dict()
    data["guests"] = "\n".join(payload.guests or [])
    form = BookingRequestForm({k: v for k, v in data.items() if v is not None}, link=link)
    form.is_valid()
    _reject_unexpected(link, payload, form)
    if form.errors:
        return Status(
            422,
            {
                "detail": "Some fields are not valid.",
                "errors": {k: [str(m) for m in v] for k, v in form.errors.items()},
            },
        )
    cleaned = form.cleaned_data
    attendee = services.Attendee(
        name=cleaned["name"],
        email=cleaned["email"],
        timezone=cleaned["timezone"],
        phone=cleaned.get("phone", ""),
        guests=tuple(cleaned.get("guests", [])),
        answers=clean_answers(payload.answers or {}),
        utm=clean_utm(payload.utm or {}),
    )
    try:
        booking = services.booking_create(
            link=link, start=cleaned["start"], attendee=attendee, duration=cleaned["duration"]
        )
    except services.SlotTaken as exc:
        return Status(409, {"detail": exc.message})
    except services.BookingError as exc:
        return Status(422, {"detail": exc.message, "errors": {exc.field: [exc.message]}})
    zone = ZoneInfo(booking.timezone)
    return Status(
        201,
        {
            "id": booking.pk,
            "status": booking.status,
            "start": booking.start.astimezone(zone).isoformat(),
            "end": booking.end.astimezone(zone).isoformat(),
            "timezone": booking.timezone,
            "reschedule_url": booking.reschedule_url,
            "cancel_url": booking.cancel_url,
        },
    )


def _reject_unexpected(link: BookingLink, payload: BookingIn, form: BookingRequestForm) -> None:
    """Fields the link does not take are errors, not silently dropped data."""
    if payload.guests and "guests" not in form.fields:
        form.add_error(None, "This link does not allow guests.")
    if payload.phone and "phone" not in form.fields:
        form.add_error(None, "This link does not ask for a phone number.")
