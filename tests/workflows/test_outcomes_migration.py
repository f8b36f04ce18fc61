"""Rows written before outcomes had columns: the migration reads them out of the old text."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.booking.helpers import utc
from workflows.models import OutboxMessage, SmsCredit, SmsMessage

BEFORE = [("workflows", "0002_workflows")]
AT = utc(2026, 11, 20, 9)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def insert(table: str, **values) -> int:
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(["%s"] * len(values))
    # Table and column names are this module's own constants; the values are parameters.
    insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert_sql, list(values.values()))
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def outbox_row(key: str, *, done: bool, error: str) -> None:
    insert(
        "workflows_outboxmessage",
        kind="workflow.step",
        payload="{}",
        subject="booking:1",
        idempotency_key=key,
        due_at=AT,
        attempts=1,
        max_attempts=8,
        last_error=error,
        created_at=AT,
        done_at=AT if done else None,
    )


def sms_row(workspace, status: str) -> int:
    return insert(
        "workflows_smsmessage",
        workspace_id=workspace.pk,
        to="+4915112345678",
        body="Hi",
        provider_id="",
        status=status,
        error="",
        created_at=AT,
        updated_at=AT,
    )


def credit(workspace, delta: int, reason: str, message: int | None = None) -> None:
    insert(
        "workflows_smscredit",
        workspace_id=workspace.pk,
        delta=delta,
        reason=reason,
        message_id=message,
        created_at=AT,
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_outcomes_out_of_free_text(workspace):
    migrate(BEFORE)
    try:
        outbox_row("dropped", done=True, error="Dropped: the workflow is disabled")
        outbox_row("sent", done=True, error="")
        outbox_row("retrying", done=False, error="Dropped: looks alike but is still open")
        failed = sms_row(workspace, "failed")
        odd = sms_row(workspace, "partially_delivered")
        credit(workspace, 50, "Free credits for 2026-11")
        credit(workspace, -1, "SMS workflow:7:step:3", failed)
        credit(workspace, 1, "Refund: message failed", failed)
        credit(workspace, 5, "Goodwill after the outage")
    finally:
        migrate(None)

    skipped = OutboxMessage.objects.filter(skipped=True).values_list("idempotency_key", flat=True)
    assert list(skipped) == ["dropped"]
    statuses = dict(SmsMessage.objects.values_list("pk", "status"))
    assert statuses == {failed: "failed", odd: "queued"}
    ledger = SmsCredit.objects.order_by("pk").values_list("entry", "key", "delta")
    assert list(ledger) == [
        ("grant", "2026-11", 50),
        ("debit", "workflow:7:step:3", -1),
        ("refund", "", 1),
        ("grant", f"manual-{SmsCredit.objects.get(delta=5).pk}", 5),
    ]
