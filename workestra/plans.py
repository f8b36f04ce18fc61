"""What each plan allows for workflows (spec: workflows, "Plan limits").

| Feature              | Free | Pro | Business  |
| Active workflows     | 3    | 10  | Unlimited |
| Actions per workflow | 5    | 5   | 5         |
| SMS actions          | no   | yes | yes       |
| AI voice call action | no   | no  | yes       |
| Webhook actions      | yes  | yes | yes       |

Enabling a workflow counts the workspace's enabled workflows while holding a lock on the
workspace row, so two requests enabling the last free slot at once cannot both get it.
"""

from __future__ import annotations

from collections.abc import Iterable

from workestra.models import Workspace
from workflows.models import Workflow, WorkflowStep

Plan = Workspace.Plan
Action = WorkflowStep.Action

PLAN_ORDER = (Plan.FREE, Plan.PRO, Plan.BUSINESS)
# Enabled workflows per workspace; ``None`` is unlimited.
ACTIVE_LIMITS: dict[str, int | None] = {Plan.FREE: 3, Plan.PRO: 10, Plan.BUSINESS: None}
# The lowest plan that may use an action; actions not listed are on every plan.
ACTION_MIN_PLAN: dict[str, str] = {Action.SMS: Plan.PRO, Action.VOICE: Plan.BUSINESS}
ACTION_NAMES: dict[str, str] = {Action.SMS: "SMS", Action.VOICE: "AI voice call"}


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


def active_limit(plan: str) -> int | None:
    return ACTIVE_LIMITS.get(plan, ACTIVE_LIMITS[Plan.FREE])


def active_limit_message(plan: str) -> str:
    limit = active_limit(plan)
    upgrade = next_plan(plan)
    advice = f"Disable one or upgrade to {Plan(upgrade).label}." if upgrade else "Disable one."
    return f"Your {plan_label(plan)} plan allows {limit} active workflows. {advice}"


def action_allowed(plan: str, action: str) -> bool:
    needed = ACTION_MIN_PLAN.get(action)
    return needed is None or _rank(plan) >= _rank(needed)


def action_message(plan: str, action: str) -> str:
    """Why ``action`` is refused on ``plan`` (empty when it is allowed)."""
    if action_allowed(plan, action):
        return ""
    needed = ACTION_MIN_PLAN[action]
    name = ACTION_NAMES.get(action, action)
    which = f"the {Plan(needed).label} plan" + (" or higher" if needed != PLAN_ORDER[-1] else "")
    return (
        f"{name} actions need {which}; your workspace is on the {plan_label(plan)} plan. "
        f"Upgrade to {Plan(needed).label} to use them."
    )


def check_actions(plan: str, actions: Iterable[str]) -> None:
    """Raise :class:`PlanLimit` for the first action the plan does not include."""
    for action in actions:
        if message := action_message(plan, action):
            raise PlanLimit(message)


def lock_workspace(workspace_id: int) -> Workspace:
    """The workspace row, locked until the end of the current transaction (its plan re-read)."""
    return Workspace.objects.select_for_update().get(pk=workspace_id)


def check_can_enable(workspace: Workspace, workflow: Workflow) -> None:
    """Raise :class:`PlanLimit` unless ``workflow`` may become enabled.

    Call inside a transaction after :func:`lock_workspace`; enable the workflow in the same
    transaction so the count cannot change in between.
    """
    check_actions(workspace.plan, workflow_actions(workflow))
    limit = active_limit(workspace.plan)
    if limit is None:
        return
    others = Workflow.objects.filter(workspace=workspace, is_enabled=True)
    if workflow.pk is not None:
        others = others.exclude(pk=workflow.pk)
    if others.count() >= limit:
        raise PlanLimit(active_limit_message(workspace.plan))


def workflow_actions(workflow: Workflow) -> list[str]:
    if workflow.pk is None:
        return []
    return list(workflow.steps.values_list("action", flat=True))
