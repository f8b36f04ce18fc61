"""The locations part of the link settings form: one checkbox per kind, with the address, number
or link the kinds that need one take. Works without JavaScript (every row is always there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from django import forms

from booking.locations import DETAIL_LABELS, Kind, link_locations
from booking.models import BookingLink
from workestra.inputs import text_problem

MAX_DETAIL = 500


@dataclass
class LocationRow:
    offered: forms.BoundField
    detail: forms.BoundField | None


def add_location_fields(form: forms.BaseForm, link: BookingLink) -> None:
    current = {loc.kind: loc.detail for loc in link_locations(link.locations)}
    for kind in Kind:
        form.fields[f"loc_{kind.value}"] = forms.BooleanField(
            required=False, label=kind.label, initial=kind.value in current
        )
        if kind in DETAIL_LABELS:
            form.fields[f"loc_{kind.value}_detail"] = forms.CharField(
                required=False,
                max_length=MAX_DETAIL,
                label=f"{kind.label}: {DETAIL_LABELS[kind].lower()}",
                initial=current.get(kind.value, ""),
            )


def location_rows(form: forms.BaseForm) -> list[LocationRow]:
    return [
        LocationRow(
            form[f"loc_{kind.value}"],
            form[f"loc_{kind.value}_detail"] if kind in DETAIL_LABELS else None,
        )
        for kind in Kind
    ]


def clean_locations(form: forms.BaseForm, data: dict[str, Any]) -> list[dict[str, str]]:
    """The offered locations, in the listed order; a kind that needs a detail and lacks a good
    one is an error on that field."""
    chosen: list[dict[str, str]] = []
    for kind in Kind:
        if not data.get(f"loc_{kind.value}"):
            continue
        detail = " ".join(str(data.get(f"loc_{kind.value}_detail") or "").split())
        if kind in DETAIL_LABELS:
            problem = _detail_problem(kind, detail)
            if problem:
                form.add_error(f"loc_{kind.value}_detail", problem)
                continue
            if kind == Kind.PHONE_ATTENDEE:
                detail = _e164(detail)
        chosen.append({"kind": kind.value, "detail": detail})
    return chosen


def _detail_problem(kind: Kind, detail: str) -> str:
    if not detail:
        return f"Enter the {DETAIL_LABELS[kind].lower()} attendees will see."
    problem = text_problem(detail)
    if problem:
        return problem
    if kind == Kind.LINK:
        parts = urlsplit(detail)
        if parts.scheme != "https" or not parts.netloc:
            return "Enter a full meeting link starting with https://."
    if kind == Kind.PHONE_ATTENDEE and not _e164(detail):
        return "Enter the number with its country code, e.g. +1 415 555 0100."
    return ""


def _e164(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
