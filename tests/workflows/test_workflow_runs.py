"""Workflows running: "Send test" from the settings, the run history, and real triggers end to end
through the booking services (created, cancelled, rescheduled, no-show, timed, reconfirmation).

Emails go to Django's test outbox; the outbox is drained by hand with the clock frozen.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from booking import automation, kinds, services
from booking.models import Booking
from tests.booking.helpers import utc
from tests.factories import LinkFactory
from tests.workflows.test_workflow_settings import (
    THANKS,
    make_workflow,
    runs_url,
    send_test_url,
)
from workflows import outbox
from workflows import services as workflow_services
from workflows import templates_catalog as catalog
from workflows.models import OutboxMessage, Workflow, WorkflowRun

pytestmark = pytest.mark.usefixtures("frozen")
START = utc(2026, 11, 25, 9, 0)  # Wednesday 10:00 in Berlin; "now" is Monday 07:00 UTC
Trigger = Workflow.Trigger


def step_rows(subject: str | None = None):
    rows = OutboxMessage.objects.filter(kind__startswith="workflow.").order_by("pk")
    return rows.filter(subject=subject) if subject else rows


def mails_about(prefix: str) -> list:
    return [m for m in mail.outbox if m.subject.startswith(prefix)]


def enabled_template(key: str, workspace) -> Workflow:
    workflow = workflow_services.workflow_create_from_template(
        template=catalog.get(key), workspace=workspace
    )
    Workflow.objects.filter(pk=workflow.pk).update(is_enabled=True)
    workflow.refresh_from_db()
    return workflow


# --- Send test ---------------------------------------------------------------------------


def test_send_test_reaches_only_the_host_marked_test(owner_client, workspace, link):
    workflow = make_workflow(
        workspace,
        steps=[
            {
                "action": "email",
                "recipient": "attendee",
                "subject": "Thanks {{attendee_name}}",
                "body": "{{event_type_name}} with {{host_name}}, mail {{attendee_email}}",
            }
        ],
    )  # disabled: testing comes before enabling

    response = owner_client.post(send_test_url(workflow))
    outbox.drain()

    assert response.status_code == 302
    assert response["Location"] == runs_url(workflow)
    [sent] = mail.outbox
    assert sent.to == ["owner@acme.test"]
    assert sent.subject == "[Test] Thanks Olga Owner"
    assert sent.body == "Sample meeting with Olga Owner, mail owner@acme.test"
    run = WorkflowRun.objects.get()
    assert run.is_test and run.message.state == "sent"
    page = owner_client.get(runs_url(workflow)).content.decode()
    assert "Test run started against a sample booking" in page
    assert ">Test</strong> sample booking" in page


def test_send_test_runs_every_step_in_order_each_to_the_tester(owner_client, workspace):
    workflow = make_workflow(
        workspace,
        steps=[
            {**THANKS, "subject": "One"},
            {**THANKS, "subject": "Two", "recipient": "address", "address": "sales@acme.test"},
            {**THANKS, "subject": "Three", "recipient": "host"},
        ],
    )

    owner_client.post(send_test_url(workflow))
    outbox.drain()

    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("[Test] One", ["owner@acme.test"]),
        ("[Test] Two", ["owner@acme.test"]),
        ("[Test] Three", ["owner@acme.test"]),
    ]
    assert WorkflowRun.objects.filter(is_test=True).count() == 3


def test_a_test_reconfirmation_never_touches_a_booking(owner_client, workspace):
    workflow = workflow_services.workflow_create_from_template(
        template=catalog.get("reconfirmation"), workspace=workspace
    )

    owner_client.post(send_test_url(workflow))
    outbox.drain()

    [sent] = mail.outbox
    assert sent.to == ["owner@acme.test"]
    assert sent.subject == "[Test] Please confirm you can still make Sample meeting"
    assert not OutboxMessage.objects.filter(kind=kinds.RECONFIRM_DEADLINE.name).exists()


def test_send_test_of_an_sms_step_is_refused_on_free(owner_client, workspace):
    workflow = make_workflow(workspace, steps=[{"action": "sms", "body": "Hi"}])

    response = owner_client.post(send_test_url(workflow), follow=True)

    assert "SMS actions need the Pro plan or higher" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_each_send_test_is_a_new_run(owner_client, workspace):
    workflow = make_workflow(workspace)

    owner_client.post(send_test_url(workflow))
    owner_client.post(send_test_url(workflow))
    outbox.drain()

    assert len(mail.outbox) == 2
    assert WorkflowRun.objects.filter(workflow=workflow, is_test=True).count() == 2


# --- Run history -------------------------------------------------------------------------


def test_run_history_shows_a_failed_step_with_its_error(owner_client, workspace, link, booked):
    # Valid to save (a custom answer may hold an email), but this booking has no answer 7.
    workflow = make_workflow(
        workspace,
        enabled=True,
        steps=[
            {**THANKS, "subject": "One", "recipient": "address", "address": "{{answer_7}}"},
            {**THANKS, "subject": "Two"},
        ],
    )
    booking = booked(link, START)

    outbox.drain()

    row = step_rows().get()  # the second step never ran
    assert row.state == "failed"
    assert row.last_error == "No email address to send to."
    assert not mails_about("One") and not mails_about("Two")
    page = owner_client.get(runs_url(workflow)).content.decode()
    assert f'href="/calendar/bookings/{booking.pk}">Booking #{booking.pk}</a>' in page
    assert '<td data-label="Action">1. Send email</td>' in page
    assert '<td data-label="State">failed</td>' in page
    assert html.escape("No email address to send to.") in page


def test_run_history_lists_only_this_workflows_runs(owner_client, workspace, link, booked):
    shown = make_workflow(workspace, name="Shown", enabled=True)
    other = make_workflow(
        workspace, name="Other", enabled=True, steps=[{**THANKS, "subject": "Other"}]
    )
    booked(link, START)
    outbox.drain()

    page = owner_client.get(runs_url(shown)).content.decode()

    assert page.count('<tr id="run-') == 1
    assert f"run-{WorkflowRun.objects.get(workflow=other).pk}" not in page
    assert '<td data-label="State">sent</td>' in page


def test_run_history_tells_a_skipped_step_from_a_sent_one(owner_client, workspace, link, booked):
    workflow = make_workflow(workspace, enabled=True)
    booked(link, START)
    Workflow.objects.filter(pk=workflow.pk).update(is_enabled=False)
    outbox.drain()

    page = owner_client.get(runs_url(workflow)).content.decode()

    assert (
        '<td data-label="State">skipped</td>' in page
        and '<td data-label="State">sent</td>' not in page
    )
    assert "Dropped: the workflow is disabled" in page
    assert not mails_about("Thanks")


def test_run_history_with_no_runs(teammate_client, workspace):
    workflow = make_workflow(workspace)

    page = teammate_client.get(runs_url(workflow)).content.decode()

    assert "No runs yet." in page
    assert "or you send a test" not in page  # members can't


# --- Triggers end to end -----------------------------------------------------------------


def test_booking_created_runs_an_email_step_to_the_attendee(workspace, link, booked):
    make_workflow(
        workspace,
        enabled=True,
        steps=[
            {
                "action": "email",
                "recipient": "attendee",
                "subject": "Thanks {{attendee_name}}",
                "body": "See you at {{start_time}} for {{event_type_name}} with {{host_name}}.",
            }
        ],
    )

    booked(link, START)
    outbox.drain()

    [sent] = mails_about("Thanks")
    assert sent.to == ["alice@example.com"]
    assert sent.subject == "Thanks Alice Attendee"
    assert sent.body == (
        "See you at Wednesday, 25 November 2026, 10:00 (Europe/Berlin) for Intro call with "
        "Olga Owner."
    )


def test_workflow_email_subjects_and_bodies_are_plain_text(workspace, link, booked):
    link.title = "Q&A <b>"
    link.save()
    make_workflow(
        workspace,
        enabled=True,
        steps=[
            {
                "action": "email",
                "recipient": "attendee",
                "subject": "{{attendee_name}}: {{event_type_name}}",
                "body": "Hi {{attendee_name}}, see you at {{event_type_name}}.",
            }
        ],
    )

    booked(link, START, name="Siobhán O'Brien")
    outbox.drain()

    [sent] = mails_about("Siobhán")
    assert sent.subject == "Siobhán O'Brien: Q&A <b>"
    assert sent.body == "Hi Siobhán O'Brien, see you at Q&A <b>."


def test_steps_run_in_order_the_next_only_after_the_one_before_is_sent(workspace, link, booked):
    make_workflow(
        workspace,
        enabled=True,
        steps=[{**THANKS, "subject": "One"}, {**THANKS, "subject": "Two", "recipient": "host"}],
    )
    booking = booked(link, START)

    [first] = step_rows()  # only the first step is written with the booking
    outbox.deliver(first)

    first.refresh_from_db()
    assert first.state == "sent"
    assert [m.subject for m in mails_about("One")] == ["One"] and not mails_about("Two")
    second = step_rows().exclude(pk=first.pk).get()
    assert second.state == "scheduled" and second.subject == booking.subject
    outbox.drain()
    assert [m.to for m in mails_about("Two")] == [["owner@acme.test"]]


def test_a_workflow_limited_to_link_a_does_not_fire_on_link_b(workspace, link, owner, booked):
    other = LinkFactory(workspace=workspace, owner=owner, title="Demo", slug="demo")
    workflow = make_workflow(workspace, enabled=True, all_links=False)
    workflow.links.set([link])

    on_b = booked(other, START + timedelta(hours=2))
    on_a = booked(link, START, email="ann@example.com")
    outbox.drain()

    assert not step_rows(on_b.subject).exists()
    assert step_rows(on_a.subject).count() == 1
    assert [m.to for m in mails_about("Thanks")] == [["ann@example.com"]]


def test_a_disabled_workflow_does_not_fire(workspace, link, booked):
    make_workflow(workspace, enabled=False)

    booked(link, START)
    outbox.drain()

    assert not step_rows().exists()
    assert not mails_about("Thanks")


def test_another_workspaces_workflow_does_not_fire(link, outsider, booked):
    make_workflow(outsider.memberships.get().workspace, enabled=True)

    booked(link, START)

    assert not step_rows().exists()


def test_the_same_trigger_fired_twice_sends_once(workspace, link, booked):
    make_workflow(workspace, enabled=True)
    booking = booked(link, START)

    with transaction.atomic():
        automation.on_confirmed(booking)
        automation.on_confirmed(booking)
    outbox.drain()
    automation.on_confirmed(booking)  # even after it was sent
    outbox.drain()

    assert step_rows().count() == 1
    assert len(mails_about("Thanks")) == 1


def test_before_start_is_due_at_start_minus_offset(workspace, link, frozen, booked):
    make_workflow(workspace, enabled=True, trigger=Trigger.BEFORE_START, offset_minutes=90)
    booking = booked(link, START)

    row = step_rows().get()
    assert row.due_at == START - timedelta(minutes=90)
    frozen.move_to(START - timedelta(minutes=91))
    outbox.drain()
    assert not mails_about("Thanks")
    frozen.move_to(START - timedelta(minutes=90))
    outbox.drain()
    assert [m.to for m in mails_about("Thanks")] == [[booking.email]]


def test_a_cancelled_booking_withdraws_its_timed_step(workspace, link, frozen, booked):
    make_workflow(workspace, enabled=True, trigger=Trigger.BEFORE_START, offset_minutes=60)
    booking = booked(link, START)

    services.booking_cancel(booking=booking)
    frozen.move_to(START)
    outbox.drain()

    assert step_rows().get().state == "withdrawn"
    assert not mails_about("Thanks")


def test_a_rescheduled_booking_moves_its_timed_step(workspace, link, frozen, booked):
    make_workflow(workspace, enabled=True, trigger=Trigger.BEFORE_START, offset_minutes=60)
    booking = booked(link, START)
    later = utc(2026, 11, 26, 13, 0)

    moved = services.booking_reschedule(booking=booking, start=later)

    assert step_rows(booking.subject).get().state == "withdrawn"
    new_row = step_rows(moved.subject).get()
    assert new_row.due_at == later - timedelta(minutes=60)
    frozen.move_to(START)
    outbox.drain()
    assert not mails_about("Thanks")
    frozen.move_to(later - timedelta(minutes=60))
    outbox.drain()
    assert len(mails_about("Thanks")) == 1


def test_after_end_fires_after_the_end(workspace, link, frozen, booked):
    enabled_template("post-meeting-survey", workspace)
    booking = booked(link, START)
    end = booking.end

    frozen.move_to(end + timedelta(minutes=29))
    outbox.drain()
    assert not mails_about("How was")
    frozen.move_to(end + timedelta(minutes=30))
    outbox.drain()

    [sent] = mails_about("How was")
    assert sent.subject == "How was Intro call?" and sent.to == [booking.email]


def test_a_cancellation_runs_the_cancellation_follow_up(workspace, link, booked):
    enabled_template("cancellation-follow-up", workspace)
    booking = booked(link, START)

    services.booking_cancel(booking=booking)
    outbox.drain()

    [sent] = mails_about("Sorry we missed you")
    assert sent.to == [booking.email]
    assert "was cancelled" in sent.body


def test_a_no_show_runs_the_no_show_follow_up(workspace, link, owner, frozen, booked):
    enabled_template("no-show-follow-up", workspace)
    booking = booked(link, START)
    frozen.move_to(START + timedelta(minutes=10))

    services.booking_mark_no_show(booking=booking, actor=owner)
    outbox.drain()

    [sent] = mails_about("We missed you")
    assert sent.to == [booking.email]
    assert booking.link.public_url in sent.body


# --- Reconfirmation ----------------------------------------------------------------------


NOT_RECONFIRMED = "didn't hear back in time, so your booking was cancelled"


def test_no_reconfirmation_by_the_deadline_cancels_and_says_why(workspace, link, frozen, booked):
    enabled_template("reconfirmation", workspace)
    booking = booked(link, START)
    asked_at = START - timedelta(hours=48)

    frozen.move_to(asked_at)
    outbox.drain()
    [ask] = mails_about("Please confirm")
    assert ask.to == [booking.email] and booking.reconfirm_url in ask.body
    assert "2026-11-24 09:00 UTC" in ask.body  # the deadline, a day later
    frozen.move_to(asked_at + timedelta(hours=24) - timedelta(minutes=1))
    outbox.drain()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    frozen.move_to(asked_at + timedelta(hours=24))
    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancel_reason == automation.NOT_RECONFIRMED_REASON
    [told] = [m for m in mail.outbox if NOT_RECONFIRMED in m.body]
    assert told.to == [booking.email]
    assert told.subject == "Your booking was cancelled: Intro call"
    assert not booking.reservations.filter(active=True).exists()


def test_a_reconfirmation_click_keeps_the_booking(client, workspace, link, frozen, booked):
    enabled_template("reconfirmation", workspace)
    booking = booked(link, START)
    frozen.move_to(START - timedelta(hours=48))
    outbox.drain()
    [ask] = mails_about("Please confirm")
    url = re.search(r"https?://\S+/book/reconfirm/\w+", ask.body)[0]

    frozen.shift(timedelta(hours=3))
    assert client.post(url).status_code == 200
    frozen.shift(timedelta(hours=24))
    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.reconfirmed_at is not None
    assert not [m for m in mail.outbox if NOT_RECONFIRMED in m.body]
    deadline = OutboxMessage.objects.get(kind=kinds.RECONFIRM_DEADLINE.name)
    assert deadline.last_error.startswith("Dropped: reconfirmed")


def test_the_reconfirmation_is_not_asked_for_a_cancelled_booking(workspace, link, frozen, booked):
    enabled_template("reconfirmation", workspace)
    booking = booked(link, START)
    services.booking_cancel(booking=booking)

    frozen.move_to(START - timedelta(hours=48))
    outbox.drain()

    assert not mails_about("Please confirm")
    assert not OutboxMessage.objects.filter(kind=kinds.RECONFIRM_DEADLINE.name).exists()


# --- Edge cases of timed steps, reconfirmation and no-shows -------------------------------


def test_a_timed_workflows_later_steps_stop_when_the_booking_is_cancelled(
    workspace, link, frozen, booked
):
    make_workflow(
        workspace,
        enabled=True,
        trigger=Trigger.BEFORE_START,
        offset_minutes=60,
        steps=[{**THANKS, "subject": "One"}, {**THANKS, "subject": "Two"}],
    )
    booking = booked(link, START)
    frozen.move_to(START - timedelta(minutes=60))
    outbox.deliver(step_rows().get())  # the first step runs and queues the second

    services.booking_cancel(booking=booking)
    outbox.drain()

    assert mails_about("One") and not mails_about("Two")


def test_a_reconfirmation_deadline_after_the_start_never_cancels_the_meeting(
    workspace, link, frozen, booked
):
    workflow = enabled_template("reconfirmation", workspace)
    Workflow.objects.filter(pk=workflow.pk).update(offset_minutes=60)  # deadline: 24 h
    booking = booked(link, START)
    frozen.move_to(START - timedelta(minutes=60))
    outbox.drain()

    frozen.move_to(START + timedelta(hours=23))
    outbox.drain()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_no_show_follow_up_link_lets_the_attendee_pick_a_new_time(
    client, workspace, link, owner, frozen, booked
):
    enabled_template("no-show-follow-up", workspace)
    booking = booked(link, START)
    frozen.move_to(START + timedelta(minutes=10))
    services.booking_mark_no_show(booking=booking, actor=owner)
    outbox.drain()
    [sent] = mails_about("We missed you")
    url = re.search(r"https?://\S+/book/[\w-]+", sent.body)[0]

    assert client.get(url).status_code == 200
