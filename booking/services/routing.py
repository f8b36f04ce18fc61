"""Writes of routing forms: the form, its questions and rules, and each visitor's submission.

A submission is routed by the first rule that holds (else the fallback), stored, and answered
with where to send the visitor. For a round-robin link the workspace's CRM is asked, briefly,
who owns the visitor's email; when that owner hosts the link, the signed ticket the visitor
carries to the booking page prefers them (booking_create honours it only when they are free).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
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
from booking.questions import Kind, Question, parse_questions
from integrations import owner_lookup
from workestra.models import User, Workspace

OWNER_LOOKUP_SECONDS = 2.0
MAX_MESSAGE = 2000
_http_url = URLValidator(schemes=["http", "https"])


class RoutingError(Exception):
    """A change to a routing form that cannot be stored; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def default_message() -> str:
    return gettext("Thanks! We have your answers and will be in touch.")


def routing_form_create(*, workspace: Workspace, owner: User, name: str) -> RoutingForm:
    """A new form with no questions, routing everyone to a thank-you message until rules exist."""
    with transaction.atomic():
        form = RoutingForm.objects.create(workspace=workspace, owner=owner, name=name.strip())
        RoutingRule.objects.create(
            form=form,
            is_fallback=True,
            destination=Destination.MESSAGE,
            message=default_message(),
        )
    return form


def routing_form_update(
    *, form: RoutingForm, name: str, description: str, is_active: bool
) -> RoutingForm:
    form.name, form.description, form.is_active = name.strip(), description.strip(), is_active
    form.save(update_fields=["name", "description", "is_active", "updated_at"])
    return form


def routing_form_delete(*, form: RoutingForm) -> None:
    form.delete()


def form_questions(form: RoutingForm) -> list[Question]:
    """The stored questions; rows a newer version could not read are left out, never a 500."""
    try:
        return parse_questions(form.questions)
    except ValidationError:
        return []


def _store_questions(form: RoutingForm, questions: list[Question]) -> None:
    if any(q.kind == Kind.FILE for q in questions):
        raise RoutingError(gettext("Routing forms can't ask for file uploads."))
    stored = [q.to_dict() for q in questions]
    try:
        parse_questions(stored)
    except ValidationError as exc:
        raise RoutingError(" ".join(exc.messages)) from exc
    form.questions = stored
    form.next_question_id = max(form.next_question_id, *(q.id + 1 for q in questions), 1)
    form.save(update_fields=["questions", "next_question_id", "updated_at"])


def routing_question_save(*, form: RoutingForm, question: Question) -> RoutingForm:
    """Replace the question with ``question.id``, or add it at the end."""
    with transaction.atomic():
        form = RoutingForm.objects.select_for_update().get(pk=form.pk)
        questions = form_questions(form)
        ids = [q.id for q in questions]
        if question.id in ids:
            questions[ids.index(question.id)] = question
        elif question.id < form.next_question_id:
            raise RoutingError(gettext("That question was removed; add it again."))
        else:
            questions.append(question)
        _store_questions(form, questions)
    return form


def routing_question_remove(*, form: RoutingForm, question_id: int) -> RoutingForm:
    """Remove a question no rule uses (a rule on a missing question could never hold)."""
    with transaction.atomic():
        form = RoutingForm.objects.select_for_update().get(pk=form.pk)
        for rule in form.rules.all():
            if any(c.get("question") == question_id for c in rule.conditions):
                raise RoutingError(
                    gettext("“%(rule)s” uses this question: change that rule first.")
                    % {"rule": rule.label or gettext("A rule")}
                )
        _store_questions(form, [q for q in form_questions(form) if q.id != question_id])
    return form


def routing_question_move(*, form: RoutingForm, question_id: int, up: bool) -> RoutingForm:
    with transaction.atomic():
        form = RoutingForm.objects.select_for_update().get(pk=form.pk)
        questions = form_questions(form)
        ids = [q.id for q in questions]
        if question_id in ids:
            index = ids.index(question_id)
            other = index - 1 if up else index + 1
            if 0 <= other < len(questions):
                questions[index], questions[other] = questions[other], questions[index]
                _store_questions(form, questions)
    return form


@dataclass(frozen=True)
class Route:
    """Where one rule sends a visitor."""

    destination: str
    link: BookingLink | None = None
    message: str = ""
    url: str = ""


def check_route(form: RoutingForm, route: Route) -> Route:
    """``route`` if its destination can be used by this form, else ``RoutingError``."""
    if route.destination == Destination.LINK:
        link = route.link
        if link is None or link.workspace_id != form.workspace_id or link.deleted_at is not None:
            raise RoutingError(gettext("Choose one of this workspace's booking links."))
        return Route(Destination.LINK, link=link)
    if route.destination == Destination.URL:
        url = route.url.strip()
        try:
            _http_url(url)
        except ValidationError:
            raise RoutingError(
                gettext("Enter a full web address starting with https:// or http://.")
            ) from None
        return Route(Destination.URL, url=url)
    if route.destination == Destination.MESSAGE:
        message = route.message.strip()
        if not message or len(message) > MAX_MESSAGE:
            raise RoutingError(
                gettext("Write the message to show (at most %(max)s characters).")
                % {"max": MAX_MESSAGE}
            )
        return Route(Destination.MESSAGE, message=message)
    raise RoutingError(gettext("Choose where to send the visitor."))


