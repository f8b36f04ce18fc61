"""Channel senders: one small module per workflow action, registered by action name.

A sender gets a :class:`Delivery` (the step, the filled-in variables, the occurrence's payload
and its outbox row) and either returns (sent), raises :class:`workflows.outbox.Retry` or any
exception (retried with backoff), or raises :class:`workflows.outbox.Fail` (a visible failure
at once, e.g. an opted-out number). Provider SDKs live in ``integrations/``, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
SENDERS: dict[str, Sender] = {}


def register(action: str) -> Callable[[Sender], Sender]:
    def decorator(sender: Sender) -> Sender:
        SENDERS[action] = sender
        return sender

    return decorator
