"""Outcomes live in columns the database checks, not in free text: a skipped outbox row, the SMS
ledger's entries and keys, an SMS message's status."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.workflows.test_sms import sent, status_report  # noqa: F401
from workflows import kinds, outbox, sms
from workflows.kinds import Kind
from workflows.models import OutboxMessage, SmsCredit, SmsMessage

pytestmark = pytest.mark.usefixtures("frozen")


def _drops(message: OutboxMessage) -> None:
    raise outbox.Drop("the booking was cancelled")


kinds.register(Kind("test.drops", handler=_drops))


def test_a_dropped_row_is_marked_skipped_and_keeps_its_reason(db):
    outbox.enqueue(kind="test.drops", key="d1")
    outbox.drain()

    row = OutboxMessage.objects.get()
    assert (row.state, row.skipped) == ("sent", True)
    assert row.last_error == "Dropped: the booking was cancelled"


def test_the_database_refuses_an_open_row_marked_skipped(db):
    row = outbox.enqueue(kind="test.drops", key="d2")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.filter(pk=row.pk).update(skipped=True)


def test_the_database_refuses_an_sms_status_twilio_never_sends(sent):  # noqa: F811
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsMessage.objects.filter(pk=sent.pk).update(status="lost in the post")


def test_a_report_with_a_status_we_do_not_track_changes_nothing(sent):  # noqa: F811
    assert status_report(sent.provider_id, "receiving").status_code == 204
    sent.refresh_from_db()
    assert sent.status == "queued"


def test_the_database_grants_a_month_once_and_refunds_a_message_once(sent, pro):  # noqa: F811
    grant = SmsCredit.objects.get(entry=SmsCredit.Entry.GRANT)
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsCredit.objects.create(
            workspace=pro, entry=grant.entry, key=grant.key, delta=5, reason="again"
        )
    assert sms.refund(sent, reason="Refund: message failed")
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsCredit.objects.create(
            workspace=pro, entry=SmsCredit.Entry.REFUND, message=sent, delta=1, reason="again"
        )
    assert sms.balance(pro.pk) == 50


def test_two_sends_whose_long_keys_share_a_beginning_both_go_out(pro, twilio_api):
    shared = "workflow:" + "x" * 150
    first = sms.send(pro.pk, to="+4915112345678", body="One", key=f"{shared}:1")
    second = sms.send(pro.pk, to="+4915112345678", body="Two", key=f"{shared}:2")
    again = sms.send(pro.pk, to="+4915112345678", body="One", key=f"{shared}:1")

    assert first.pk != second.pk
    assert again.pk == first.pk  # a retry of the same row still never sends twice
    assert [m.form["Body"] for m in twilio_api.messages()] == ["One", "Two"]
    assert sms.balance(pro.pk) == 48