def check_conditions(form: RoutingForm, conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions in their stored shape, or ``RoutingError`` for one that can never work."""
    ids = {q.id for q in form_questions(form)}
    if not conditions:
        raise RoutingError(gettext("Add at least one condition."))
    if len(conditions) > routing.MAX_CONDITIONS:
        raise RoutingError(
            gettext("A rule has at most %(max)s conditions.") % {"max": routing.MAX_CONDITIONS}
        )
    for condition in conditions:
        if condition.get("question") not in ids:
            raise RoutingError(gettext("Each condition needs one of the form's questions."))
        if condition.get("op") not in routing.OPERATORS:
            raise RoutingError(gettext("Each condition needs an operator."))
        _check_value(condition)
    return conditions


def _check_value(condition: dict[str, Any]) -> None:
    op = condition["op"]
    if op in (routing.EQUALS, routing.CONTAINS) and not str(condition.get("value", "")).strip():
        raise RoutingError(gettext("Enter the value the answer is compared with."))
    if op == routing.ONE_OF and not condition.get("values"):
        raise RoutingError(gettext("List the values, one per line."))
    if op == routing.BETWEEN:
        low, high = condition.get("min"), condition.get("max")
        bounds = [routing.number(v) for v in (low, high) if v not in (None, "")]
        if not bounds or None in bounds or len(bounds) != len([v for v in (low, high) if v]):
            raise RoutingError(gettext("Enter a number for the lowest, the highest or both."))
        if len(bounds) == 2 and bounds[0] > bounds[1]:  # type: ignore[operator]
            raise RoutingError(gettext("The lowest number must not be above the highest."))


def routing_rule_save(
    *,
    form: RoutingForm,
    rule: RoutingRule | None,
    label: str,
    conditions: list[dict[str, Any]],
    route: Route,
) -> RoutingRule:
    """Add a rule at the end (``rule`` None) or change one; the fallback takes no conditions."""
    checked = check_route(form, route)
    fallback = rule is not None and rule.is_fallback
    conditions = [] if fallback else check_conditions(form, conditions)
    with transaction.atomic():
        if rule is None:
            last = form.rules.filter(is_fallback=False).aggregate(m=Max("position"))["m"]
            if form.rules.filter(is_fallback=False).count() >= routing.MAX_RULES:
                raise RoutingError(
                    gettext("A form has at most %(max)s rules.") % {"max": routing.MAX_RULES}
                )
            rule = RoutingRule(form=form, position=0 if last is None else last + 1)
        rule.label = label.strip()[:200]
        rule.conditions = conditions
        rule.destination = checked.destination
        rule.link = checked.link
        rule.message = checked.message
        rule.url = checked.url
        rule.save()
        RoutingForm.objects.filter(pk=form.pk).update(updated_at=timezone.now())
    return rule


def routing_rule_delete(*, rule: RoutingRule) -> None:
    if rule.is_fallback:
        raise RoutingError(gettext("The fallback route can be changed but not removed."))
    rule.delete()


def routing_rule_move(*, rule: RoutingRule, up: bool) -> None:
    """Swap the rule with its neighbour: rules are tried in order."""
    if rule.is_fallback:
        return
    with transaction.atomic():
        rules = list(
            RoutingRule.objects.select_for_update()
            .filter(form_id=rule.form_id, is_fallback=False)
            .order_by("position", "pk")
        )
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(rules):
            return
        rules[index], rules[other] = rules[other], rules[index]
        for position, row in enumerate(rules):
            if row.position != position:
                RoutingRule.objects.filter(pk=row.pk).update(position=position)
    RoutingForm.objects.filter(pk=rule.form_id).update(updated_at=timezone.now())


# --- A visitor's submission ----------------------------------------------------------------------


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
    form: RoutingForm, rules: list[RoutingRule], answers: dict[str, routing.Answer]
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
    rule = routing_route(form, rules, answers)
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
        response.route_label = gettext("Fallback (its link is unavailable)")
        response.target = default_message()
        response.save()
        return Routed(response, message=response.target)
    response.rule_position = None if rule.is_fallback else rule.position
    response.route_label = rule.label or (
        gettext("Fallback")
        if rule.is_fallback
        else gettext("Rule %(n)s") % {"n": _rank(rule, rules)}
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
    if link.kind == BookingLink.Kind.ROUND_ROBIN:
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
        note = gettext("The owner is not a host of this link; the rotation decides.")
        response.owner_detail = f"{response.owner_detail} {note}".strip()[:300]
    response.preferred_host_id = host


def destination_url(response: RoutingResponse, link: BookingLink, answers: dict[str, str]) -> str:
    """The booking page with the visitor's name, email and answers pre-filled (question id N
    becomes the link's ``aN``) and the signed ticket that ties the booking to this response."""
    params: dict[str, str] = {"name": response.name, "email": response.email}
    params.update({f"a{key}": value for key, value in answers.items() if value})
    ticket = routing.Ticket(response.pk, link.pk, response.preferred_host_id)
    params[routing.TICKET_PARAM] = routing.ticket_make(ticket)
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
