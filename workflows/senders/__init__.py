"""Channel senders: one small module per workflow action, declared in :data:`DECLARED` and
registered by action name from ``WorkflowsConfig.ready()``, never by importing a module.

A sender gets a :class:`Delivery` (the step, the filled-in variables, the occurrence's payload
and its outbox row) and either returns (sent), raises :class:`workflows.outbox.Retry` or any
exception (retried with backoff), or raises :class:`workflows.outbox.Fail` (a visible failure
at once, e.g. an opted-out number). Provider SDKs live in ``integrations/``, never here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

from workflows.models import OutboxMessage, Workflow, WorkflowStep


@dataclass(frozen=True)
class Delivery:
    workflow: Workflow
    step: WorkflowStep
    workspace_id: int
    # Every {{name}} of the occurrence, filled in (attendee_email, host_phone, start_time, …).
    variables: dict[str, str]
    # The occurrence as JSON (the booking) for webhooks and voice agents.
    payload: dict[str, Any]
    message: OutboxMessage
    event: str  # the trigger, e.g. "booking_created"
    is_test: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


Sender = Callable[[Delivery], None]
Action = WorkflowStep.Action

#: The sender of each action, by dotted path: imported at registration, so a misspelt path
#: stops start-up, and a test fails when an action has none.
DECLARED: dict[str, str] = {
    Action.EMAIL: "workflows.senders.email.email",
    Action.SMS: "workflows.senders.sms.send_sms",
    Action.SLACK: "workflows.senders.slack.slack",
    Action.WEBHOOK: "workflows.senders.webhook.webhook",
    Action.VOICE: "workflows.senders.voice.voice_call",
    Action.RECONFIRM: "workflows.senders.reconfirm.reconfirm",
}
SENDERS: dict[str, Sender] = {}


def register(senders: Mapping[str, str | Sender]) -> None:
    """Make each action deliverable by its sender (a dotted path or the function itself)."""
    for action, sender in senders.items():
        SENDERS[action] = import_string(sender) if isinstance(sender, str) else sender
