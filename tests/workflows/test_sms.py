"""The SMS action against a fake Twilio over real HTTP: recipients, E.164, plans, opt-outs, the
credit ledger, Twilio's signed webhooks (STOP, START, HELP, delivery reports) and the page."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from booking import automation
from tests.booking.helpers import utc
from tests.factories import WorkspaceFactory
from tests.workflows.fake_twilio import AUTH_TOKEN, FROM_NUMBER
from workestra.models import Workspace
from workflows import outbox, sms
from workflows.models import (
    OutboxMessage,
    SmsCredit,
    SmsMessage,
    SmsOptOut,
    Workflow,
    WorkflowStep,
)
from workflows.senders import Delivery
from workflows.senders.sms import send_sms

START = utc(2026, 11, 24, 9)
PHONE = "+4915112345678"
INBOUND = "/integrations/twilio/sms"
STATUS = "/integrations/twilio/sms/status"


# --- helpers ----------------------------------------------------------------------------------


def sms_workflow(workspace, *, recipient="attendee", body=None, address=""):
    wf = Workflow.objects.create(
        workspace=workspace,
        name="Text the attendee",
        trigger=Workflow.Trigger.BOOKING_CREATED,
        all_links=True,
        is_enabled=True,
    )
    step = WorkflowStep.objects.create(
        workflow=wf,
        action=WorkflowStep.Action.SMS,
        recipient=recipient,
        address=address,
        body="Hi {{attendee_name}}, see you for {{event_type_name}}." if body is None else body,
    )
    return wf, step


def step_row():
    return OutboxMessage.objects.get(kind__startswith="workflow.")


def signed_post(path, params, *, token=AUTH_TOKEN, url=None, signature=None):
    from django.conf import settings

    url = url or f"{settings.PUBLIC_BASE_URL}{path}"
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return Client().post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )


def inbound(body, sender=PHONE, **kwargs):
    params = {
        "MessageSid": "SM" + "f" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": FROM_NUMBER,
        "Body": body,
    }
    return signed_post(INBOUND, params, **kwargs)


def status_report(sid, status, **extra):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    params.update(extra)
    return signed_post(STATUS, params)


def debits(workspace):
    return SmsCredit.objects.filter(workspace=workspace, delta__lt=0).count()


pytestmark = pytest.mark.usefixtures("frozen")


# --- sending ----------------------------------------------------------------------------------


def test_a_booking_texts_the_attendee_through_twilio(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)

    outbox.drain()

    assert step_row().state == "sent"
    [request] = twilio_api.messages()
    assert request.user == "AC" + "0" * 32  # basic auth with the account SID
    assert request.form["To"] == PHONE
    assert request.form["From"] == FROM_NUMBER
    assert request.form["Body"] == "Hi Alice Attendee, see you for Intro call."
    assert (
        request.form["StatusCallback"] == "https://book.example.com/integrations/twilio/sms/status"
    )
    message = SmsMessage.objects.get()
    assert (message.workspace, message.to, message.status) == (pro, PHONE, "queued")
    assert message.provider_id == f"SM{1:032x}"  # the SID the fake answered with
    ledger = list(SmsCredit.objects.filter(workspace=pro).order_by("pk"))
    assert [(c.delta, c.message_id) for c in ledger] == [(50, None), (-1, message.pk)]
    assert sms.balance(pro.pk) == 49


def test_a_workflow_firing_twice_for_one_booking_sends_once(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booking = booked(link, START, phone=PHONE)
    automation.on_confirmed(booking)  # the trigger again, e.g. a duplicate event

    outbox.drain()
    outbox.drain()

    assert len(twilio_api.messages()) == 1
    assert SmsMessage.objects.count() == 1
    assert debits(pro) == 1


def test_a_redelivered_row_does_not_text_again(pro, link, twilio_api, booked):
    """A worker that sent but died before closing the row: the next one must not resend."""
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    outbox.drain()
    OutboxMessage.objects.filter(kind__startswith="workflow.").update(done_at=None)

    outbox.drain()

    assert step_row().state == "sent"
    assert len(twilio_api.messages()) == 1
    assert debits(pro) == 1


def test_the_host_can_be_texted(pro, link, owner, twilio_api, booked):
    owner.phone = "+14155550123"
    owner.save()
    sms_workflow(pro, recipient="host", body="New booking: {{attendee_name}}")
    booked(link, START, phone=PHONE)

    outbox.drain()

    [request] = twilio_api.messages()
    assert request.form["To"] == "+14155550123"
    assert request.form["Body"] == "New booking: Alice Attendee"


def test_another_number_is_normalised_to_e164(pro, link, twilio_api, booked):
    sms_workflow(pro, recipient="address", address="+49 (151) 1234-5678")
    booked(link, START, phone="")

    outbox.drain()

    [request] = twilio_api.messages()
    assert request.form["To"] == PHONE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (415) 555-0100", "+14155550100"),
        ("+44 20 7946 0958", "+442079460958"),
        (" +4915112345678 ", PHONE),
    ],
)
def test_numbers_with_a_country_code_become_e164(raw, expected):
    assert sms.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["015112345678", "4915112345678", "+1 555", "call me", ""])
def test_numbers_without_a_country_code_or_invalid_are_refused(raw):
    with pytest.raises(sms.InvalidPhone):
        sms.normalise(raw)


def test_a_number_without_country_code_fails_visibly_and_costs_nothing(
    pro, link, twilio_api, booked
):
    sms_workflow(pro)
    booked(link, START, phone="0151 12345678")

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "attendee's phone number cannot be texted" in row.last_error
    assert "country code" in row.last_error
    assert twilio_api.requests == []
    assert debits(pro) == 0


def test_a_booking_without_a_phone_fails_visibly(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booked(link, START, phone="")

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert row.last_error == "The attendee gave no phone number, so no SMS was sent."
    assert twilio_api.requests == []


def test_the_body_is_cut_at_1600_characters(pro, link, twilio_api, booked):
    sms_workflow(pro, body="  " + "x" * 2000)
    booked(link, START, phone=PHONE)

    outbox.drain()

    assert twilio_api.messages()[0].form["Body"] == "x" * 1600


def test_an_opted_out_number_is_never_texted(pro, link, twilio_api, booked):
    SmsOptOut.objects.create(workspace=pro, phone=PHONE)
    sms_workflow(pro)
    booked(link, START, phone="+49 151 12345678")

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "replied STOP" in row.last_error
    assert twilio_api.requests == []
    assert debits(pro) == 0


def test_an_opt_out_in_another_workspace_does_not_block_this_one(pro, link, twilio_api, booked):
    SmsOptOut.objects.create(workspace=WorkspaceFactory(), phone=PHONE)
    sms_workflow(pro)
    booked(link, START, phone=PHONE)

    outbox.drain()

    assert len(twilio_api.messages()) == 1


# --- plans and configuration ------------------------------------------------------------------


def test_the_free_plan_cannot_send_sms(workspace, link, twilio_api, booked):
    assert workspace.plan == Workspace.Plan.FREE
    sms_workflow(workspace)
    booked(link, START, phone=PHONE)

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "SMS actions need the Pro plan" in row.last_error
    assert "Free plan" in row.last_error
    assert twilio_api.requests == []
    assert not SmsCredit.objects.exists()


def test_business_can_send_sms(workspace, link, twilio_api, booked):
    workspace.plan = Workspace.Plan.BUSINESS
    workspace.save()
    sms_workflow(workspace)
    booked(link, START, phone=PHONE)

    outbox.drain()

    assert len(twilio_api.messages()) == 1


def test_without_twilio_the_step_fails_visibly(pro, link, settings, booked):
    settings.TWILIO_ACCOUNT_SID = ""
    sms_workflow(pro)
    booked(link, START, phone=PHONE)

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert row.last_error.startswith("Twilio is not connected")
    assert not SmsCredit.objects.exists()


# --- provider failures ------------------------------------------------------------------------


def test_a_twilio_outage_refunds_and_retries(pro, link, twilio_api, frozen, booked):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    twilio_api.fail_next(503)

    outbox.drain()

    row = step_row()
    assert row.state == "retrying"
    assert "Twilio" in row.last_error
    failed = SmsMessage.objects.get()
    assert failed.status == "failed" and failed.error
    assert sms.balance(pro.pk) == 50  # debited and refunded
    assert list(
        SmsCredit.objects.filter(message=failed).order_by("pk").values_list("delta", flat=True)
    ) == [-1, 1]

    frozen.shift(timedelta(minutes=5))
    outbox.drain()

    assert step_row().state == "sent"
    assert len(twilio_api.messages()) == 2
    assert SmsMessage.objects.filter(status="queued").count() == 1
    assert sms.balance(pro.pk) == 49


def test_a_refused_number_fails_at_once_and_refunds(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    twilio_api.fail_next(400, code=21211, message="Invalid 'To' Phone Number")

    outbox.drain()

    row = step_row()
    assert row.state == "failed"
    assert "21211" in row.last_error and "Invalid 'To' Phone Number" in row.last_error
    assert sms.balance(pro.pk) == 50


def test_twilio_saying_the_number_unsubscribed_records_the_opt_out(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    twilio_api.fail_next(400, code=21610, message="Attempt to send to unsubscribed recipient")

    outbox.drain()

    assert step_row().state == "failed"
    assert SmsOptOut.objects.filter(workspace=pro, phone=PHONE).exists()
    assert sms.balance(pro.pk) == 50


# --- the credit ledger ------------------------------------------------------------------------


def test_the_monthly_grant_is_added_once_per_month(pro, frozen, settings):
    settings.SMS_FREE_CREDITS_PER_MONTH = 50
    first = sms.ensure_monthly_grant(pro.pk)
    second = sms.ensure_monthly_grant(pro.pk)

    assert first is not None and first.delta == 50
    assert second is None
    assert SmsCredit.objects.filter(workspace=pro).count() == 1

    frozen.move_to(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    sms.ensure_monthly_grant(pro.pk)
    sms.ensure_monthly_grant(pro.pk)

    assert sorted(SmsCredit.objects.values_list("reason", flat=True)) == [
        "Free credits for 2026-11",
        "Free credits for 2026-12",
    ]
    assert sms.balance(pro.pk) == 100


def test_the_grant_follows_the_setting(pro, settings):
    settings.SMS_FREE_CREDITS_PER_MONTH = 7
    sms.ensure_monthly_grant(pro.pk)
    assert sms.balance(pro.pk) == 7


def test_each_send_debits_one_and_no_credits_fails_visibly(pro, link, twilio_api, settings, booked):
    settings.SMS_FREE_CREDITS_PER_MONTH = 1
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    booked(link, START + timedelta(hours=1), email="bob@example.com", phone=PHONE)

    outbox.drain()

    rows = list(OutboxMessage.objects.filter(kind__startswith="workflow.").order_by("pk"))
    assert [r.state for r in rows] == ["sent", "failed"]
    assert rows[1].last_error.startswith("No SMS credits left")
    assert len(twilio_api.messages()) == 1
    assert sms.balance(pro.pk) == 0
    assert SmsMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_workers_grant_a_month_once(frozen, settings):
    """Workers that all find this month's grant missing at the same moment add it once: the
    workspace row lock (IMMEDIATE transactions on SQLite) makes each later one see the first
    one's grant. Every worker is connected before the race starts, so they really overlap, and
    the ledger is read only once all of them have finished."""
    settings.SMS_FREE_CREDITS_PER_MONTH = 50
    workspace = WorkspaceFactory(plan=Workspace.Plan.PRO)
    workers = 6
    start = threading.Barrier(workers + 1)
    errors: list[BaseException] = []

    def grant() -> None:
        try:
            connection.ensure_connection()
            start.wait(timeout=30)
            sms.ensure_monthly_grant(workspace.pk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=grant) for _ in range(workers)]
    for t in threads:
        t.start()
    start.wait(timeout=30)  # every worker is connected: go
    for t in threads:
        t.join(timeout=60)

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert SmsCredit.objects.filter(workspace=workspace, delta__gt=0).count() == 1
    assert sms.balance(workspace.pk) == 50


# --- test sends -------------------------------------------------------------------------------


def test_a_test_send_goes_to_the_host_only(pro, owner, twilio_api):
    _, step = sms_workflow(pro, recipient="attendee", body="Reminder for {{attendee_name}}")
    row = outbox.enqueue(kind="workflow.step", key="test:sms:1", subject="test")
    delivery = Delivery(
        workflow=step.workflow,
        step=step,
        workspace_id=pro.pk,
        variables={"attendee_name": "Sam", "attendee_phone": PHONE, "host_phone": "+14155550123"},
        payload={},
        message=row,
        event="booking_created",
        is_test=True,
    )

    send_sms(delivery)

    [request] = twilio_api.messages()
    assert request.form["To"] == "+14155550123"
    assert request.form["Body"] == "[Test] Reminder for Sam"

    with pytest.raises(outbox.Fail, match="host has no phone number"):
        send_sms(replace(delivery, variables={"attendee_phone": PHONE}))
    assert len(twilio_api.messages()) == 1


# --- inbound texts ----------------------------------------------------------------------------


def test_stop_opts_the_number_out_of_every_workspace_that_texted_it(pro, twilio_api):
    other = WorkspaceFactory()
    stranger = WorkspaceFactory()
    SmsMessage.objects.create(workspace=pro, to=PHONE, body="hi")
    SmsMessage.objects.create(workspace=other, to=PHONE, body="hi")
    SmsMessage.objects.create(workspace=stranger, to="+14155550199", body="hi")

    response = inbound("Stop")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Message>" in response.content and b"unsubscribed" in response.content
    assert set(SmsOptOut.objects.filter(phone=PHONE).values_list("workspace", flat=True)) == {
        pro.pk,
        other.pk,
    }
    assert not SmsOptOut.objects.filter(workspace=stranger).exists()
    assert inbound("STOP").status_code == 200  # again: still one opt-out each
    assert SmsOptOut.objects.count() == 2


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "end", "QUIT", " stop. "])
def test_every_stop_keyword_opts_out(pro, twilio_api, word):
    SmsMessage.objects.create(workspace=pro, to=PHONE, body="hi")

    assert inbound(word).status_code == 200

    assert SmsOptOut.objects.filter(workspace=pro, phone=PHONE).exists()


def test_stop_then_no_sms_then_start_then_sms_again(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    outbox.drain()
    assert len(twilio_api.messages()) == 1

    inbound("STOP")
    booked(link, START + timedelta(hours=1), email="bob@example.com", phone=PHONE)
    outbox.drain()
    assert len(twilio_api.messages()) == 1

    response = inbound("start")
    assert b"subscribed again" in response.content
    assert not SmsOptOut.objects.exists()
    booked(link, START + timedelta(hours=2), email="carol@example.com", phone=PHONE)
    outbox.drain()
    assert len(twilio_api.messages()) == 2


@pytest.mark.parametrize("word", ["START", "yes", "Unstop"])
def test_every_start_keyword_opts_back_in(pro, twilio_api, word):
    SmsOptOut.objects.create(workspace=pro, phone=PHONE)

    inbound(word)

    assert not SmsOptOut.objects.exists()


@pytest.mark.parametrize("word", ["HELP", "info"])
def test_help_answers_with_the_product_and_how_to_opt_out(twilio_api, word, db):
    response = inbound(word)

    assert response.status_code == 200
    assert b"Workestra Scheduling" in response.content
    assert b"Reply STOP to opt out" in response.content


def test_other_texts_get_an_empty_answer(pro, twilio_api):
    SmsMessage.objects.create(workspace=pro, to=PHONE, body="hi")

    response = inbound("Please stop texting me at night")

    assert response.status_code == 200
    assert b"<Message>" not in response.content
    assert not SmsOptOut.objects.exists()


def test_an_inbound_text_with_a_bad_signature_is_refused(pro, twilio_api):
    SmsMessage.objects.create(workspace=pro, to=PHONE, body="hi")

    forged = inbound("STOP", token="not-the-auth-token")
    missing = inbound("STOP", signature="")
    other_url = inbound("STOP", url="http://book.example.com/integrations/twilio/sms")

    assert [forged.status_code, missing.status_code, other_url.status_code] == [403, 403, 403]
    assert not SmsOptOut.objects.exists()


def test_the_webhooks_need_post(twilio_api, db):
    assert Client().get(INBOUND).status_code == 405
    assert Client().get(STATUS).status_code == 405


# --- delivery reports -------------------------------------------------------------------------


@pytest.fixture
def sent(pro, link, twilio_api, booked):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    outbox.drain()
    return SmsMessage.objects.get()


def test_a_delivery_report_updates_the_message(sent, pro):
    assert status_report(sent.provider_id, "sent").status_code == 204
    sent.refresh_from_db()
    assert sent.status == "sent"

    status_report(sent.provider_id, "delivered")
    status_report(sent.provider_id, "sent")  # late and out of order: ignored

    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert sms.balance(pro.pk) == 49


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_a_failed_delivery_refunds_its_credit_once(sent, pro, status):
    status_report(sent.provider_id, status, ErrorCode="30005")
    status_report(sent.provider_id, status, ErrorCode="30005")
    status_report(sent.provider_id, "failed")

    sent.refresh_from_db()
    assert sent.status == status
    assert sent.error == "Twilio error 30005"
    assert sms.balance(pro.pk) == 50
    assert SmsCredit.objects.filter(message=sent, delta=1).count() == 1


def test_a_report_for_an_unknown_message_changes_nothing(sent, pro):
    assert status_report("SM" + "9" * 32, "failed").status_code == 204
    assert sms.balance(pro.pk) == 49


def test_a_report_with_a_bad_signature_is_refused(sent, pro):
    params = {"MessageSid": sent.provider_id, "MessageStatus": "failed"}
    response = signed_post(STATUS, params, token="forged")

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == "queued"
    assert sms.balance(pro.pk) == 49


# --- the settings page ------------------------------------------------------------------------


def test_the_page_shows_the_balance_without_writing_the_grant(pro, owner_client, twilio_api):
    response = owner_client.get("/settings/sms")

    assert response.status_code == 200
    assert response.context["summary"].balance == 50
    assert not response.context["summary"].granted_this_month
    assert not SmsCredit.objects.exists()  # a GET changes nothing
    assert "No SMS sent yet." in response.text


def test_the_page_shows_balance_ledger_messages_and_opt_outs(
    pro, link, owner_client, twilio_api, booked
):
    sms_workflow(pro)
    booked(link, START, phone=PHONE)
    outbox.drain()
    SmsOptOut.objects.create(workspace=pro, phone="+14155550188")
    elsewhere = WorkspaceFactory()
    SmsMessage.objects.create(workspace=elsewhere, to="+14155550177", body="not yours")
    SmsOptOut.objects.create(workspace=elsewhere, phone="+14155550166")

    response = owner_client.get("/settings/sms")

    page = response.text
    assert response.context["summary"].balance == 49
    assert '<strong class="notice">49</strong>' in page
    assert "Free credits for 2026-11" in page
    assert f"SMS to {PHONE}" in page
    assert "Hi Alice Attendee" in page and "queued" in page
    assert "+14155550188" in page
    assert "+14155550177" not in page and "+14155550166" not in page


def test_the_page_tells_a_free_workspace_and_an_unconnected_twilio(workspace, owner_client):
    page = owner_client.get("/settings/sms").text

    assert "SMS actions need the Pro or Business plan" in page
    assert "Twilio is not connected" in page


def test_the_page_needs_sign_in(db):
    response = Client().get("/settings/sms")
    assert response.status_code == 302
    assert "/login" in response["Location"]
