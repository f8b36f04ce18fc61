"""The workflow runner's own rules: what happens to a step when things change before it runs,
and the outbox's immediate-failure and own-schedule retry answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from booking import automation, services
from tests.booking.helpers import attendee, utc
from workflows import kinds, outbox
from workflows.kinds import Kind
from workflows.models import OutboxMessage, Workflow, WorkflowStep

pytestmark = pytest.mark.usefixtures("frozen")
START = utc(2026, 11, 24, 9)


def workflow(workspace, trigger=Workflow.Trigger.BOOKING_CREATED, offset=0, action="email"):
    wf = Workflow.objects.create(
        workspace=workspace, name="Thanks", trigger=trigger, offset_minutes=offset, is_enabled=True
    )
    WorkflowStep.objects.create(
        workflow=wf,
        action=action,
        subject="Thanks {{attendee_name}}",
        body="See you at {{start_time}}",
    )
    return wf


def step_rows():
    return OutboxMessage.objects.filter(kind__startswith="workflow.")


def test_a_step_of_a_workflow_disabled_before_it_runs_is_dropped(link, workspace):
    wf = workflow(workspace)
    services.booking_create(link=link, start=START, attendee=attendee())
    Workflow.objects.filter(pk=wf.pk).update(is_enabled=False)

    outbox.drain()

    row = step_rows().get()
    assert row.state == "sent"  # closed without sending
    assert "disabled" in row.last_error
    assert not [m for m in mail.outbox if m.subject.startswith("Thanks")]


def test_a_timed_step_for_a_cancelled_booking_never_runs(link, workspace):
    workflow(workspace, trigger=Workflow.Trigger.BEFORE_START, offset=60)
    booking = services.booking_create(link=link, start=START, attendee=attendee())
    row = step_rows().get()
    assert row.due_at == START - timedelta(hours=1)

    services.booking_cancel(booking=booking)

    assert step_rows().get().state == "withdrawn"


def test_a_timed_step_already_past_is_not_scheduled(link, workspace):
    workflow(workspace, trigger=Workflow.Trigger.BEFORE_START, offset=60 * 48)

    services.booking_create(link=link, start=START, attendee=attendee())

    assert not step_rows().exists()


def test_an_action_without_a_sender_is_a_visible_failure(link, workspace):
    wf = workflow(workspace)
    WorkflowStep.objects.filter(workflow=wf).update(action="carrier-pigeon")

    services.booking_create(link=link, start=START, attendee=attendee())
    outbox.drain()

    row = step_rows().get()
    assert row.state == "failed"
    assert "No sender" in row.last_error
    assert row.attempts == 1


def test_the_email_step_renders_variables_for_the_attendee(link, workspace):
    workflow(workspace)

    services.booking_create(link=link, start=START, attendee=attendee())
    outbox.drain()

    thanks = next(m for m in mail.outbox if m.subject.startswith("Thanks"))
    assert thanks.subject == "Thanks Alice Attendee"
    assert thanks.to == ["alice@example.com"]
    assert "See you at Tuesday, 24 November 2026, 10:00 (Europe/Berlin)" in thanks.body
    assert thanks.reply_to == [link.owner.email]


def _fails_now(message):
    raise outbox.Fail("the number opted out")


def _retries_later(message):
    raise outbox.Retry("busy", after=timedelta(minutes=7))


kinds.register(
    Kind("test.fail-now", handler=_fails_now), Kind("test.retry-later", handler=_retries_later)
)


def test_fail_ends_a_row_at_once_and_retry_uses_the_handlers_delay(db):
    outbox.enqueue(kind="test.fail-now", key="a")
    outbox.enqueue(kind="test.retry-later", key="b")

    outbox.drain()

    failed = OutboxMessage.objects.get(idempotency_key="a")
    assert (failed.state, failed.attempts, failed.last_error) == (
        "failed",
        1,
        "the number opted out",
    )
    later = OutboxMessage.objects.get(idempotency_key="b")
    assert later.state == "retrying"
    assert later.due_at == timezone.now() + timedelta(minutes=7)
    with time_machine.travel(timezone.now() + timedelta(minutes=7), tick=False):
        outbox.drain()
    assert OutboxMessage.objects.get(idempotency_key="b").attempts == 2


def test_payment_received_runs_its_workflows_once(link, workspace):
    workflow(workspace, trigger=Workflow.Trigger.PAYMENT_RECEIVED)
    booking = services.booking_create(link=link, start=START, attendee=attendee())

    automation.on_payment_received(booking)
    automation.on_payment_received(booking)  # a duplicate payment notification
    outbox.drain()

    assert len([m for m in mail.outbox if m.subject == "Thanks Alice Attendee"]) == 1
