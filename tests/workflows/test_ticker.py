"""The embedded server's outbox ticker delivers due rows and outlives a failing tick."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from workflows import kinds, outbox, ticker
from workflows.kinds import Kind
from workflows.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)
DELIVERED: list[str] = []


def _deliver(message: OutboxMessage) -> None:
    DELIVERED.append(message.idempotency_key)


kinds.register(Kind("test.ticked", handler=_deliver))


def wait_until(condition, *, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def running_ticker():
    DELIVERED.clear()
    started = ticker.Ticker(every=0.05)
    started.start()
    yield started
    started.stop()


def due_row(key: str) -> OutboxMessage:
    # Written directly: enqueue() would also ask for an immediate drain, which is not the ticker.
    return OutboxMessage.objects.create(
        kind="test.ticked", idempotency_key=key, due_at=timezone.now()
    )


def test_a_due_row_nobody_asked_for_is_delivered_by_the_next_tick(running_ticker):
    row = due_row("reminder-1")

    assert wait_until(lambda: OutboxMessage.objects.get(pk=row.pk).state == "sent")
    assert DELIVERED == ["reminder-1"]


def test_a_failing_tick_is_logged_and_the_next_one_still_delivers(monkeypatch, caplog):
    real_drain = outbox.drain
    calls: list[int] = []

    def drain_failing_once() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real_drain()

    monkeypatch.setattr(outbox, "drain", drain_failing_once)
    DELIVERED.clear()
    started = ticker.Ticker(every=0.05)
    started.start()
    try:
        row = due_row("retry-1")
        assert wait_until(lambda: OutboxMessage.objects.get(pk=row.pk).state == "sent")
    finally:
        started.stop()

    assert "Outbox tick failed" in caplog.text
    assert DELIVERED == ["retry-1"]


def test_stop_ends_the_thread(running_ticker):
    running_ticker.stop()

    assert not running_ticker.running
