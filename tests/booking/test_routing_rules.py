"""Routing rules on answers (each operator, all-of, fallback) and the signed ticket."""

from __future__ import annotations

import pytest
from django.core import signing

from booking import routing

ANSWERS = {"1": "120", "2": "Sales", "3": "We need SSO soon", "4": ["API", "Security"]}


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"question": 2, "op": "equals", "value": "sales"}, True),
        ({"question": 2, "op": "equals", "value": " Sales "}, True),
        ({"question": 2, "op": "equals", "value": "Support"}, False),
        ({"question": 4, "op": "equals", "value": "api"}, True),  # one ticked option
        ({"question": 4, "op": "equals", "value": "Billing"}, False),
        ({"question": 3, "op": "contains", "value": "sso"}, True),
        ({"question": 3, "op": "contains", "value": "saml"}, False),
        ({"question": 2, "op": "one_of", "values": ["Support", "Sales"]}, True),
        ({"question": 2, "op": "one_of", "values": ["Support", "Partnership"]}, False),
        ({"question": 4, "op": "one_of", "values": ["Billing", "Security"]}, True),
        ({"question": 1, "op": "between", "min": "50", "max": "500"}, True),
        ({"question": 1, "op": "between", "min": "120", "max": "120"}, True),  # inclusive
        ({"question": 1, "op": "between", "min": "121", "max": None}, False),
        ({"question": 1, "op": "between", "min": None, "max": "99.5"}, False),
        ({"question": 3, "op": "between", "min": "1", "max": "9"}, False),  # not a number
        ({"question": 9, "op": "equals", "value": "x"}, False),  # unanswered
        ({"question": 2, "op": "nonsense", "value": "Sales"}, False),
    ],
)
def test_each_operator(condition, holds):
    assert routing.condition_holds(condition, ANSWERS) is holds


def test_a_rule_holds_only_when_all_its_conditions_do():
    both = [
        {"question": 2, "op": "equals", "value": "Sales"},
        {"question": 1, "op": "between", "min": "100", "max": None},
    ]
    assert routing.rule_holds(both, ANSWERS)
    assert not routing.rule_holds([*both, {"question": 3, "op": "contains", "value": "x"}], ANSWERS)
    assert not routing.rule_holds([], ANSWERS)  # an empty rule never catches everyone


def test_the_first_matching_rule_wins_and_none_means_the_fallback():
    small = [{"question": 1, "op": "between", "min": None, "max": "49"}]
    sales = [{"question": 2, "op": "equals", "value": "Sales"}]
    big = [{"question": 1, "op": "between", "min": "100", "max": None}]

    assert routing.first_match([small, sales, big], ANSWERS) == 1
    assert routing.first_match([small], ANSWERS) is None


def test_a_ticket_reads_back_only_for_its_own_link():
    value = routing.ticket_make(routing.Ticket(7, 3, 42))

    assert routing.ticket_read(value, link_id=3) == routing.Ticket(7, 3, 42)
    assert routing.ticket_read(value, link_id=4) is None


def test_an_edited_or_foreign_ticket_is_ignored():
    genuine = routing.ticket_make(routing.Ticket(7, 3, 42))
    forged = signing.dumps([7, 3, 99], salt="some other purpose")

    assert routing.ticket_read(genuine.replace(":", ";", 1), link_id=3) is None
    assert routing.ticket_read(forged, link_id=3) is None
    assert routing.ticket_read("x" * 400, link_id=3) is None
    assert routing.ticket_read("", link_id=3) is None
