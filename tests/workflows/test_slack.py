"""Send Slack message: a Block Kit message posted to a stand-in for Slack's incoming webhook (a
real local HTTP server), the URL check, 429 Retry-After and the address guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from booking import services
from integrations.slack.client import slack_url_problem
from tests.booking.helpers import utc
from tests.workflows.http_receiver import fake_dns, running_receiver
from workflows import outbox
from workflows.models import OutboxMessage, Workflow, WorkflowRun, WorkflowStep
from workflows.senders.slack import build_message

START = utc(2026, 11, 25, 9, 0)  # 10:00 in Berlin, the link's zone
SLACK_PATH = "/services/T0001/B0001/abcdefghijklmnop"


@pytest.fixture
def receiver():
    yield from running_receiver()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True


def slack_workflow(workspace, url, *, body="", trigger=Workflow.Trigger.BOOKING_CREATED):
    workflow = Workflow.objects.create(
        workspace=workspace, name="Team ping", trigger=trigger, all_links=True, is_enabled=True
    )
    return WorkflowStep.objects.create(
        workflow=workflow, action=WorkflowStep.Action.SLACK, body=body, config={"slack_url": url}
    )


def step_row() -> OutboxMessage:
    return WorkflowRun.objects.select_related("message").get().message


def test_a_booking_posts_a_readable_block_kit_message(
    link, workspace, frozen, loopback, receiver, booked
):
    slack_workflow(workspace, receiver.url(SLACK_PATH))
    booking = booked(link, START)
    outbox.drain()

    assert step_row().state == "sent"
    [request] = receiver.requests
    assert request.path == SLACK_PATH
    assert request.headers["content-type"].startswith("application/json")
    message = request.json()
    header, text, facts, actions = message["blocks"]
    assert message["text"] == "New booking: Intro call"
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "New booking: Intro call", "emoji": True},
    }
    assert text["type"] == "section" and text["text"]["type"] == "mrkdwn"
    when = "Wed 25 Nov 2026, 10:00–10:30 (Europe/Berlin)"
    assert text["text"]["text"].startswith(
        "*Alice Attendee* booked *Intro call* with Olga Owner for <!date^"
    )
    assert f"|{when}>" in text["text"]["text"]
    attendee_field, host_field, time_field = facts["fields"]
    assert attendee_field["text"] == "*Attendee*\nAlice Attendee\nalice@example.com"
    assert host_field["text"] == "*Host*\nOlga Owner"
    assert time_field["text"] == (
        f"*Time*\n<!date^{int(START.timestamp())}^{{date_short_pretty}} at {{time}}|{when}>"
    )
    assert actions["type"] == "actions"
    assert [(b["text"]["text"], b["url"]) for b in actions["elements"]] == [
        ("Reschedule", booking.reschedule_url),
        ("Cancel", booking.cancel_url),
    ]


def test_the_steps_text_is_rendered_and_attendee_input_cannot_ping_the_channel(
    link, workspace, frozen, loopback, receiver, booked
):
    slack_workflow(
        workspace,
        receiver.url(SLACK_PATH),
        body="{{attendee_name}} booked {{event_type_name}} ({{attendee_email}})",
    )
    booked(link, START, name="<!channel> Mallory & co")
    outbox.drain()

    message = receiver.requests[0].json()
    text = message["blocks"][1]["text"]["text"]
    assert text == "&lt;!channel&gt; Mallory &amp; co booked Intro call (alice@example.com)"
    assert "<!channel>" not in receiver.requests[0].body.decode()


def test_a_cancellation_says_so_without_dead_manage_buttons(
    link, workspace, frozen, loopback, receiver, booked
):
    slack_workflow(workspace, receiver.url(SLACK_PATH), trigger=Workflow.Trigger.BOOKING_CANCELLED)
    booking = booked(link, START)
    services.booking_cancel(booking=booking, reason="Travelling")
    outbox.drain()

    message = receiver.requests[0].json()
    assert message["text"] == "Booking cancelled: Intro call"
    assert "was cancelled" in message["blocks"][1]["text"]["text"]
    assert [block["type"] for block in message["blocks"]] == ["header", "section", "section"]


def test_429_is_retried_after_slacks_retry_after(
    link, workspace, frozen, loopback, receiver, booked
):
    receiver.then(429, b"rate_limited", **{"Retry-After": "7"})
    slack_workflow(workspace, receiver.url(SLACK_PATH))
    booked(link, START)
    outbox.drain()
    row = step_row()

    assert row.state == "retrying" and "429" in row.last_error
    assert row.due_at == timezone.now() + timedelta(seconds=7)
    frozen.shift(timedelta(seconds=7))
    outbox.drain()
    row.refresh_from_db()
    assert row.state == "sent" and len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body


def test_server_errors_are_retried_with_backoff(
    link, workspace, frozen, loopback, receiver, booked
):
    receiver.then(503, b"service_unavailable")
    slack_workflow(workspace, receiver.url(SLACK_PATH))
    booked(link, START)
    outbox.drain()
    row = step_row()
    assert row.state == "retrying" and row.max_attempts == 12
    assert timedelta(seconds=30) <= row.due_at - timezone.now() <= timedelta(seconds=60)
    frozen.shift(row.due_at - timezone.now())
    outbox.drain()
    row.refresh_from_db()
    assert row.state == "sent"


@pytest.mark.parametrize(
    ("status", "answer"), [(404, b"no_service"), (410, b"channel_is_archived")]
)
def test_answers_slack_documents_as_final_fail_at_once(
    link, workspace, frozen, loopback, receiver, status, answer, booked
):
    receiver.then(status, answer)
    slack_workflow(workspace, receiver.url(SLACK_PATH))
    booked(link, START)
    outbox.drain()
    row = step_row()
    assert row.state == "failed" and row.attempts == 1
    assert answer.decode() in row.last_error


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/services/T/B/X",
        "http://hooks.slack.com/services/T/B/X",
        "https://hooks.slack.com.evil.example/services/T/B/X",
        "https://hooks.slack.com:8443/services/T/B/X",
        "https://hooks.slack.com/api/whatever",
    ],
)
def test_only_slack_webhook_urls_are_called(link, workspace, frozen, loopback, url, booked):
    slack_workflow(workspace, url)
    booked(link, START)
    outbox.drain()
    row = step_row()
    assert row.state == "failed" and row.attempts == 1
    assert "https://hooks.slack.com/services/" in row.last_error


def test_without_the_loopback_setting_a_local_url_is_refused(
    link, workspace, frozen, receiver, settings, booked
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    slack_workflow(workspace, receiver.url(SLACK_PATH))
    booked(link, START)
    outbox.drain()
    assert step_row().state == "failed" and receiver.requests == []


def test_slack_is_called_only_at_public_addresses(
    link, workspace, frozen, monkeypatch, settings, booked
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    lookups = fake_dns(monkeypatch, {"hooks.slack.com": ["10.0.0.7"]})
    slack_workflow(workspace, "https://hooks.slack.com" + SLACK_PATH)
    booked(link, START)
    outbox.drain()
    row = step_row()
    assert lookups == {"hooks.slack.com": 1}
    assert row.state == "failed" and "Refused" in row.last_error and "private" in row.last_error


def test_a_missing_url_fails_visibly(link, workspace, frozen, booked):
    slack_workflow(workspace, "")
    booked(link, START)
    outbox.drain()
    row = step_row()
    assert row.state == "failed" and "no Slack webhook URL" in row.last_error


def test_slack_url_check():
    assert slack_url_problem("https://hooks.slack.com/services/T0/B0/x") == ""
    assert slack_url_problem("https://hooks.slack.com/workflows/T0/A0/1/x") == ""
    assert slack_url_problem("https://user@hooks.slack.com/services/T0/B0/x")
    assert slack_url_problem("https://hooks.slack.com:99999/services/x")


def test_a_test_run_is_marked_and_an_unknown_time_still_reads_well():
    message = build_message(
        event="booking_created",
        body="",
        variables={"attendee_name": "Sam", "event_type_name": "Demo"},
        is_test=True,
    )
    assert message["text"] == "[Test] New booking: Demo"
    assert message["blocks"][1]["text"]["text"] == (
        "*Sam* booked *Demo* with the host for an unknown time."
    )
    assert len(message["blocks"]) == 3
