"""Send Slack message: post a Block Kit message to a Slack incoming-webhook URL.

The HTTP side (URL check, the post, which answers are final) is ``integrations.slack.client``.
A 429 is retried after its ``Retry-After``, server errors with the usual backoff, and the answers
Slack documents as final end as a visible failure at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from integrations.slack import client
from workestra.lib import outbound
from workflows import outbox
from workflows.models import Workflow
from workflows.render import render
from workflows.senders import Delivery

Trigger = Workflow.Trigger
HEADER_LIMIT = 150
SECTION_LIMIT = 3000

HEADERS: dict[str, str] = {
    Trigger.BOOKING_CREATED: "New booking",
    Trigger.BOOKING_RESCHEDULED: "Booking rescheduled",
    Trigger.BOOKING_CANCELLED: "Booking cancelled",
    Trigger.NO_SHOW: "No-show",
    Trigger.PAYMENT_RECEIVED: "Payment received",
    Trigger.BEFORE_START: "Upcoming meeting",
    Trigger.AT_START: "Meeting starting",
    Trigger.AFTER_END: "Meeting ended",
}
SENTENCES: dict[str, str] = {
    Trigger.BOOKING_CREATED: "*{attendee}* booked *{event}* with {host} for {when}.",
    Trigger.BOOKING_RESCHEDULED: "*{attendee}* moved *{event}* with {host} to {when}.",
    Trigger.BOOKING_CANCELLED: "*{event}* of *{attendee}* with {host} on {when} was cancelled.",
    Trigger.NO_SHOW: "*{attendee}* did not show up for *{event}* with {host} on {when}.",
    Trigger.PAYMENT_RECEIVED: "*{attendee}* paid for *{event}* with {host} on {when}.",
    Trigger.BEFORE_START: "*{event}* with *{attendee}* and {host} starts {when}.",
    Trigger.AT_START: "*{event}* with *{attendee}* and {host} is starting now ({when}).",
    Trigger.AFTER_END: "*{event}* with *{attendee}* and {host} has ended ({when}).",
}
# After these the booking's reschedule and cancel links no longer work: no buttons then.
CLOSED_EVENTS = (Trigger.BOOKING_CANCELLED, Trigger.NO_SHOW, Trigger.AFTER_END)


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: a name like ``<!channel>`` must not ping the whole channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def when_text(values: Mapping[str, str]) -> str:
    """The meeting's time in the host's zone, e.g. ``Wed 25 Nov 2026, 10:00–10:30
    (Europe/Berlin)``, as a Slack date token so each reader sees it in their own zone."""
    start = _parse(values.get("start_time_iso", ""))
    if start is None:
        return escape(values.get("start_time", "")) or "an unknown time"
    end = _parse(values.get("end_time_iso", ""))
    zone = values.get("host_timezone") or str(start.tzinfo)
    plain = f"{start:%a} {start.day} {start:%b %Y, %H:%M}"
    if end is not None:
        plain += f"–{end:%H:%M}"
    plain = escape(f"{plain} ({zone})")
    return f"<!date^{int(start.timestamp())}^{{date_short_pretty}} at {{time}}|{plain}>"


def build_message(
    *, event: str, body: str, variables: Mapping[str, str], is_test: bool = False
) -> dict[str, Any]:
    """The Block Kit message: a header, the step's text, the key facts and manage buttons."""
    safe = {name: escape(value or "") for name, value in variables.items()}
    event_name = variables.get("event_type_name") or "Meeting"
    header = f"{HEADERS.get(event, 'Booking update')}: {event_name}"
    if is_test:
        header = f"[Test] {header}"
    header = header[: HEADER_LIMIT - 1] + "…" if len(header) > HEADER_LIMIT else header

    attendee = safe.get("attendee_name") or safe.get("attendee_email") or "Someone"
    host = safe.get("host_name") or "the host"
    when = when_text(variables)
    text = render(body, safe).strip()
    if not text:
        sentence = SENTENCES.get(event, "*{attendee}*: *{event}* with {host}, {when}.")
        text = sentence.format(attendee=attendee, event=escape(event_name), host=host, when=when)
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"

    contact = "\n".join(v for v in (safe.get("attendee_name"), safe.get("attendee_email")) if v)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Attendee*\n{contact or 'Unknown'}"},
                {"type": "mrkdwn", "text": f"*Host*\n{host}"},
                {"type": "mrkdwn", "text": f"*Time*\n{when}"},
            ],
        },
    ]
    buttons = []
    if event not in CLOSED_EVENTS:
        for label, name in (("Reschedule", "reschedule_url"), ("Cancel", "cancel_url")):
            url = variables.get(name, "")
            if url.startswith(("https://", "http://")) and len(url) <= 3000:
                buttons.append(
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": label},
                        "url": url,
                        "action_id": name,
                    }
                )
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": header, "blocks": blocks}


def slack(delivery: Delivery) -> None:
    url = str(delivery.step.config.get("slack_url") or "").strip()
    if not url:
        raise outbox.Fail("This step has no Slack webhook URL.")
    problem = client.slack_url_problem(url)
    if problem:
        raise outbox.Fail(problem)
    message = build_message(
        event=delivery.event,
        body=delivery.step.body,
        variables=delivery.variables,
        is_test=delivery.is_test,
    )
    result = client.post_message(url, message)
    if result.ok:
        return
    outcome = f"Slack: {result.describe()}"
    if client.is_final(result):
        raise outbox.Fail(outcome)
    if result.status == 429:
        wait = outbound.retry_after(result)
        if wait is not None:
            raise outbox.Retry(outcome, after=wait)
    row = delivery.message
    raise outbox.Retry(outcome, after=outbound.backoff(row.attempts, row.max_attempts))
