"""Routing form responses as CSV and as rows of the responses page: one line per submission,
a column per question label (forms that ask the same question share its column)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from booking.bookings_csv import _Echo, safe
from booking.models import Destination, RoutingForm, RoutingResponse
from booking.services.routing import form_questions


def labels_by_id(form: RoutingForm) -> dict[str, str]:
    """Each question's column label by id: the form's questions, then the removed ones (marked,
    so old answers keep a column of their own)."""
    labels = {str(q.id): q.label for q in form_questions(form)}
    for removed in form.removed_questions:
        if isinstance(removed, dict) and str(removed.get("id")) not in labels:
            labels[str(removed.get("id"))] = f"{removed.get('label', '')} (removed)"
    return labels


def columns(forms: Iterable[RoutingForm]) -> list[str]:
    """The question labels of ``forms``, in order, each once (forms asking the same question
    share its column)."""
    labels: list[str] = []
    for form in forms:
        for label in labels_by_id(form).values():
            if label not in labels:
                labels.append(label)
    return labels


def destination_text(response: RoutingResponse) -> str:
    if response.destination == Destination.LINK:
        return response.link.title if response.link else response.target
    if response.destination == Destination.MESSAGE:
        return f"Message: {response.target}"
    return response.target


def owner_text(response: RoutingResponse) -> str:
    if not response.owner_outcome:
        return ""
    parts = [response.get_owner_outcome_display()]
    if response.owner_provider:
        parts[0] += f" ({response.owner_provider})"
    if response.owner_email:
        parts.append(response.owner_email)
    if response.owner_detail:
        parts.append(response.owner_detail)
    return " · ".join(parts)


def booking_text(response: RoutingResponse, zone: ZoneInfo) -> str:
    booking = response.booking
    if booking is None:
        return ""
    local = booking.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return f"{local} ({booking.get_status_display()})"


@dataclass
class Row:
    response: RoutingResponse
    submitted: str
    answers: list[str]
    destination: str
    owner: str
    booking: str


def rows(responses: Iterable[RoutingResponse], labels: list[str], *, zone: str) -> Iterator[Row]:
    tz = ZoneInfo(zone)
    by_form: dict[int, dict[str, str]] = {}
    for response in responses:
        if response.form_id not in by_form:
            by_form[response.form_id] = {
                label: key for key, label in labels_by_id(response.form).items()
            }
        ids = by_form[response.form_id]
        answers = [
            str(response.answers.get(ids[label], "")) if label in ids else "" for label in labels
        ]
        yield Row(
            response=response,
            submitted=response.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            answers=answers,
            destination=destination_text(response),
            owner=owner_text(response),
            booking=booking_text(response, tz),
        )


def lines(responses: Iterable[RoutingResponse], labels: list[str], *, zone: str) -> Iterator[str]:
    """The header, then one CSV line per response; cells a spreadsheet would run are text."""
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            "Submitted at",
            "Form",
            "Name",
            "Email",
            *labels,
            "Route",
            "Destination",
            "Owner lookup",
            "Booking",
        ]
    )
    for row in rows(responses, labels, zone=zone):
        r = row.response
        cells = [
            row.submitted,
            r.form.name,
            r.name,
            r.email,
            *row.answers,
            r.route_label,
            row.destination,
            row.owner,
            row.booking,
        ]
        yield writer.writerow([safe(cell) for cell in cells])
