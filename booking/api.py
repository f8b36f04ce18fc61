"""The public booking flow as JSON, for the embed widget and integrators."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.timezone import now as tz_now
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from availability import engine
from booking import routing, selectors, services
from booking.answers import link_questions
from booking.api_verify import verify_url
from booking.forms import BookingRequestForm
from booking.models import Booking, BookingLink
from booking.questions import Kind, Question
from workestra.api_errors import responses
from workestra.inputs import DATE_RANGE_MESSAGE, date_in_range
from workestra.lib import ratelimit
from workestra.timezones import is_valid_timezone

router = Router(tags=["public booking"])
MAX_RANGE_DAYS = 62

FirstDay = Annotated[date, Query(description="The first local day to list.", example="2026-11-23")]
LastDay = Annotated[
    date,
    Query(
        description=f"The last local day, at most {MAX_RANGE_DAYS} days after the first.",
        example="2026-11-29",
    ),
]
TimeZone = Annotated[
    str, Query(description="The IANA time zone of the days and times.", example="Europe/Berlin")
]


class SlotOut(Schema):
    start: str
    end: str
    seats_left: int | None = None  # group links only


class SlotsOut(Schema):
    timezone: str
    duration: int
    slots: dict[str, list[SlotOut]]


class QuestionOut(Schema):
    id: int
    key: str = Field(description="The answer's name: in `answers`, and `a<id>` in page URLs.")
    kind: str = Field(description=", ".join(Kind.values))
    label: str
    help_text: str
    required: bool
    options: list[str] | None = Field(None, description="Dropdown, radio and checkboxes.")
    min: int | None = Field(None, description="A number's least value, or a text's least length.")
    max: int | None = Field(None, description="A number's most value, or a text's most length.")
    max_bytes: int | None = Field(None, description="File questions only.")
    allowed_types: list[str] | None = Field(None, description="File questions only.")


class LinkOut(Schema):
    slug: str
    title: str
    description: str
    duration: int
    durations: list[int]
    timezone: str
    questions: list[QuestionOut] = Field(
        description="Asked before booking, in order. Answer them in the booking's `answers` by "
        "key; checkboxes take a list of options. File questions are answered on the link's page."
    )


class BookingIn(Schema):
    start: str = Field(
        description="One of the offered starts, with its UTC offset.",
        json_schema_extra={"format": "date-time"},
    )
    duration: int | None = Field(None, description="Minutes; the link's default when left out.")
    timezone: str = Field(max_length=64, description="The attendee's IANA time zone.")
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, json_schema_extra={"format": "email"})
    phone: str | None = Field(None, max_length=32, description="Only if the link asks for one.")
    guests: list[str] | None = Field(None, description="Only if the link allows guests.")
    answers: dict[str, Any] | None = Field(
        None, description="Answers to the link's questions by key (`a<id>`), see the link."
    )
    utm: dict[str, Any] | None = None
    rr: str | None = Field(
        None,
        max_length=300,
        description="The routing ticket a routing form put in the booking page's address "
        "(?rr=…): the booking is recorded on that response and may prefer the visitor's CRM "
        "owner as host. A ticket that is not genuine or is for another link is ignored.",
    )
    location: str | None = Field(
        None,
        max_length=20,
        description="Where to meet, one of the link's location kinds (required when it offers "
        "several): in_person, phone_host, phone_attendee, link, google_meet, teams, zoom, webex, "
        "gotomeeting, jitsi.",
    )
    single_use: str | None = Field(
        None,
        max_length=32,
        description="The token of a single-use link (/single-use/<token>) for this link: "
        "checked and used up with the booking.",
    )

    model_config = {
        "json_schema_extra": {
            "example": {
                "start": "2026-11-23T10:00:00+01:00",
                "timezone": "Europe/Berlin",
                "name": "Alice Example",
                "email": "alice@example.com",
            }
        }
    }


class BookingOut(Schema):
    id: int
    status: str
    start: str
    end: str
    timezone: str
    reschedule_url: str
    cancel_url: str
    # Only while the booking waits for the emailed code: POST {"code": …} there to confirm.
    verify_url: str | None = None
    checkout_url: str | None = None  # a paid link: where the attendee pays (pending_payment)


def _live_link(slug: str) -> BookingLink:
    link = selectors.link_get_public(slug)
    if link is None:
        raise HttpError(404, gettext("No booking link with this slug."))
    if not link.is_active:
        raise HttpError(410, gettext("This link is no longer active."))
    return link


@router.get("/links/{slug}", response=responses({200: LinkOut}, 404, 410), exclude_none=True)
def link_detail(request: HttpRequest, slug: str) -> Any:
    """What the link's page shows before the times: its title, lengths and questions."""
    link = _live_link(slug)
    return {
        "slug": link.slug,
        "title": link.title,
        "description": link.description,
        "duration": link.duration,
        "durations": list(link.duration_choices),
        "timezone": link.timezone,
        "questions": [_question_out(q) for q in link_questions(link.questions)],
    }


