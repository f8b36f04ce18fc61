"""Edits of a routing form: the form itself, its questions and its rules (with the fallback).

Every function checks what it is given and raises :class:`RoutingError` with a message for the
host (in English, like every host page); nothing is stored then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from booking import routing
from booking.models import BookingLink, Destination, RoutingForm, RoutingRule
from booking.questions import Kind, Question, parse_questions
from booking.services.routing import RoutingError, default_message, form_questions
from workestra.models import User, Workspace

MAX_MESSAGE = 2000
_http_url = URLValidator(schemes=["http", "https"])


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


def _store_questions(form: RoutingForm, questions: list[Question]) -> None:
    if any(q.kind == Kind.FILE for q in questions):
        raise RoutingError("Routing forms can't ask for file uploads.")
    stored = [q.to_dict() for q in questions]
    try:
        parse_questions(stored)
    except ValidationError as exc:
        raise RoutingError(" ".join(exc.messages)) from exc
    form.questions = stored
    form.next_question_id = max(form.next_question_id, *(q.id + 1 for q in questions), 1)
    form.save(update_fields=["questions", "next_question_id", "updated_at"])


def routing_question_save(
    *, form: RoutingForm, question: Question, new: bool = False
) -> RoutingForm:
    """Replace the question with ``question.id``, or with ``new`` add it at the end under the
    form's next id (given under the row lock, so two hosts adding at once get two ids)."""
    with transaction.atomic():
        form = RoutingForm.objects.select_for_update().get(pk=form.pk)
        questions = form_questions(form)
        ids = [q.id for q in questions]
        if new:
            questions.append(replace(question, id=form.next_question_id))
        elif question.id in ids:
            questions[ids.index(question.id)] = question
        elif question.id < form.next_question_id:
            raise RoutingError("That question was removed; add it again.")
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
                    f"“{rule.label or 'A rule'}” uses this question: change that rule first."
                )
        questions = form_questions(form)
        gone = [q.to_dict() for q in questions if q.id == question_id]
        if gone:
            form.removed_questions = [*form.removed_questions, *gone]
            form.save(update_fields=["removed_questions"])
        _store_questions(form, [q for q in questions if q.id != question_id])
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
            raise RoutingError("Choose one of this workspace's booking links.")
        return Route(Destination.LINK, link=link)
    if route.destination == Destination.URL:
        url = route.url.strip()
        try:
            _http_url(url)
        except ValidationError:
            raise RoutingError(
                "Enter a full web address starting with https:// or http://."
            ) from None
        return Route(Destination.URL, url=url)
    if route.destination == Destination.MESSAGE:
        message = route.message.strip()
        if not message or len(message) > MAX_MESSAGE:
            raise RoutingError(f"Write the message to show (at most {MAX_MESSAGE} characters).")
        return Route(Destination.MESSAGE, message=message)
    raise RoutingError("Choose where to send the visitor.")


def check_conditions(form: RoutingForm, conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions in their stored shape, or ``RoutingError`` for one that can never work."""
    ids = {q.id for q in form_questions(form)}
    if not conditions:
        raise RoutingError("Add at least one condition.")
    if len(conditions) > routing.MAX_CONDITIONS:
        raise RoutingError(f"A rule has at most {routing.MAX_CONDITIONS} conditions.")
    for condition in conditions:
        if condition.get("question") not in ids:
            raise RoutingError("Each condition needs one of the form's questions.")
        if condition.get("op") not in routing.OPERATORS:
            raise RoutingError("Each condition needs an operator.")
        _check_value(condition)
    return conditions


def _check_value(condition: dict[str, Any]) -> None:
    op = condition["op"]
    if op in (routing.EQUALS, routing.CONTAINS) and not str(condition.get("value", "")).strip():
        raise RoutingError("Enter the value the answer is compared with.")
    if op == routing.ONE_OF and not condition.get("values"):
        raise RoutingError("List the values, one per line.")
    if op == routing.BETWEEN:
        given = [v for v in (condition.get("min"), condition.get("max")) if v not in (None, "")]
        bounds = [b for b in map(routing.number, given) if b is not None]
        if not given or len(bounds) != len(given):
            raise RoutingError("Enter a number for the lowest, the highest or both.")
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            raise RoutingError("The lowest number must not be above the highest.")


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
                raise RoutingError(f"A form has at most {routing.MAX_RULES} rules.")
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
        raise RoutingError("The fallback route can be changed but not removed.")
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
