"""The AI voice call action: Business plan only; a voice agent gets the booking as JSON over real
HTTP (public addresses only), otherwise a fake Twilio is asked to place a call that speaks."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.booking.helpers import utc
from tests.workflows.fake_twilio import FROM_NUMBER
from workestra.models import Workspace
from workflows import outbox
from workflows.models import OutboxMessage, SmsCredit, SmsOptOut, Workflow, WorkflowStep

START = utc(2026, 11, 24, 9)
PHONE = "+4915112345678"

pytestmark = pytest.mark.usefixtures("frozen")


def voice_workflow(workspace, *, config=None, body="Hello {{attendee_name}}, a reminder."):
    wf = Workflow.objects.create(
        workspace=workspace,
        name="Call the attendee",
        trigger=Workflow.Trigger.BOOKING_CREATED,
        is_enabled=True,
    )
    WorkflowStep.objects.create(
        workflow=wf, action=WorkflowStep.Action.VOICE, body=body, config=config or {}
    )
    return wf


def step_row():
    return OutboxMessage.objects.get(kind__startswith="workflow.")


def test_without_an_agent_twilio_calls_and_speaks_the_text(business, link, twilio_api, booked):
    voice_workflow(business)
    booked(link, START, phone="+49 151 12345678")

    outbox.drain()

    assert step_row().state == "sent"
    [call] = twilio_api.calls()
    assert call.form["To"] == PHONE
    assert call.form["From"] == FROM_NUMBER
    assert "<Say>Hello Alice Attendee, a reminder.</Say>" in call.form["Twiml"]
    assert twilio_api.messages() == []
    assert not SmsCredit.objects.exists()  # calls do not spend SMS credits


def test_the_agent_gets_the_booking_as_json(business, link, twilio_api, settings, booked):
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # the fake agent listens on this machine
    voice_workflow(business, config={"agent_url": f"{twilio_api.base_url}/agent/calls"})
    booking = booked(link, START, phone=PHONE)

    outbox.drain()

    assert step_row().state == "sent"
    [request] = twilio_api.others()
    assert request.path == "/agent/calls"
    assert request.headers["content-type"] == "application/json"
    document = json.loads(request.body)
    assert document["type"] == "voice_call.requested"
    assert document["event"] == "booking_created"
    assert document["call"] == {"to": PHONE, "script": "Hello Alice Attendee, a reminder."}
    assert document["data"]["id"] == booking.pk
    assert document["data"]["attendee"]["email"] == "alice@example.com"
    assert twilio_api.calls() == []


def test_an_agent_on_a_private_address_is_refused(business, link, twilio_api, settings, booked):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    voice_workflow(business, config={"agent_url": f"{twilio_api.base_url}/agent/calls"})
    booked(link, START, phone=PHONE)

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "loopback" in row.last_error
    assert twilio_api.requests == []


def test_an_agent_error_is_retried_and_a_missing_agent_fails(
    business, link, twilio_api, settings, booked
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    voice_workflow(business, config={"agent_url": f"{twilio_api.base_url}/agent/calls"})
    booked(link, START, phone=PHONE)
    twilio_api.fail_next(502)

    outbox.drain()

    assert step_row().state == "retrying"
    assert "502" in step_row().last_error

    OutboxMessage.objects.update(due_at=timezone.now())  # its retry time has come
    twilio_api.fail_next(404)
    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "did not take the call" in row.last_error and "404" in row.last_error


@pytest.mark.parametrize("plan", [Workspace.Plan.FREE, Workspace.Plan.PRO])
def test_voice_calls_need_the_business_plan(workspace, link, twilio_api, plan, booked):
    workspace.plan = plan
    workspace.save()
    voice_workflow(workspace)
    booked(link, START, phone=PHONE)

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "AI voice call actions need the Business plan" in row.last_error
    assert twilio_api.requests == []


def test_without_twilio_the_call_fails_visibly(business, link, settings, booked):
    settings.TWILIO_AUTH_TOKEN = ""
    voice_workflow(business)
    booked(link, START, phone=PHONE)

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert row.last_error.startswith("Twilio is not connected")


def test_an_opted_out_number_is_not_called(business, link, twilio_api, booked):
    SmsOptOut.objects.create(workspace=business, phone=PHONE)
    voice_workflow(business)
    booked(link, START, phone=PHONE)

    outbox.drain()

    assert step_row().state == "failed"
    assert twilio_api.requests == []


def test_a_number_without_country_code_is_not_called(business, link, twilio_api, booked):
    voice_workflow(business)
    booked(link, START, phone="015112345678")

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "country code" in row.last_error
    assert twilio_api.requests == []


def test_a_refused_call_fails_at_once(business, link, twilio_api, booked):
    voice_workflow(business)
    booked(link, START, phone=PHONE)
    twilio_api.fail_next(400, code=21215, message="Geo permission not enabled")

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "21215" in row.last_error
