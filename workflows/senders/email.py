"""Send email: to the attendee, the host or any address, through Django's email backend."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from workflows import outbox
from workflows.models import WorkflowStep
from workflows.render import render
from workflows.senders import Delivery

Recipient = WorkflowStep.Recipient


def recipient_email(delivery: Delivery) -> str:
    """Where the email goes; a test run always goes to the host who asked for it."""
    step, values = delivery.step, delivery.variables
    if delivery.is_test or step.recipient == Recipient.HOST:
        return values.get("host_email", "")
    if step.recipient == Recipient.ADDRESS:
        return render(step.address, values)
    return values.get("attendee_email", "")


def send_email(delivery: Delivery, *, subject: str, body: str) -> None:
    to = recipient_email(delivery)
    if not to:
        raise outbox.Fail("No email address to send to.")
    host = delivery.variables.get("host_email", "")
    subject = " ".join(subject.split())  # no header injection through a variable
    EmailMessage(
        subject=f"[Test] {subject}" if delivery.is_test else subject,
        body=body,
        from_email=settings.NOREPLY_EMAIL,
        to=[to],
        reply_to=[host] if host else None,
        headers={"X-Workestra-Message": delivery.message.idempotency_key[:200]},
    ).send()


def email(delivery: Delivery) -> None:
    values = delivery.variables
    send_email(
        delivery,
        subject=render(delivery.step.subject, values),
        body=render(delivery.step.body, values),
    )
