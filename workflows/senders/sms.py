"""Send SMS: to the attendee's phone, the host's or another number, through Twilio.

Pro and Business plans only; each message costs one credit (see :mod:`workflows.sms`).
"""

from __future__ import annotations

from workestra.models import Workspace
from workflows import outbox, rules, sms
from workflows.models import WorkflowStep
from workflows.render import render
from workflows.senders import Delivery

Recipient = WorkflowStep.Recipient


def recipient_phone(delivery: Delivery) -> str:
    """The E.164 number to text; a test run always goes to the host who asked for it."""
    step, values = delivery.step, delivery.variables
    if delivery.is_test or step.recipient == Recipient.HOST:
        raw, whose = values.get("host_phone", ""), "host's"
        missing = "The host has no phone number: add one to the profile to receive texts."
    elif step.recipient == Recipient.ADDRESS:
        raw, whose = render(step.address, values), "step's"
        missing = "The step has no phone number to text."
    else:
        raw, whose = values.get("attendee_phone", ""), "attendee's"
        missing = "The attendee gave no phone number, so no SMS was sent."
    if not raw.strip():
        raise outbox.Fail(missing)
    try:
        return sms.normalise(raw)
    except sms.InvalidPhone as exc:
        raise outbox.Fail(f"The {whose} phone number cannot be texted: {exc}") from exc


def require_plan(workspace_id: int, action: str) -> None:
    """Fail visibly when the workspace's plan (read now, not when queued) lacks ``action``."""
    plan = Workspace.objects.filter(pk=workspace_id).values_list("plan", flat=True).first()
    message = rules.action_message(plan or Workspace.Plan.FREE, action)
    if message:
        raise outbox.Fail(message)


def send_sms(delivery: Delivery) -> None:
    require_plan(delivery.workspace_id, WorkflowStep.Action.SMS)
    sms.twilio_account(delivery.workspace_id)  # fail before anything else when there is none
    to = recipient_phone(delivery)
    body = render(delivery.step.body, delivery.variables).strip()[: sms.MAX_BODY]
    if not body:
        raise outbox.Fail("The SMS text is empty.")
    if delivery.is_test:
        body = f"[Test] {body}"[: sms.MAX_BODY]
    sms.send(delivery.workspace_id, to=to, body=body, key=delivery.message.idempotency_key)
