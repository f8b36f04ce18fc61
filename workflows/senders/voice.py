"""AI voice call (Business plan): hand the booking to the workspace's voice agent, or have
Twilio call and read the step's text.

With ``config["agent_url"]`` the booking is POSTed there as JSON, through the same public-address
guard as webhooks; the agent places the call. Without it Twilio calls the attendee (or the host,
or the step's number) and speaks the rendered body. A test run calls the host only.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from integrations.twilio import client as twilio
from workestra.lib import outbound
from workflows import outbox, sms
from workflows.models import WorkflowStep
from workflows.render import render
from workflows.senders import Delivery
from workflows.senders.sms import recipient_phone, require_plan

EVENT_TYPE = "voice_call.requested"
# Answers from an agent that sending the same request again cannot change.
FINAL_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413, 422})


def agent_body(delivery: Delivery, *, to: str, script: str) -> str:
    document = {
        "type": EVENT_TYPE,
        "event": delivery.event,
        "timestamp": delivery.message.created_at.isoformat(),
        "test": delivery.is_test,
        "call": {"to": to, "script": script},
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def call_agent(delivery: Delivery, url: str, *, to: str, script: str) -> None:
    result = outbound.post(
        url,
        content=agent_body(delivery, to=to, script=script).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": delivery.message.idempotency_key[:200],
        },
    )
    if result.ok:
        return
    outcome = result.describe()
    if result.refused or result.redirected or result.status in FINAL_STATUSES:
        raise outbox.Fail(f"The voice agent at {url} did not take the call: {outcome}")
    message = delivery.message
    delay = outbound.backoff(message.attempts, message.max_attempts)
    wait = outbound.retry_after(result) if result.status in (429, 503) else None
    raise outbox.Retry(f"Voice agent {url}: {outcome}", after=max(delay, wait or delay))


def voice_call(delivery: Delivery) -> None:
    require_plan(delivery.workspace_id, WorkflowStep.Action.VOICE)
    to = recipient_phone(delivery)
    if sms.is_opted_out(delivery.workspace_id, to):
        raise outbox.Fail(f"{to} replied STOP to our texts, so it is not called either.")
    script = render(delivery.step.body, delivery.variables).strip()
    agent_url = str(delivery.step.config.get("agent_url") or "").strip()
    if agent_url:
        call_agent(delivery, agent_url, to=to, script=script)
        return
    if not script:
        raise outbox.Fail("The call has nothing to say: add the text to the step.")
    credentials = sms.twilio_account(delivery.workspace_id)
    try:
        twilio.place_call(to, twilio.say_twiml(script), credentials=credentials)
    except twilio.TwilioError as exc:
        if exc.permanent:
            raise outbox.Fail(str(exc)) from exc
        raise