def _question_out(question: Question) -> dict[str, Any]:
    out = question.to_dict() | {"key": question.key}
    if question.kind == Kind.FILE:
        out |= {"max_bytes": question.file_limit, "allowed_types": list(question.file_types)}
    return out


@router.get(
    "/links/{slug}/slots",
    response=responses({200: SlotsOut}, 404, 410),
    exclude_none=True,
)
def link_slots(
    request: HttpRequest,
    slug: str,
    start: FirstDay,
    end: LastDay,
    timezone: TimeZone,
    duration: int | None = None,
) -> Any:
    """Open slots per local day; a group link's slots also say how many seats are left."""
    link = _live_link(slug)
    query = slots_query(link, start=start, end=end, timezone=timezone, duration=duration)
    if isinstance(query, str):
        return Status(400, {"detail": query})
    found = selectors.link_availability(
        link,
        start=query.start,
        end=query.end,
        now=tz_now(),
        duration=query.duration,
        cached=True,
    )
    if found.seats is None:
        return query.listing(found)
    return query.listing(found, slot_extra=lambda ts: {"seats_left": found.seats_left(ts)})


@dataclass(frozen=True)
class SlotsQuery:
    """A validated slots request: local days in a zone, as a UTC range."""

    zone: ZoneInfo
    duration: int
    start: datetime
    end: datetime

    def listing(
        self,
        found: engine.Availability,
        *,
        slot_extra: Callable[[int], dict[str, Any]] | None = None,
    ) -> HttpResponse:
        """The slots as the JSON of ``SlotsOut``, written straight out: validating every slot
        through the schema cost a third of a month's request (the schema stays the contract,
        held by the schema conformance tests)."""
        slots: dict[str, list[dict[str, Any]]] = {}
        step = self.duration * 60
        for ts in found.offered_starts():
            local = engine.from_epoch(ts).astimezone(self.zone)
            end = engine.from_epoch(ts + step).astimezone(self.zone)
            slot = {"start": local.isoformat(), "end": end.isoformat()}
            if slot_extra is not None:
                slot |= {k: v for k, v in slot_extra(ts).items() if v is not None}
            slots.setdefault(local.date().isoformat(), []).append(slot)
        body = {"timezone": self.zone.key, "duration": self.duration, "slots": slots}
        return HttpResponse(
            json.dumps(body, separators=(",", ":")), content_type="application/json; charset=utf-8"
        )


