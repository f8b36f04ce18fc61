"""Which parts of the link settings form apply to which event type.

Every part is always rendered, so a submit never drops a stored value; the parts that do not
apply to the chosen type carry ``hidden`` (script swaps them when the type changes, and without
script the "Update form" button re-renders the page for the new type).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from booking.models import BookingLink

Kind = BookingLink.Kind
ALL_KINDS = tuple(Kind)
SLOTTED = tuple(k for k in Kind if k != Kind.INSTANT)

#: part name -> (the types it applies to, the fields in it, host-row field prefixes in it)
PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "availability": (
        SLOTTED,
        (
            "schedule",
            "slot_interval",
            "buffer_before",
            "buffer_after",
            "min_notice_hours",
            "max_days_ahead",
        ),
        (),
    ),
    "caps": (SLOTTED, ("daily_cap", "weekly_cap", "monthly_cap"), ()),
    "capacity": ((Kind.GROUP,), ("capacity",), ()),
    "hosts": (
        (Kind.ROUND_ROBIN, Kind.COLLECTIVE),
        (),
        ("host_", "schedule_"),
    ),
    "rotation": (
        (Kind.ROUND_ROBIN,),
        (
            "rotation",
            "rotation_period",
            "rotation_counts_no_shows",
            "rotation_counts_cancellations",
            "rotation_max_lead",
        ),
        ("weight_", "priority_", "always_"),
    ),
}


@dataclass(frozen=True)
class Part:
    kinds: str  # space-separated, for the script
    shown: bool


def chosen_kind(form: forms.ModelForm) -> str:
    """The type the form is showing: the submitted one when valid, else the stored one."""
    wanted = form.data.get("kind") if form.is_bound else None
    kind: str = wanted if wanted in Kind.values else form.instance.kind
    return kind


def form_parts(form: forms.ModelForm) -> dict[str, Part]:
    """Each part with its types and whether it shows now: it applies to the chosen type, or one
    of its fields was refused (an error is never hidden)."""
    kind = chosen_kind(form)
    errors = form.errors if form.is_bound else {}
    parts = {}
    for name, (kinds, fields, prefixes) in PARTS.items():
        refused = any(f in fields or (prefixes and f.startswith(prefixes)) for f in errors)
        parts[name] = Part(kinds=" ".join(kinds), shown=kind in kinds or refused)
    limits = {k for n in ("caps", "capacity") for k in PARTS[n][0]}
    parts["limits"] = Part(
        kinds=" ".join(k for k in ALL_KINDS if k in limits),
        shown=parts["caps"].shown or parts["capacity"].shown,
    )
    return parts
