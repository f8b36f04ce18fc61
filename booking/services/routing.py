"""A visitor's submission to a routing form: routed by the first rule that holds (else the
fallback), stored, and answered with where to send them.

For a round-robin link the workspace's CRM is asked, briefly, who owns the visitor's email; when
that owner hosts the link, the signed ticket the visitor carries to the booking page prefers
them (``booking_create`` honours it only when they are free). The edits of a form are in
:mod:`booking.services.routing_edit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from booking import routing
from booking.models import (
    Booking,
    BookingLink,
    Destination,
    LinkHost,
    RoutingForm,
    RoutingResponse,
    RoutingRule,
)
from booking.questions import Question, parse_questions
from integrations import owner_lookup

OWNER_LOOKUP_SECONDS = 2.0
MAX_DESTINATION_URL = 3500  # characters of path and query


class RoutingError(Exception):
    """A change to a routing form that cannot be stored; ``message`` says why (to the host)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def default_message() -> str:
    return gettext("Thanks! We have your answers and will be in touch.")


def form_questions(form: RoutingForm) -> list[Question]:
    """The stored questions; rows a newer version could not read are left out, never a 500."""
    try:
        return parse_questions(form.questions)
    except ValidationError:
        return []


@dataclass(frozen=True)
class Routed:
    """Where a submission goes: ``redirect`` (a path or URL), or ``message`` to show."""

    response: RoutingResponse | None
    redirect: str = ""
    message: str = ""
    rule_id: int = 0  # the rule whose message it is (0: the default thanks)


def _usable(rule: RoutingRule) -> bool:
    if rule.destination != Destination.LINK:
        return True
    link = rule.link
    return link is not None and link.is_active and link.deleted_at is None


def routing_route(
    rules: list[RoutingRule], answers: dict[str, routing.Answer]
) -> RoutingRule | None:
    """The rule that takes these answers: the first that holds and leads somewhere live, else
    the fallback (``None`` when even the fallback leads to a paused or deleted link)."""
    ordered = [r for r in rules if not r.is_fallback]
    for rule in ordered:
        if routing.rule_holds(rule.conditions, answers) and _usable(rule):
            return rule
    fallback = next((r for r in rules if r.is_fallback), None)
    return fallback if fallback is not None and _usable(fallback) else None


def routing_submit(
    *,
    form: RoutingForm,
    name: str,
    email: str,
    answers: dict[str, routing.Answer],
    now: datetime | None = None,
) -> Routed:
    """Route and store one submission. ``answers`` are keyed by question id (checkboxes as
    lists). The CRM is asked before the row is written: it can take up to two seconds."""
    now = now or timezone.now()
    rules = list(form.rules.select_related("link"))
    rule = routing_route(rules, answers)
    stored = {k: ", ".join(v) if isinstance(v, list) else v for k, v in answers.items()}
    response = RoutingResponse(
        workspace_id=form.workspace_id,
        form=form,
        name=name,
        email=email,
        answers=stored,
        created_at=now,
    )
    if rule is None:
        response.destination = Destination.MESSAGE
        response.route_label = "Fallback (its link is unavailable)"
        response.target = default_message()
        response.save()
        return Routed(response, message=response.target)
    response.rule_position = None if rule.is_fallback else rule.position
    response.route_label = rule.label or (
        "Fallback" if rule.is_fallback else f"Rule {_rank(rule, rules)}"
    )
    response.destination = rule.destination
    if rule.destination == Destination.MESSAGE:
        response.target = rule.message
        response.save()
        return Routed(response, message=rule.message, rule_id=rule.pk)
    if rule.destination == Destination.URL:
        response.target = rule.url
        response.save()
        return Routed(response, redirect=rule.url)
    link = rule.link
    assert link is not None
    response.link = link
    response.target = link.public_path
    if link.kind == BookingLink.Kind.ROUND_ROBIN and owner_lookup.connected_providers(
        form.workspace_id
    ):
        _ask_owner(response, link)
    response.save()
    return Routed(response, redirect=destination_url(response, link, stored))


def _rank(rule: RoutingRule, rules: list[RoutingRule]) -> int:
    ordered = [r.pk for r in rules if not r.is_fallback]
    return ordered.index(rule.pk) + 1


def _ask_owner(response: RoutingResponse, link: BookingLink) -> None:
    found = owner_lookup.lookup_owner(
        response.workspace_id, response.email, budget_seconds=OWNER_LOOKUP_SECONDS
    )
    response.owner_outcome = found.outcome if found.outcome in RoutingResponse.Outcome else "error"
    response.owner_provider = found.provider[:20]
    response.owner_detail = found.detail[:300]
    if found.outcome != owner_lookup.FOUND or not found.owner_email:
        return
    response.owner_email = found.owner_email[:254]
    host = (
        LinkHost.objects.filter(
            link=link, always_attending=False, user__email__iexact=found.owner_email
        )
        .values_list("user_id", flat=True)
        .first()
    )
    if host is None:
        note = "The owner is not a host of this link; the rotation decides."
        response.owner_detail = f"{response.owner_detail} {note}".strip()[:300]
    response.preferred_host_id = host


def destination_url(response: RoutingResponse, link: BookingLink, answers: dict[str, str]) -> str:
    """The booking page with the visitor's name, email and answers pre-filled (question id N
    becomes the link's ``aN``) and the signed ticket that ties the booking to this response."""
    ticket = routing.Ticket(response.pk, link.pk, response.preferred_host_id)
    params = {
        "name": response.name,
        "email": response.email,
        routing.TICKET_PARAM: routing.ticket_make(ticket),
    }
    used = len(link.public_path) + len(urlencode(params)) + 1
    for key, value in answers.items():
        # Servers refuse very long request lines (gunicorn at 4094 bytes): an answer that would
        # not fit stays on the response only.
        part = len(urlencode({f"a{key}": value})) + 1
        if value and used + part <= MAX_DESTINATION_URL:
            params[f"a{key}"] = value
            used += part
    return f"{link.public_path}?{urlencode(params)}"


def routing_ticket_host(ticket: routing.Ticket | None, *, email: str) -> int | None:
    """The host a booking from ``ticket`` prefers: only for the visitor the owner was looked up
    for (same email), so a ticket passed on to someone else chooses no host."""
    if ticket is None or ticket.preferred_host_id is None:
        return None
    match = RoutingResponse.objects.filter(
        pk=ticket.response_id, link_id=ticket.link_id, email__iexact=email
    ).exists()
    return ticket.preferred_host_id if match else None


def routing_booking_attach(ticket: routing.Ticket | None, booking: Booking) -> None:
    """Record the booking on the response it came from (the first booking made from it)."""
    if ticket is None:
        return
    RoutingResponse.objects.filter(
        pk=ticket.response_id, link_id=booking.link_id, booking__isnull=True
    ).update(booking=booking)
