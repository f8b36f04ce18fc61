"""Turn a trigger into outbox rows: one per step, chained so the steps run in order.

Called by the owning app inside the transaction that makes the change, so a step is written if
and only if the change commits; each row's idempotency key names the workflow, the occurrence
and the step, so a duplicate trigger, a retry or two workers never send twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from workflows import kinds, outbox
from workflows.models import OutboxMessage, Workflow, WorkflowRun, WorkflowStep

# Actions that call other people's servers get more attempts than the outbox default: their
# senders spread the retries over about a day (see workestra.lib.outbound.backoff).
MAX_ATTEMPTS: dict[str, int] = {WorkflowStep.Action.WEBHOOK: 12, WorkflowStep.Action.SLACK: 12}


@dataclass(frozen=True)
class Occurrence:
    """The thing a workflow runs for (a booking), as plain data."""

    subject: str  # "booking:42"
    workspace_id: int
    link_id: int
    start: datetime
    end: datetime


def matching(occurrence: Occurrence, triggers: list[str]) -> list[Workflow]:
    return list(
        Workflow.objects.filter(
            workspace_id=occurrence.workspace_id, trigger__in=triggers, is_enabled=True
        )
        .filter(Q(all_links=True) | Q(links__id=occurrence.link_id))
        .distinct()
        .order_by("pk")
    )


def fire(trigger: str, occurrence: Occurrence) -> list[OutboxMessage]:
    """An event happened (booking created, cancelled, …): start every matching workflow now."""
    return [
        message
        for workflow in matching(occurrence, [trigger])
        if (message := start(workflow, occurrence, occurrence_key=trigger)) is not None
    ]


def schedule_timed(occurrence: Occurrence, *, now: datetime | None = None) -> list[OutboxMessage]:
    """Write the before-start, at-start and after-end steps, due at their times."""
    now = now or timezone.now()
    scheduled = []
    for workflow in matching(occurrence, list(Workflow.TIMED)):
        due = due_time(workflow, occurrence)
        if due > now:
            message = start(
                workflow, occurrence, occurrence_key=f"timed:{due:%Y%m%dT%H%M}", due=due
            )
            if message is not None:
                scheduled.append(message)
    return scheduled


def withdraw_timed(subject: str) -> int:
    """Cancel or move: the occurrence's timed steps not yet sent are withdrawn."""
    return outbox.withdraw(subject=subject, kinds=[kinds.TIMED_STEP])


def due_time(workflow: Workflow, occurrence: Occurrence) -> datetime:
    offset = timedelta(minutes=workflow.offset_minutes)
    if workflow.trigger == Workflow.Trigger.BEFORE_START:
        return occurrence.start - offset
    if workflow.trigger == Workflow.Trigger.AT_START:
        return occurrence.start
    return occurrence.end + offset


def start(
    workflow: Workflow,
    occurrence: Occurrence,
    *,
    occurrence_key: str,
    due: datetime | None = None,
) -> OutboxMessage | None:
    first = workflow.steps.order_by("position", "pk").first()
    if first is None:
        return None
    return enqueue_step(
        workflow,
        first,
        subject=occurrence.subject,
        occurrence_key=occurrence_key,
        event=workflow.trigger,
        due=due,
        timed=workflow.is_timed,
    )


def enqueue_step(
    workflow: Workflow,
    step: WorkflowStep,
    *,
    subject: str,
    occurrence_key: str,
    event: str,
    due: datetime | None = None,
    timed: bool = False,
    is_test: bool = False,
    extra_payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """``extra_payload`` adds keys to the row's payload, e.g. a test run's sample inputs."""
    message = outbox.enqueue(
        kind=kinds.TIMED_STEP if timed else kinds.STEP,
        key=f"workflow:{workflow.pk}:{subject}:{occurrence_key}:step:{step.pk}",
        payload={
            **(extra_payload or {}),
            "workflow_id": workflow.pk,
            "step_id": step.pk,
            "occurrence": occurrence_key,
            "event": event,
            "is_test": is_test,
        },
        subject=subject,
        due_at=due,
        max_attempts=MAX_ATTEMPTS.get(step.action),
    )
    WorkflowRun.objects.get_or_create(
        message=message,
        defaults={"workflow": workflow, "step": step, "subject": subject, "is_test": is_test},
    )
    return message


def next_step(workflow: Workflow, step: WorkflowStep) -> WorkflowStep | None:
    return (
        workflow.steps.filter(
            Q(position__gt=step.position) | Q(position=step.position, pk__gt=step.pk)
        )
        .order_by("position", "pk")
        .first()
    )
