"""Routing forms (``/form/<public_id>``): qualification questions, ordered rules that send each
visitor to a booking link, a message or a web address, and every submission kept.

The questions use the pre-meeting question definitions of :mod:`booking.questions`; a question's
``id`` is also the ``a<id>`` key its answer travels under to a destination booking link, so a
routing form question with id 3 pre-fills the link's question 3. Rules are ordered rows (the
fallback is the one row with ``is_fallback``); their conditions are a JSON list checked by
:mod:`booking.routing`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone as dj_timezone


def new_public_id() -> str:
    """128 random bits: the form's public address must not be guessable from another's."""
    return secrets.token_hex(16)


class RoutingForm(models.Model):
    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="routing_forms"
    )
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    # [{"id": 1, "kind": "dropdown", "label": …, …}] as booking.questions reads them.
    questions = models.JSONField(default=list, blank=True)
    # Questions taken off the form, as they were: old responses keep their answers, and the
    # export keeps a column for them.
    removed_questions = models.JSONField(default=list, blank=True)
    # The id the next question gets: ids are never reused, so an old answer never means a newer
    # question.
    next_question_id = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def public_path(self) -> str:
        return reverse("booking:routing-public", args=[self.public_id])

    @property
    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + self.public_path


class Destination(models.TextChoices):
    LINK = "link", "Booking link"
    MESSAGE = "message", "Custom message"
    URL = "url", "External URL"


class RoutingRule(models.Model):
    """One route: when every condition holds, send the visitor to the destination."""

    form = models.ForeignKey(RoutingForm, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField(default=0)
    is_fallback = models.BooleanField(default=False)
    label = models.CharField(max_length=200, blank=True)
    # [{"question": 1, "op": "equals", "value": "…"}]: all must hold (see booking.routing).
    conditions = models.JSONField(default=list, blank=True)
    destination = models.CharField(
        max_length=8, choices=Destination.choices, default=Destination.MESSAGE
    )
    link = models.ForeignKey(
        "booking.BookingLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    message = models.TextField(blank=True, max_length=2000)
    url = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["is_fallback", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form"],
                condition=Q(is_fallback=True),
                name="routing_rule_one_fallback",
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"Rule {self.position + 1}"


class RoutingResponse(models.Model):
    """One submission: what was answered, where it went, what the CRM said, what got booked."""

    class Outcome(models.TextChoices):
        NOT_ASKED = "", "Not asked"
        FOUND = "found", "Owner found"
        NO_OWNER = "no_owner", "No owner"
        NOT_FOUND = "not_found", "Not in the CRM"
        NOT_CONNECTED = "not_connected", "No CRM connected"
        TIMEOUT = "timeout", "Timed out"
        ERROR = "error", "Error"

    workspace = models.ForeignKey("workestra.Workspace", on_delete=models.CASCADE)
    form = models.ForeignKey(RoutingForm, on_delete=models.CASCADE, related_name="responses")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    # {"<question id>": "text" | ["ticked", …]}, as answered.
    answers = models.JSONField(default=dict, blank=True)
    # The route taken: the rule's label and position as they were then (None: the fallback).
    rule_position = models.PositiveIntegerField(null=True, blank=True)
    route_label = models.CharField(max_length=200, blank=True)
    destination = models.CharField(max_length=8, choices=Destination.choices)
    link = models.ForeignKey(
        "booking.BookingLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routing_responses",
    )
    target = models.CharField(max_length=2000, blank=True)  # the URL or the message shown
    owner_provider = models.CharField(max_length=20, blank=True)
    owner_outcome = models.CharField(
        max_length=16, choices=Outcome.choices, blank=True, default=Outcome.NOT_ASKED
    )
    owner_detail = models.CharField(max_length=300, blank=True)
    owner_email = models.EmailField(max_length=254, blank=True)
    # The host the booking prefers (the CRM owner when they host the link).
    preferred_host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    booking = models.ForeignKey(
        "booking.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routing_responses",
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["form", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} · {self.form} · {self.created_at:%Y-%m-%d %H:%M} UTC"
