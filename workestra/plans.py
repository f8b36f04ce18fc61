"""The plans and what each allows, as plain values (spec: workflows, "Plan limits").

| Feature              | Free | Pro | Business  |
| Active workflows     | 3    | 10  | Unlimited |
| Actions per workflow | 5    | 5   | 5         |
| SMS actions          | no   | yes | yes       |
| AI voice call action | no   | no  | yes       |
| Webhook actions      | yes  | yes | yes       |
| SSO / SCIM           | no   | no  | yes       |

This module only holds the table and reads it; the apps whose features it limits check them
(``workflows.rules`` and ``workflows.services`` for workflows), so the workspace core imports
none of them.
"""

from __future__ import annotations

from workestra.models import Workspace

Plan = Workspace.Plan

PLAN_ORDER = (Plan.FREE, Plan.PRO, Plan.BUSINESS)
# Enabled workflows per workspace; ``None`` is unlimited.
ACTIVE_LIMITS: dict[str, int | None] = {Plan.FREE: 3, Plan.PRO: 10, Plan.BUSINESS: None}
# The lowest plan that includes a feature, by name (a workflow action's value); features not
# listed are on every plan.
FEATURE_MIN_PLAN: dict[str, str] = {
    "sms": Plan.PRO,
    "voice": Plan.BUSINESS,
    "scim": Plan.BUSINESS,
    "sso": Plan.BUSINESS,
}


class PlanLimit(Exception):
    """A plan does not allow what was asked; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _rank(plan: str) -> int:
    try:
        return PLAN_ORDER.index(Plan(plan))
    except ValueError:
        return 0  # an unknown plan gets what Free gets


def plan_label(plan: str) -> str:
    try:
        return Plan(plan).label
    except ValueError:
        return Plan.FREE.label


def next_plan(plan: str) -> str | None:
    rank = _rank(plan)
    return PLAN_ORDER[rank + 1] if rank + 1 < len(PLAN_ORDER) else None


def is_top(plan: str) -> bool:
    return _rank(plan) == len(PLAN_ORDER) - 1


def active_limit(plan: str) -> int | None:
    return ACTIVE_LIMITS.get(plan, ACTIVE_LIMITS[Plan.FREE])


def min_plan(feature: str) -> str | None:
    """The lowest plan that includes ``feature``; ``None`` when every plan does."""
    return FEATURE_MIN_PLAN.get(feature)


def allows(plan: str, feature: str) -> bool:
    needed = min_plan(feature)
    return needed is None or _rank(plan) >= _rank(needed)


def lock_workspace(workspace_id: int) -> Workspace:
    """The workspace row, locked until the end of the current transaction (its plan re-read)."""
    return Workspace.objects.select_for_update().get(pk=workspace_id)
