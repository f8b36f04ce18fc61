"""Write, claim and deliver outbox rows.

* :func:`enqueue` is called inside the transaction that makes the change; after commit it sends
  Celery a short "drain now" message. If that message is lost, the beat tick still finds the row.
* :func:`drain` claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease, delivers each
  outside any transaction, then marks it done. A worker killed mid-batch leaves its rows leased;
  when the lease runs out another worker takes them.
* A failing delivery is retried with exponential backoff and, after ``max_attempts``, left as a
  visible failure on the row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workflows.kinds import Kind, handler_for, name_of, names
from workflows.models import OutboxMessage, Workflow

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
DROPPED = "Dropped: "  # how a skipped row's ``last_error`` begins, before the handler's reason


class Drop(Exception):
    """A handler raises this when the message no longer applies (e.g. a reminder for a
    cancelled booking): the row is closed without sending and without retrying."""


class Fail(Exception):
    """A handler raises this when retrying cannot help (e.g. the endpoint is gone, the number
    opted out): the row ends as a visible failure at once."""


class Retry(Exception):
    """A handler raises this to be retried after ``after`` (its own backoff, e.g. with jitter),
    still within the row's ``max_attempts``."""

    def __init__(self, reason: str, *, after: timedelta) -> None:
        super().__init__(reason)
        self.after = after


def enqueue(
    *,
    kind: Kind | str,
    key: str,
    payload: dict[str, Any] | None = None,
    subject: str = "",
    due_at: datetime | None = None,
    max_attempts: int | None = None,
) -> OutboxMessage:
    """Add a row in the current transaction; a second call with the same key returns the first."""
    now = timezone.now()
    due = due_at or now
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=name_of(kind),
                idempotency_key=key,
                payload=payload or {},
                subject=subject,
                due_at=due,
                max_attempts=max_attempts or settings.OUTBOX_MAX_ATTEMPTS,
                created_at=now,
            )
    except IntegrityError:
        return OutboxMessage.objects.get(idempotency_key=key)
    if due <= now:
        transaction.on_commit(kick)
    return message


def enqueue_failed(
    *,
    kind: Kind | str,
    key: str,
    error: str,
    payload: dict[str, Any] | None = None,
    subject: str = "",
) -> OutboxMessage:
    """A side effect tried in the caller's transaction failed: the outbox takes it over as if its
    first attempt had been a delivery, so the row shows the error at once and is retried with the
    usual backoff."""
    message = enqueue(
        kind=kind, key=key, payload=payload, subject=subject, due_at=timezone.now() + backoff(1)
    )
    OutboxMessage.objects.filter(pk=message.pk, attempts=0).update(
        attempts=1, last_error=error[:2000]
    )
    message.refresh_from_db()
    return message


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure."""
    return min(timedelta(seconds=30 * 2 ** (attempts - 1)), MAX_BACKOFF)


def expedite(*, subject: str, kinds: Iterable[Kind | str]) -> int:
    """Make the subject's waiting rows of ``kinds`` due now (what they waited for has come)."""
    now = timezone.now()
    moved = (
        OutboxMessage.objects.open()
        .filter(subject=subject, kind__in=names(kinds), due_at__gt=now)
        .update(due_at=now)
    )
    if moved:
        transaction.on_commit(kick)
    return moved


def withdraw(
    *,
    subject: str | None = None,
    kinds: Iterable[Kind | str] | None = None,
    workflow: Workflow | None = None,
) -> int:
    """Close the pending rows of a subject or of one workflow's runs (of ``kinds``) so they are
    never sent."""
    if subject is None and workflow is None:
        raise ValueError("Withdraw the rows of a subject or of a workflow, not every row.")
    rows = OutboxMessage.objects.open()
    if subject is not None:
        rows = rows.for_subject(subject)
    if workflow is not None:
        rows = rows.filter(workflow_run__workflow=workflow)
    if kinds is not None:
        rows = rows.filter(kind__in=names(kinds))
    return rows.update(withdrawn_at=timezone.now(), locked_until=None)


@shared_task(name="workflows.tasks.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    """The Celery task a kick and the beat tick run: deliver what is due."""
    return drain()


def kick() -> None:
    """Ask a worker to drain now. Losing this message is harmless: the beat tick catches up."""
    try:
        drain_outbox.delay()
    except Exception:  # broker down: the row is safe in the database
        logger.warning(
            "Could not reach the broker; the next beat tick will deliver.", exc_info=True
        )


def claim(*, now: datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows to this worker; rows another worker holds are skipped."""
    lease_end = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.open()
            .filter(due_at__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .select_for_update(skip_locked=True)
            .order_by("due_at", "pk")[:limit]
        )
        for row in rows:
            row.locked_until = lease_end
            row.attempts += 1
        OutboxMessage.objects.bulk_update(rows, ["locked_until", "attempts"])
    return rows


def deliver(message: OutboxMessage) -> None:
    handler = handler_for(message.kind)
    now = timezone.now()
    try:
        if handler is None:
            raise LookupError(f"No handler for outbox kind {message.kind!r}")
        handler(message)
    except Drop as reason:
        _finish(message, done_at=now, last_error=f"{DROPPED}{reason}", skipped=True)
    except Fail as reason:
        OutboxMessage.objects.filter(pk=message.pk).update(
            failed_at=now, locked_until=None, last_error=str(reason)[:2000]
        )
    except Retry as retry:
        _record_failure(message, error=str(retry), now=now, delay=retry.after)
    except Exception as exc:  # any failure of a side effect is retried, never raised
        logger.warning(
            "Outbox %s %s failed (attempt %s)",
            message.kind,
            message.pk,
            message.attempts,
            exc_info=True,
        )
        _record_failure(message, error=f"{type(exc).__name__}: {exc}", now=now)
    else:
        _finish(message, done_at=now, last_error="")


def _finish(
    message: OutboxMessage, *, done_at: datetime, last_error: str, skipped: bool = False
) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        done_at=done_at, locked_until=None, last_error=last_error[:2000], skipped=skipped
    )


def _record_failure(
    message: OutboxMessage, *, error: str, now: datetime, delay: timedelta | None = None
) -> None:
    if message.attempts >= message.max_attempts:
        OutboxMessage.objects.filter(pk=message.pk).update(
            failed_at=now, locked_until=None, last_error=error[:2000]
        )
        return
    if delay is None:
        delay = backoff(message.attempts)
    OutboxMessage.objects.filter(pk=message.pk).update(
        due_at=now + delay, locked_until=None, last_error=error[:2000]
    )


def drain(*, limit: int = 50, max_batches: int = 100) -> int:
    """Deliver due rows until none is left (or ``max_batches`` ran); return how many were tried."""
    handled = 0
    for _ in range(max_batches):
        batch = claim(now=timezone.now(), limit=limit)
        if not batch:
            break
        for message in batch:
            deliver(message)
        handled += len(batch)
    return handled
