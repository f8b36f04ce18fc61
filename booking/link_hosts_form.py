"""The hosts part of the link settings form: one row per workspace member.

Each row has a "host" checkbox, a weight (share of round-robin bookings), a priority and, for
round-robin links, "always attending" (which makes the link a multi-host group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from booking.models import BookingLink, LinkHost
from workestra.models import User

TEAM_KINDS = (BookingLink.Kind.ROUND_ROBIN, BookingLink.Kind.COLLECTIVE)


@dataclass
class HostRow:
    user: User
    host: forms.BoundField
    weight: forms.BoundField
    priority: forms.BoundField
    always: forms.BoundField


def add_host_fields(form: forms.BaseForm, members: list[User], link: BookingLink) -> None:
    existing = {h.user_id: h for h in link.link_hosts.all()} if link.pk else {}
    for user in members:
        current = existing.get(user.pk)
        name = user.name or user.email
        form.fields[f"host_{user.pk}"] = forms.BooleanField(
            required=False,
            label=name,
            initial=current is not None or (not link.pk and user.pk == link.owner_id),
        )
        form.fields[f"weight_{user.pk}"] = forms.IntegerField(
            required=False,
            min_value=0,
            max_value=1000,
            label="Weight",
            initial=current.weight if current else 100,
            widget=forms.NumberInput(attrs={"aria-label": f"Weight of {name}"}),
        )
        form.fields[f"priority_{user.pk}"] = forms.TypedChoiceField(
            required=False,
            choices=LinkHost.Priority.choices,
            coerce=int,
            label="Priority",
            initial=current.priority if current else LinkHost.Priority.MEDIUM,
            widget=forms.Select(attrs={"aria-label": f"Priority of {name}"}),
        )
        form.fields[f"always_{user.pk}"] = forms.BooleanField(
            required=False,
            label="Always attending",
            initial=current.always_attending if current else False,
            widget=forms.CheckboxInput(attrs={"aria-label": f"{name} always attends"}),
        )


def host_rows(form: forms.BaseForm, members: list[User]) -> list[HostRow]:
    return [
        HostRow(
            user=u,
            host=form[f"host_{u.pk}"],
            weight=form[f"weight_{u.pk}"],
            priority=form[f"priority_{u.pk}"],
            always=form[f"always_{u.pk}"],
        )
        for u in members
    ]


def clean_hosts(form: forms.BaseForm, data: dict[str, Any], members: list[User]) -> list[LinkHost]:
    """The chosen hosts as unsaved rows; a team link needs one, and round-robin a rotating one."""
    chosen = [
        LinkHost(
            user=u,
            weight=100 if data.get(f"weight_{u.pk}") is None else data[f"weight_{u.pk}"],
            priority=(
                LinkHost.Priority.MEDIUM
                if data.get(f"priority_{u.pk}") in (None, "")
                else data[f"priority_{u.pk}"]
            ),
            always_attending=bool(data.get(f"always_{u.pk}")),
        )
        for u in members
        if data.get(f"host_{u.pk}")
    ]
    kind = data.get("kind")
    if kind in TEAM_KINDS and not chosen:
        form.add_error(None, "Pick at least one host for a round-robin or collective link.")
    if kind == BookingLink.Kind.ROUND_ROBIN and chosen and all(h.always_attending for h in chosen):
        form.add_error(
            None,
            "Leave at least one host in the rotating pool: with every host always attending, "
            "use a collective link.",
        )
    return chosen
