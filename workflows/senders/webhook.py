"""Call webhook: POST the booking as signed JSON (Standard Webhooks) to a workspace endpoint.

Every attempt is logged as a :class:`WebhookDelivery` (Settings → Webhooks). The ``webhook-id``
comes from the outbox row's key, so retries repeat it; failures are retried with doubling,
jittered delays over about a day; a ``410 Gone`` switches the endpoint off.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from workestra.lib import outbound, signing
from workflows import outbox
from workflows.models import WebhookDelivery, WebhookEndpoint, Workflow
from workflows.senders import Delivery

Trigger = Workflow.Trigger

EVENT_TYPES: dict[str, str] = {
    Trigger.BOOKING_CREATED: "booking.created",
    Trigger.BOOKING_RESCHEDULED: "booking.rescheduled",
    Trigger.BOOKING_CANCELLED: "booking.cancelled",
    Trigger.NO_SHOW: "booking.no_show",
    Trigger.PAYMENT_RECEIVED: "booking.payment_received",
    Trigger.BEFORE_START: "booking.reminder",
    Trigger.AT_START: "booking.started",
    Trigger.AFTER_END: "booking.ended",
}


def event_type(trigger: str) -> str:
    """The ``type`` of the payload, e.g. ``booking.created`` for the booking-created trigger."""
    return EVENT_TYPES.get(trigger) or f"booking.{trigger}"[:40]


def endpoint_for(delivery: Delivery) -> WebhookEndpoint:
    """The step's endpoint, only from the workflow's own workspace."""
    raw = delivery.step.config.get("endpoint_id")
    try:
        endpoint_id = int(raw)
    except (TypeError, ValueError):
        raise outbox.Fail(
            "This step has no webhook endpoint; choose one in the workflow."
        ) from None
    endpoint = WebhookEndpoint.objects.filter(
        pk=endpoint_id, workspace_id=delivery.workspace_id
    ).first()
    if endpoint is None:
        raise outbox.Fail("The webhook endpoint of this step no longer exists.")
    return endpoint


def body_for(delivery: Delivery) -> str:
    """The JSON body: the same bytes on every retry (the event time is the row's, not now)."""
    document = {
        "type": event_type(delivery.event),
        "timestamp": delivery.message.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def webhook(delivery: Delivery) -> None:
    endpoint = endpoint_for(delivery)
    if not endpoint.is_active:
        reason = endpoint.disabled_reason or "it was switched off"
        raise outbox.Fail(f"The webhook endpoint {endpoint.url} is disabled: {reason}")
    event = event_type(delivery.event)
    msg_id = signing.message_id(delivery.message.idempotency_key)
    body = body_for(delivery)
    timestamp = int(timezone.now().timestamp())
    try:
        signed = signing.headers(endpoint.secret, msg_id=msg_id, timestamp=timestamp, body=body)
    except ValueError as exc:
        raise outbox.Fail(f"The endpoint's signing secret is broken: {exc}") from None

    result = outbound.post(
        endpoint.url,
        content=body.encode("utf-8"),
        headers={"Content-Type": "application/json", **signed},
    )
    outcome = "" if result.ok else result.describe()
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id=msg_id,
        event=event,
        request_body=body,
        response_status=result.status,
        response_excerpt=result.excerpt,
        error=outcome[:300],
        duration_ms=result.duration_ms,
    )
    if result.ok:
        return
    if result.refused:
        raise outbox.Fail(outcome)
    if result.status == 410:
        reason = f"The endpoint answered 410 Gone on {timezone.now():%Y-%m-%d %H:%M} UTC."
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, disabled_reason=reason
        )
        raise outbox.Fail(f"{reason} It was switched off; re-enable it in Settings → Webhooks.")
    message = delivery.message
    delay = outbound.backoff(message.attempts, message.max_attempts)
    wait = outbound.retry_after(result) if result.status in (429, 503) else None
    raise outbox.Retry(f"{endpoint.url}: {outcome}", after=max(delay, wait or delay))
