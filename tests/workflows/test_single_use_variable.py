"""``{{single_use_url}}``: a fresh single-use link made at send time (single-use-links.txt), the
same one again when the same outbox row is retried."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.core import mail

from booking import services
from booking.automation import SAMPLE_VARIABLES
from booking.models import Booking, SingleUseLink
from tests.booking.helpers import attendee, utc
from tests.conftest import NOW
from workflows import handlers, kinds, outbox, rules
from workflows.models import OutboxMessage, Workflow, WorkflowStep

START = utc(2026, 11, 23, 9, 0)  # 10:00 in Berlin, two hours after NOW
URL = re.compile(r"http\S+/single-use/([0-9a-f]{32})")


def no_show_workflow(workspace, *bodies: str) -> Workflow:
    workflow = Workflow.objects.create(
        workspace=workspace,
        name="No-show follow-up",
        trigger=Workflow.Trigger.NO_SHOW,
        all_links=True,
        is_enabled=True,
    )
    for n, body in enumerate(bodies):
        WorkflowStep.objects.create(
            workflow=workflow,
            position=n,
            action=WorkflowStep.Action.EMAIL,
            subject="Missed you",
            body=body,
        )
    return workflow


def no_show(link, owner) -> Booking:
    booking = services.booking_create(link=link, start=START, attendee=attendee())
    outbox.drain()
    mail.outbox.clear()
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        services.booking_mark_no_show(booking=booking, actor=owner)
        outbox.drain()
    return booking


def tokens_sent() -> list[str]:
    return [t for m in mail.outbox for t in URL.findall(m.body)]


def test_the_variable_is_accepted_in_templates():
    rules.check_variables("Book again: {{single_use_url}}")  # no longer "Unknown variable"


def test_a_no_show_follow_up_carries_a_fresh_link_for_the_contact(
    client, workspace, link, owner, frozen
):
    no_show_workflow(workspace, "You missed us. Book again: {{single_use_url}}")
    booking = no_show(link, owner)
    (token,) = tokens_sent()
    single = SingleUseLink.objects.get()
    assert single.token == token
    assert (single.link, single.contact) == (link, booking.contact)
    assert single.contact.email == "alice@example.com" and single.consumed_at is None
    response = client.get(f"/single-use/{token}")
    assert response["Location"] == f"{link.public_path}?single_use={token}"


def test_each_send_makes_its_own_token(workspace, link, owner, frozen):
    no_show_workflow(workspace, "First: {{single_use_url}}", "Again: {{single_use_url}}")
    no_show(link, owner)
    first, second = tokens_sent()
    assert first != second
    assert SingleUseLink.objects.count() == 2


def test_a_retry_of_the_same_outbox_row_sends_the_same_token(workspace, link, owner, frozen):
    no_show_workflow(workspace, "Book again: {{single_use_url}}")
    no_show(link, owner)
    row = OutboxMessage.objects.get(kind=kinds.STEP.name)
    handlers.run_step(row)  # the worker died after sending and the row ran again
    first, again = tokens_sent()
    assert first == again
    assert SingleUseLink.objects.get().send_key == row.idempotency_key


def test_steps_without_the_variable_make_no_token(workspace, link, owner, frozen):
    no_show_workflow(workspace, "Sorry we missed you, {{attendee_name}}.")
    no_show(link, owner)
    assert [m.subject for m in mail.outbox] == ["Missed you"]
    assert not SingleUseLink.objects.exists()


def test_the_send_test_sample_fills_it_in():
    assert SAMPLE_VARIABLES["single_use_url"].endswith("/single-use/sample")
