"""The outbox: nothing lost, nothing sent twice, failures end visibly."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection
from django.utils import timezone

from workflows import kinds, outbox
from workflows.kinds import Kind
from workflows.models import OutboxMessage

CALLS: list[str] = []


def _record(message: OutboxMessage) -> None:
    CALLS.append(message.payload["n"])


DELIVERIES: list[tuple[int, int]] = []  # (row number, delivering thread)


def _record_slowly(message: OutboxMessage) -> None:
    DELIVERIES.append((message.payload["n"], threading.get_ident()))
    time.sleep(0.001)  # let the other workers run meanwhile, as a real send would


def _fail(message: OutboxMessage) -> None:
    raise RuntimeError("provider down")


kinds.register(
    Kind("test.record", handler=_record),
    Kind("test.record_slowly", handler=_record_slowly),
    Kind("test.fail", handler=_fail),
)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    DELIVERIES.clear()
    yield


def test_enqueue_with_the_same_key_keeps_one_row(db):
    first = outbox.enqueue(kind="test.record", key="k1", payload={"n": "a"})
    again = outbox.enqueue(kind="test.record", key="k1", payload={"n": "b"})
    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1
    outbox.drain()
    assert CALLS == ["a"]


def test_rows_are_sent_once_even_when_drained_again(db):
    outbox.enqueue(kind="test.record", key="k1", payload={"n": "a"})
    outbox.drain()
    outbox.drain()
    assert CALLS == ["a"]
    assert OutboxMessage.objects.get().state == "sent"


def test_future_rows_wait_for_their_time(db, frozen):
    outbox.enqueue(
        kind="test.record",
        key="later",
        payload={"n": "a"},
        due_at=timezone.now() + timedelta(hours=2),
    )
    assert outbox.drain() == 0
    frozen.shift(timedelta(hours=2))
    assert outbox.drain() == 1
    assert CALLS == ["a"]


def test_failures_back_off_exponentially_then_end_as_a_visible_failure(db, frozen, settings):
    row = outbox.enqueue(kind="test.fail", key="f1")
    row.max_attempts = 3
    row.save()
    delays = []
    for _ in range(3):
        before = timezone.now()
        outbox.drain()
        row.refresh_from_db()
        delays.append(row.due_at - before)
        frozen.shift(row.due_at - timezone.now())
    assert delays[:2] == [timedelta(seconds=30), timedelta(seconds=60)]
    assert row.state == "failed" and row.attempts == 3
    assert row.last_error == "RuntimeError: provider down"
    frozen.shift(timedelta(days=1))
    assert outbox.drain() == 0  # a failure is final, not a loop


def test_a_worker_killed_mid_batch_loses_nothing(db, frozen, settings):
    for n in range(3):
        outbox.enqueue(kind="test.record", key=f"k{n}", payload={"n": str(n)})
    claimed = outbox.claim(now=timezone.now(), limit=10)  # then the worker dies
    assert len(claimed) == 3
    assert outbox.drain() == 0  # leased rows are not taken by others meanwhile
    frozen.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
    assert outbox.drain() == 3
    assert sorted(CALLS) == ["0", "1", "2"]


def test_withdrawn_rows_are_never_sent(db):
    outbox.enqueue(kind="test.record", key="k1", payload={"n": "a"}, subject="booking:1")
    outbox.enqueue(kind="test.record", key="k2", payload={"n": "b"}, subject="booking:2")
    assert outbox.withdraw(subject="booking:1") == 1
    outbox.drain()
    assert CALLS == ["b"]


def test_an_unknown_kind_ends_as_a_failure_not_a_crash(db, frozen):
    row = outbox.enqueue(kind="nobody.handles", key="x")
    outbox.drain()
    row.refresh_from_db()
    assert "No handler" in row.last_error and row.attempts == 1


ROWS, WORKERS, BATCH = 400, 8, 5


@pytest.mark.django_db(transaction=True)
def test_racing_workers_deliver_every_row_exactly_once():
    """Workers draining the same outbox at once deliver every due row exactly once: each row is
    claimed by one worker only (``SKIP LOCKED`` and the lease), none is left behind, none is
    claimed twice. Small batches and a short pause per delivery make the workers really
    interleave, which the test checks; 400 rows make 80 contested claims, proof enough."""
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind="test.record_slowly", idempotency_key=f"bulk-{n}", payload={"n": n})
        for n in range(ROWS)
    )
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            connection.ensure_connection()  # connected before the race starts, not during it
            start.wait(timeout=30)
            outbox.drain(limit=BATCH, max_batches=ROWS)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert not any(t.is_alive() for t in threads)
    delivered = sorted(n for n, _ in DELIVERIES)
    assert delivered == list(range(ROWS))  # every row once: none lost, none twice
    assert len({worker for _, worker in DELIVERIES}) > 1  # the workers really raced
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()
    asyncio.set_event_loop(None)


def test_confirmation_reaches_a_real_smtp_server_with_its_invite(link, frozen, smtp_server):
    from booking import services
    from tests.booking.helpers import attendee, utc

    services.booking_create(link=link, start=utc(2026, 11, 25, 9, 0), attendee=attendee())
    outbox.drain()

    assert len(smtp_server.messages) == 2
    raw = b"\n".join(smtp_server.messages)
    assert b"alice@example.com" in raw and b"owner@acme.test" in raw
    assert b"BEGIN:VCALENDAR" in raw or b"invite.ics" in raw


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_sends_the_emails_after_commit(frozen):
    from celery.contrib.testing.worker import start_worker

    from booking import services
    from tests.booking.helpers import attendee, utc
    from tests.factories import LinkFactory, MembershipFactory
    from workestra.celery import app

    host = MembershipFactory().user
    link = LinkFactory(workspace=host.memberships.get().workspace, owner=host)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        services.booking_create(link=link, start=utc(2026, 11, 25, 9, 0), attendee=attendee())
        deadline = time.monotonic() + 20
        while len(mail.outbox) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["alice@example.com", host.email])