def slots_query(
    link: BookingLink, *, start: date, end: date, timezone: str, duration: int | None
) -> SlotsQuery | str:
    """The request's range and duration, or what is wrong with them."""
    if not is_valid_timezone(timezone):
        return f"Unknown time zone {timezone[:64]!r}; use an IANA name such as Europe/Berlin."
    if not (date_in_range(start) and date_in_range(end)):
        return DATE_RANGE_MESSAGE
    if end < start:
        return "end must be on or after start."
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return f"Ask for at most {MAX_RANGE_DAYS} days at a time."
    duration = duration or link.duration
    if duration not in link.duration_choices:
        offered = ", ".join(str(d) for d in link.duration_choices)
        return f"duration must be one of: {offered}."
    zone = ZoneInfo(timezone)
    return SlotsQuery(
        zone=zone,
        duration=duration,
        start=engine.from_epoch(engine.local_midnight_epoch(start, zone)),
        end=engine.from_epoch(engine.local_midnight_epoch(end + timedelta(days=1), zone)),
    )


@router.post(
    "/links/{slug}/bookings",
    response=responses({201: BookingOut}, 404, 409, 410, 429),
    exclude_none=True,
)
def link_book(request: HttpRequest, slug: str, payload: BookingIn) -> Any:
    link = _live_link(slug)
    if not ratelimit.hit(
        "book", ratelimit.client_ip(request), limit=settings.RATELIMIT_BOOKINGS_PER_MINUTE
    ):
        return Status(
            429, {"detail": gettext("Too many attempts. Please wait a minute and try again.")}
        )
    data = payload.dict()
    data["guests"] = "\n".join(payload.guests or [])
    questions = link_questions(link.questions)
    # The link's questions are fields of the form, answered by key in ``answers``.
    answers = payload.answers or {}
    asked = {q.key: answers[q.key] for q in questions if answers.get(q.key) is not None}
    form = BookingRequestForm(
        {k: v for k, v in data.items() if v is not None} | asked,
        link=link,
        answers=answers,
        utm=payload.utm,
    )
    form.is_valid()
    _reject_unexpected(link, payload, form)
    _refuse_files(link, questions, answers, form)
    if form.errors:
        return Status(
            422,
            {
                "detail": gettext("Some fields are not valid."),
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
        answers=cleaned["answers"],
        answer_labels=cleaned["answer_labels"],
        utm=cleaned["utm"],
        location=cleaned.get("location", ""),
    )
    try:
        booking = services.booking_create(
            link=link,
            start=cleaned["start"],
            attendee=attendee,
            duration=cleaned["duration"],
            single_use_token=payload.single_use or "",
            ticket=routing.ticket_read(payload.rr or "", link_id=link.pk),
        )
    except services.SlotTaken as exc:
        return Status(409, {"detail": exc.message})
    except services.BookingError as exc:
        return Status(422, {"detail": exc.message, "errors": {exc.field: [exc.message]}})
    checkout = None
    if booking.status == Booking.Status.PENDING_PAYMENT:
        from booking.views.checkout import checkout_url

        try:
            checkout = checkout_url(booking)
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
            "verify_url": (
                verify_url(booking)
                if booking.status == Booking.Status.PENDING_VERIFICATION
                else None
            ),
            "checkout_url": checkout,
        },
    )


def _refuse_files(
    link: BookingLink, questions: list[Question], answers: dict[str, Any], form: BookingRequestForm
) -> None:
    """Files are uploaded on the link's page only: a required file question, or any answer
    to a file question, is refused here with where to go instead."""
    for question in questions:
        if question.kind == Kind.FILE and (question.required or question.key in answers):
            form.errors.pop(question.key, None)
            form.add_error(
                question.key,
                gettext("This link asks for a file; book on its page: %(url)s")
                % {"url": link.public_url},
            )


def _reject_unexpected(link: BookingLink, payload: BookingIn, form: BookingRequestForm) -> None:
    """Fields the link does not take are errors, not silently dropped data."""
    if payload.guests and "guests" not in form.fields:
        form.add_error(None, "This link does not allow guests.")
    if payload.phone and "phone" not in form.fields:
        form.add_error(None, "This link does not ask for a phone number.")
    if payload.location and "location" not in form.fields:
        form.add_error(None, "This link has no locations to choose from.")
