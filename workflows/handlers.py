"""The outbox handler that runs one workflow step, then queues the next one."""

from __future__ import annotations

from typing import Any

from workflows import context, kinds, outbox, runner
from workflows.models import OutboxMessage, WorkflowStep
from workflows.render import PLACEHOLDER
from workflows.senders import SENDERS, Delivery

TEST_INPUTS = ("variables", "sample")


def run_step(message: OutboxMessage) -> None:
    payload = message.payload
    step = WorkflowStep.objects.select_related("workflow").filter(pk=payload.get("step_id")).first()
    if step is None:
        raise outbox.Drop("the step was removed")
    workflow = step.workflow
    is_test = bool(payload.get("is_test"))
    if not is_test and not workflow.is_enabled:
        raise outbox.Drop("the workflow is disabled")
    variables, data = _inputs(message, step, is_test=is_test)
    sender = SENDERS.get(step.action)
    if sender is None:
        raise outbox.Fail(f"No sender for the {step.get_action_display()} action")
    sender(
        Delivery(
            workflow=workflow,
            step=step,
            workspace_id=workflow.workspace_id,
            variables=variables,
            payload=data,
            message=message,
            event=payload.get("event", workflow.trigger),
            is_test=is_test,
        )
    )
    following = runner.next_step(workflow, step)
    if following is not None:
        runner.enqueue_step(
            workflow,
            following,
            subject=message.subject,
            occurrence_key=payload.get("occurrence", ""),
            event=payload.get("event", workflow.trigger),
            is_test=is_test,
            # The rest of a timed workflow stays timed: withdrawn on cancel, checked when due.
            timed=message.kind == kinds.TIMED_STEP.name,
            # A test run has no booking to read: its sample inputs travel with each step.
            extra_payload={k: payload[k] for k in TEST_INPUTS if k in payload} if is_test else None,
        )


def _inputs(
    message: OutboxMessage, step: WorkflowStep, *, is_test: bool
) -> tuple[dict[str, str], dict[str, Any]]:
    if is_test:
        sample: dict[str, str] = dict(message.payload.get("variables") or {})
        return sample, dict(message.payload.get("sample") or {})
    found = context.split(message.subject)
    if found is None:
        raise outbox.Drop(f"nothing to run for {message.subject!r}")
    provider, object_id = found
    if message.kind == kinds.TIMED_STEP.name and not provider.is_live(object_id):
        raise outbox.Drop("the booking is no longer confirmed")
    variables = provider.values(object_id)
    if variables is None:
        raise outbox.Drop("the booking no longer exists")
    named = set(PLACEHOLDER.findall(f"{step.subject} {step.body} {step.address}"))
    made = provider.send_values(object_id, names=named, send_key=message.idempotency_key)
    return {**variables, **made}, provider.payload(object_id)
