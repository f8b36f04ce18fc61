"""Ask the attendee to reconfirm by a deadline; unconfirmed by then, the booking is cancelled."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from workflows import context
from workflows.render import render
from workflows.senders import Delivery
from workflows.senders.email import send_email

DEFAULT_DEADLINE_MINUTES = 12 * 60
DEFAULT_SUBJECT = "Please confirm you can still make {{event_type_name}}"
DEFAULT_BODY = (
    "Hi {{attendee_name}},\n\nYou're booked for {{event_type_name}} on {{start_time}}.\n"
    "Please confirm you can still make it: {{reconfirm_url}}\n\n"
    "If we don't hear from you by {{reconfirm_deadline}}, the time will be released.\n"
    "Can't make it? {{reschedule_url}}"
)


def reconfirm(delivery: Delivery) -> None:
    minutes = int(delivery.step.config.get("deadline_minutes") or DEFAULT_DEADLINE_MINUTES)
    deadline = timezone.now() + timedelta(minutes=minutes)
    values = {**delivery.variables, "reconfirm_deadline": f"{deadline:%Y-%m-%d %H:%M} UTC"}
    if not delivery.is_test:
        found = context.split(delivery.message.subject)
        if found is not None:
            provider, object_id = found
            provider.request_reconfirmation(object_id, deadline=deadline)
    send_email(
        delivery,
        subject=render(delivery.step.subject or DEFAULT_SUBJECT, values),
        body=render(delivery.step.body or DEFAULT_BODY, values),
    )
