"""Routing rules on answers, and the signed ticket a routed visitor carries to the booking page.

A rule holds when all of its conditions hold (an empty rule never holds; the fallback needs
none). Each condition names a question by id and an operator:

- ``equals``: the answer is the value, ignoring case and surrounding spaces (for checkboxes: one
  of the ticked options is);
- ``contains``: the answer's text contains the value, ignoring case;
- ``one_of``: the answer (or a ticked option) is one of ``values``;
- ``between``: the answer is a number from ``min`` to ``max`` inclusive (either may be empty).

An unanswered question meets no condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing

EQUALS = "equals"
CONTAINS = "contains"
ONE_OF = "one_of"
BETWEEN = "between"
OPERATORS = {
    EQUALS: "equals",
    CONTAINS: "contains",
    ONE_OF: "is one of",
    BETWEEN: "is a number between",
}
MAX_CONDITIONS = 10
MAX_RULES = 50

Answer = str | list[str]


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _choices(answer: Answer) -> list[str]:
    return [_fold(a) for a in answer] if isinstance(answer, list) else [_fold(answer)]


def number(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def condition_holds(condition: Mapping[str, Any], answers: Mapping[str, Answer]) -> bool:
    answer = answers.get(str(condition.get("question")))
    if answer in (None, "", []):
        return False
    assert answer is not None
    op = condition.get("op")
    if op == EQUALS:
        return _fold(condition.get("value", "")) in _choices(answer)
    if op == CONTAINS:
        text = " ".join(_choices(answer))
        return _fold(condition.get("value", "")) in text
    if op == ONE_OF:
        wanted = {_fold(v) for v in condition.get("values", [])}
        return any(choice in wanted for choice in _choices(answer))
    if op == BETWEEN:
        if isinstance(answer, list):
            return False
        value = number(answer)
        low, high = number(condition.get("min")), number(condition.get("max"))
        if value is None:
            return False
        return (low is None or value >= low) and (high is None or value <= high)
    return False


def rule_holds(conditions: Sequence[Mapping[str, Any]], answers: Mapping[str, Answer]) -> bool:
    return bool(conditions) and all(condition_holds(c, answers) for c in conditions)


def first_match(
    rules: Sequence[Sequence[Mapping[str, Any]]], answers: Mapping[str, Answer]
) -> int | None:
    """The index of the first rule (its list of conditions) that holds, else ``None``."""
    for index, conditions in enumerate(rules):
        if rule_holds(conditions, answers):
            return index
    return None


def describe(condition: Mapping[str, Any], labels: Mapping[int, str]) -> str:
    """A condition as a host reads it: "Company size is a number between 50 and 500"."""
    question = labels.get(int(condition.get("question", 0)), "(removed question)")
    op = condition.get("op", "")
    if op == ONE_OF:
        value = ", ".join(f"“{v}”" for v in condition.get("values", []))
    elif op == BETWEEN:
        low, high = condition.get("min") or "…", condition.get("max") or "…"
        value = f"{low} and {high}"
    else:
        value = f"“{condition.get('value', '')}”"
    return f"{question} {OPERATORS.get(op, op)} {value}"


# The ticket: which response a booking comes from, and the host it prefers. Signed and bound to
# the destination link, so an attendee can neither pick a host nor move it to another link.
TICKET_SALT = "booking.routing-ticket"
TICKET_MAX_AGE = 30 * 24 * 3600
TICKET_PARAM = "rr"
MAX_TICKET_CHARS = 300


@dataclass(frozen=True)
class Ticket:
    response_id: int
    link_id: int
    preferred_host_id: int | None = None


def ticket_make(ticket: Ticket) -> str:
    payload = [ticket.response_id, ticket.link_id, ticket.preferred_host_id]
    return signing.dumps(payload, salt=TICKET_SALT)


def ticket_read(value: str, *, link_id: int) -> Ticket | None:
    """The ticket in ``value`` if it is genuine, recent and issued for ``link_id``."""
    if not value or len(value) > MAX_TICKET_CHARS:
        return None
    try:
        payload = signing.loads(value, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
        response_id, ticket_link, host = payload
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(response_id, int) or ticket_link != link_id:
        return None
    return Ticket(response_id, link_id, host if isinstance(host, int) else None)
