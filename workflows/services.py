"""Every write of the workflow settings: workflows and their steps, enabling, deleting, test runs,
templates, and webhook endpoints. Views parse and render; the rules live here."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workestra import plans
from workestra.lib import signing
from workestra.models import User, Workspace
from workflows import context, outbox, rules, runner
from workflows.models import OutboxMessage, WebhookEndpoint, Workflow, WorkflowStep

if TYPE_CHECKING:
    from workflows.templates_catalog import Template


class NoSteps(Exception):
    """A test run was asked for a workflow without any action."""


@dataclass(frozen=True)
class StepData:
    """One validated step as it is stored; ``id`` names a stored step to update in place."""

    action: str
    recipient: str = WorkflowStep.Recipient.ATTENDEE
    address: str = ""
    subject: str = ""
    body: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


# --- Create and update -----------------------------------------------------------------------


def workflow_create(
    *,
    workspace: Workspace,
    name: str,
    trigger: str,
    offset_minutes: int,
    is_enabled: bool,
    links: Sequence[Any] | None,
    steps: Sequence[StepData],
) -> Workflow:
    """A new workflow with its steps; ``links=None`` runs it for every link of the workspace.

    Raises :class:`workestra.plans.PlanLimit` and writes nothing when the plan does not allow
    the steps' actions or one more enabled workflow.
    """
    workflow = Workflow(workspace=workspace)
    return _save(
        workflow,
        name=name,
        trigger=trigger,
        offset_minutes=offset_minutes,
        is_enabled=is_enabled,
        links=links,
        steps=steps,
    )


def workflow_update(
    *,
    workflow: Workflow,
    name: str,
    trigger: str,
    offset_minutes: int,
    is_enabled: bool,
    links: Sequence[Any] | None,
    steps: Sequence[StepData],
) -> Workflow:
    """Change a workflow and its steps, under the same limits as :func:`workflow_create`.

    Steps are updated in place (matched by id) so bookings already waiting on a step keep it.
    """
    return _save(
        workflow,
        name=name,
        trigger=trigger,
        offset_minutes=offset_minutes,
        is_enabled=is_enabled,
        links=links,
        steps=steps,
    )


def _save(
    workflow: Workflow,
    *,
    name: str,
    trigger: str,
    offset_minutes: int,
    is_enabled: bool,
    links: Sequence[Any] | None,
    steps: Sequence[StepData],
) -> Workflow:
    with transaction.atomic():
        locked = plans.lock_workspace(workflow.workspace_id)
        rules.check_actions(locked.plan, [step.action for step in steps])
        was_enabled = (
            workflow.pk is not None
            and Workflow.objects.filter(pk=workflow.pk, is_enabled=True).exists()
        )
        workflow.name = name
        workflow.trigger = trigger
        workflow.offset_minutes = offset_minutes
        workflow.is_enabled = is_enabled
        workflow.all_links = links is None
        workflow.save()
        workflow.links.set(list(links or []))
        _save_steps(workflow, steps)
        if workflow.is_enabled and not was_enabled:
            _check_can_enable(locked, workflow)
    return workflow


def _check_can_enable(workspace: Workspace, workflow: Workflow) -> None:
    """Raise :class:`workestra.plans.PlanLimit` unless ``workflow`` may become enabled.

    Call inside a transaction after :func:`workestra.plans.lock_workspace`; enable the workflow
    in the same transaction so the count cannot change in between.
    """
    rules.check_actions(workspace.plan, _workflow_actions(workflow))
    limit = plans.active_limit(workspace.plan)
    if limit is None:
        return
    others = Workflow.objects.filter(workspace=workspace, is_enabled=True)
    if workflow.pk is not None:
        others = others.exclude(pk=workflow.pk)
    if others.count() >= limit:
        raise plans.PlanLimit(rules.active_limit_message(workspace.plan))


def _workflow_actions(workflow: Workflow) -> list[str]:
    if workflow.pk is None:
        return []
    return list(workflow.steps.values_list("action", flat=True))


def _save_steps(workflow: Workflow, steps: Sequence[StepData]) -> None:
    existing = {step.pk: step for step in workflow.steps.all()}
    kept: list[int] = []
    for position, data in enumerate(steps):
        step = existing.pop(data.id or 0, None) or WorkflowStep(workflow=workflow)
        step.position = position
        step.action = data.action
        step.recipient = data.recipient
        step.address = data.address
        step.subject = data.subject
        step.body = data.body
        step.config = data.config
        step.save()
        kept.append(step.pk)
    workflow.steps.exclude(pk__in=kept).delete()


def workflow_create_from_template(*, template: Template, workspace: Workspace) -> Workflow:
    """A disabled workflow with the template's steps, for the host to review and enable.

    Raises :class:`workestra.plans.PlanLimit` (and writes nothing) when the template uses an
    action the workspace's plan does not include.
    """
    with transaction.atomic():
        locked = plans.lock_workspace(workspace.pk)
        rules.check_actions(locked.plan, template.actions)
        workflow = Workflow.objects.create(
            workspace=locked,
            name=template.name,
            trigger=template.trigger,
            offset_minutes=template.offset_minutes,
            all_links=True,
            is_enabled=False,
            template_key=template.key,
        )
        WorkflowStep.objects.bulk_create(
            WorkflowStep(
                workflow=workflow,
                position=position,
                action=step.action,
                recipient=step.recipient,
                subject=step.subject,
                body=step.body,
                config=dict(step.config),
            )
            for position, step in enumerate(template.steps)
        )
    return workflow


# --- Problems of a stored workflow ----------------------------------------------------------


def workflow_problems(*, workflow: Workflow) -> list[str]:
    """What would stop the stored workflow from saving as it is (e.g. a template's Slack step
    with no URL yet, an endpoint since deleted, an action the plan no longer includes), worded
    as the settings page words it: checked before enabling it from the list."""
    stored = Workflow.objects.select_related("workspace").get(pk=workflow.pk)
    problems = _workflow_field_problems(stored)
    steps = list(stored.steps.order_by("position", "pk"))
    checks = [_step_check(stored, step) for step in steps]
    step_problems = [
        f"Action {number}, {rules.STEP_LABELS.get(name, 'Action')}: {message}"
        for number, check in enumerate(checks, start=1)
        for name, messages in check.errors.items()
        for message in messages
    ]
    if not step_problems and (problem := rules.steps_problem(len(steps))):
        problems.append(problem)
    problems += step_problems
    if problems:
        return problems
    offset = stored.offset_minutes if stored.trigger in _OFFSET_TRIGGERS else 0
    for number, check in enumerate(checks, start=1):
        found = rules.reconfirm_problem(
            trigger=stored.trigger,
            offset=offset,
            action=check.data["action"],
            config=check.data.get("config") or {},
        )
        if found:
            name, message = found
            problems.append(f"Action {number}, {rules.STEP_LABELS[name]}: {message}")
    return problems


_OFFSET_TRIGGERS = (Workflow.Trigger.BEFORE_START, Workflow.Trigger.AFTER_END)


def _workflow_field_problems(workflow: Workflow) -> list[str]:
    labels = rules.WORKFLOW_LABELS
    problems: list[str] = []
    try:
        rules.clean_name(workflow.name)
    except ValidationError as refused:
        problems += [f"{labels['name']}: {message}" for message in refused.messages]
    if problem := rules.offset_problem(workflow.trigger, workflow.offset_minutes):
        problems.append(f"{labels['offset_value']}: {problem}")
    if not workflow.all_links and not workflow.links.live().exists():
        problems.append(f"{labels['chosen_links']}: {rules.NO_LINKS}")
    return problems


def _step_check(workflow: Workflow, step: WorkflowStep) -> rules.StepCheck:
    """Run the step rules on the stored values, as the form would see them."""
    config = step.config or {}
    deadline_value, deadline_unit = rules.split_minutes(int(config.get("deadline_minutes") or 0))
    data: dict[str, Any] = {
        "id": step.pk,
        "action": step.action,
        "recipient": step.recipient,
        "address": step.address.strip(),
        "subject": step.subject.strip(),
        "body": step.body.strip(),
        "slack_url": str(config.get("slack_url") or "").strip(),
        "endpoint": None,
        "agent_url": str(config.get("agent_url") or "").strip(),
        "deadline_value": deadline_value or None,
        "deadline_unit": deadline_unit if deadline_value else rules.HOURS,
    }
    check = rules.StepCheck(data, workspace=workflow.workspace)
    endpoint_id = config.get("endpoint_id")
    if endpoint_id:
        data["endpoint"] = WebhookEndpoint.objects.filter(
            workspace=workflow.workspace, pk=endpoint_id
        ).first()
        if data["endpoint"] is None:
            check.add_error("endpoint", rules.NO_ENDPOINT)
    check.run()
    return check


# --- Enable, delete --------------------------------------------------------------------------


def workflow_set_enabled(*, workflow: Workflow, enabled: bool) -> None:
    """Enable or disable under the plan's limit; the workspace row is locked while counting.

    Raises :class:`workestra.plans.PlanLimit` (and changes nothing) past the plan's limit.
    """
    with transaction.atomic():
        workspace = plans.lock_workspace(workflow.workspace_id)
        current = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if enabled and not current.is_enabled:
            _check_can_enable(workspace, current)
        Workflow.objects.filter(pk=workflow.pk).update(
            is_enabled=enabled, updated_at=timezone.now()
        )
    workflow.is_enabled = enabled


def workflow_delete(*, workflow: Workflow) -> None:
    """Delete the workflow; steps already waiting for a booking are withdrawn, so none is sent
    after the delete."""
    with transaction.atomic():
        outbox.withdraw(workflow=workflow)
        workflow.delete()


# --- Send test -------------------------------------------------------------------------------


def workflow_test_run(*, workflow: Workflow, user: User) -> OutboxMessage:
    """Run the steps in order against a sample booking in which the user is both host and
    attendee, so every email, SMS or call reaches only them.

    Raises :class:`workestra.plans.PlanLimit` for an action the plan lacks and :class:`NoSteps`
    when there is nothing to run.
    """
    rules.check_actions(workflow.workspace.plan, _workflow_actions(workflow))
    first = workflow.steps.order_by("position", "pk").first()
    if first is None:
        raise NoSteps
    variables, sample = context.booking_provider().sample()
    me = {"name": user.display_name, "email": user.email, "phone": user.phone}
    for role in ("host", "attendee", "invitee"):
        for part, value in me.items():
            if role != "invitee" or part != "phone":
                variables[f"{role}_{part}"] = value
    sample = {**sample, "host": dict(me), "attendee": {**sample.get("attendee", {}), **me}}
    with transaction.atomic():
        return runner.enqueue_step(
            workflow,
            first,
            subject=f"test:{user.pk}",
            occurrence_key=f"test-{secrets.token_hex(8)}",
            event=workflow.trigger,
            is_test=True,
            extra_payload={"variables": variables, "sample": sample},
        )


# --- Webhook endpoints -----------------------------------------------------------------------


def webhook_endpoint_create(*, workspace: Workspace, url: str) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret; ``url`` has been checked by the caller."""
    return WebhookEndpoint.objects.create(workspace=workspace, url=url, secret=signing.new_secret())


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Send to an endpoint again after it was disabled for failing."""
    endpoint.is_active = True
    endpoint.disabled_reason = ""
    endpoint.save(update_fields=["is_active", "disabled_reason"])


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Workflow steps that used the endpoint stay and fail visibly until they are changed."""
    endpoint.delete()
