"""Fair round-robin assignment: which of the hosts free at a slot gets the booking.

Pure functions over plain data, so a thousand-booking simulation runs in milliseconds; the
selector :func:`booking.selectors.rotation_stats` gathers the inputs in one query.

The order, per the link's mode:

- ``weighted`` (default): the host furthest below their weighted share of this link's bookings in
  the current period, then the higher priority, then the host whose last booking on this link was
  made longest ago;
- ``equal``: the same with every weight equal;
- ``availability_first``: priority, then recency (weights and counts ignored).

A host more than ``max_lead`` bookings ahead of the least-booked host is skipped while another
free host is within the lead. A host who joined mid-period or was away during it starts at the
average of the others rather than at zero, so they are not flooded on return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Mode(StrEnum):
    WEIGHTED = "weighted"
    EQUAL = "equal"
    AVAILABILITY_FIRST = "availability_first"


@dataclass(frozen=True, slots=True)
class Member:
    """One host of the rotation, free or not at the slot."""

    id: int
    weight: int = 100
    priority: int = 1
    count: int = 0  # this link's counted bookings in the current period
    last_booked: datetime | None = None  # their latest booking on this link, ever
    calibrate: bool = False  # joined mid-period or away during it


def pick(
    members: Sequence[Member],
    free: Sequence[int],
    *,
    mode: Mode = Mode.WEIGHTED,
    max_lead: int | None = None,
) -> int:
    """The host (id) among ``free`` who gets the booking. ``free`` must not be empty."""
    if not free:
        raise ValueError("pick() needs at least one free host")
    counts = calibrated_counts(members)
    by_id = {m.id: m for m in members}
    candidates = [by_id.get(h, Member(h)) for h in free]
    if max_lead is not None and counts:
        least = min(counts.values())
        within = [m for m in candidates if counts.get(m.id, 0) - least <= max_lead]
        candidates = within or candidates
    if mode is Mode.AVAILABILITY_FIRST:
        return min(candidates, key=lambda m: (-m.priority, _recency(m), m.id)).id
    weights = {m.id: (1 if mode is Mode.EQUAL else m.weight) for m in members}
    deficit = _deficits(counts, weights)
    return min(
        candidates,
        key=lambda m: (-deficit.get(m.id, 0.0), -m.priority, _recency(m), m.id),
    ).id


def calibrated_counts(members: Sequence[Member]) -> dict[int, float]:
    """Each member's count, a returning or new member's raised to the others' average."""
    steady = [m.count for m in members if not m.calibrate]
    average = sum(steady) / len(steady) if steady else 0.0
    return {m.id: max(float(m.count), average) if m.calibrate else float(m.count) for m in members}


def _deficits(counts: Mapping[int, float], weights: Mapping[int, int]) -> dict[int, float]:
    """How far each host is below their weighted share of the bookings so far (+1 for this one)."""
    total_weight = sum(weights.values())
    if total_weight <= 0:
        return dict.fromkeys(counts, 0.0)
    total = sum(counts.values()) + 1
    return {h: total * weights.get(h, 0) / total_weight - n for h, n in counts.items()}


def _recency(member: Member) -> float:
    """Never booked sorts first; then the oldest last booking."""
    return member.last_booked.timestamp() if member.last_booked else float("-inf")
