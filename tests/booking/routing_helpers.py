"""A routing form to test with: questions (company size, topic, interests) and a fallback."""

from __future__ import annotations

from typing import Any

import factory

from booking.models import Destination, RoutingForm, RoutingRule
from booking.services.routing import default_message

QUESTIONS: list[dict[str, Any]] = [
    {"id": 1, "kind": "number", "label": "Company size", "required": True, "min": 1},
    {
        "id": 2,
        "kind": "dropdown",
        "label": "Topic",
        "required": True,
        "options": ["Sales", "Support", "Partnership"],
    },
    {"id": 3, "kind": "short_text", "label": "Anything else?", "max": 200},
    {
        "id": 4,
        "kind": "checkboxes",
        "label": "Interests",
        "options": ["API", "Billing", "Security"],
    },
]


class RoutingFormFactory(factory.django.DjangoModelFactory):
    """A live form with the questions above and a thank-you fallback (pass ``workspace`` and
    ``owner``); add rules with
    :func:`add_rule`."""

    class Meta:
        model = RoutingForm
        skip_postgeneration_save = True

    name = "Talk to us"
    questions = factory.LazyFunction(lambda: [dict(q) for q in QUESTIONS])
    next_question_id = 5

    @factory.post_generation
    def fallback(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        RoutingRule.objects.create(
            form=self, is_fallback=True, destination=Destination.MESSAGE, message=default_message()
        )


def add_rule(
    form: RoutingForm, conditions: list[dict[str, Any]], **destination: Any
) -> RoutingRule:
    """A rule after the form's others: ``link=…``, ``message=…`` or ``url=…``."""
    kind = (
        Destination.LINK
        if "link" in destination
        else Destination.URL
        if "url" in destination
        else Destination.MESSAGE
    )
    position = form.rules.filter(is_fallback=False).count()
    return RoutingRule.objects.create(
        form=form, position=position, conditions=conditions, destination=kind, **destination
    )
