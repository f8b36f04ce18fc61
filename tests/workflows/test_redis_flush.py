"""A Redis flush loses nothing: the rows are in the database and the next beat tick sends them.

Needs the real broker (REDIS_URL); a worker runs in this process so the locmem inbox sees mail.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from booking import services
from tests.booking.helpers import attendee, utc
from tests.conftest import NOW, clear_cache
from tests.factories import LinkFactory, MembershipFactory
from workflows.models import OutboxMessage

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")


def queued_messages(redis) -> int:
    """Celery messages waiting in the broker (every list in the test database)."""
    return sum(redis.llen(key) for key in redis.scan_iter() if redis.type(key) == b"list")


def wait_for(count: int, *, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_one_beat_tick_sends_every_due_row_exactly_once(frozen):
    import redis as redis_client
    from celery.contrib.testing.worker import start_worker

    from workestra.celery import app
    from workflows.tasks import drain_outbox

    host = MembershipFactory(user__email="host@acme.test").user
    link = LinkFactory(workspace=host.memberships.get().workspace, owner=host)
    people = ["ann", "ben", "cat"]
    for n, who in enumerate(people):
        services.booking_create(
            link=link,
            start=utc(2026, 11, 25, 9 + n, 0),
            attendee=attendee(name=who, email=f"{who}@example.com"),
        )
    broker = redis_client.Redis.from_url(settings.CELERY_BROKER_URL)
    assert queued_messages(broker) > 0  # the "drain now" messages sent after each commit

    broker.flushdb()

    assert queued_messages(broker) == 0
    due = OutboxMessage.objects.filter(done_at__isnull=True, due_at__lte=NOW)
    assert due.count() == 6  # a confirmation and a host email per booking
    tick = settings.CELERY_BEAT_SCHEDULE["drain-outbox"]["task"]
    assert tick == drain_outbox.name
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        app.send_task(tick)  # what beat sends every minute
        wait_for(6)
        time.sleep(0.5)  # room for a duplicate to show up

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([*(f"{p}@example.com" for p in people), *["host@acme.test"] * 3])
    assert not due.exists()
    assert set(
        OutboxMessage.objects.filter(kind="booking.confirmation").values_list("attempts", flat=True)
    ) == {1}
    reminders = OutboxMessage.objects.filter(kind="booking.reminder")
    assert [r.state for r in reminders] == ["scheduled"] * 3  # not due yet, not sent early


def test_clearing_the_cache_between_tests_keeps_the_queued_celery_messages(db):
    """Every test starts by emptying the cache, which lives in the broker's Redis database:
    only the cache's keys go, the queued Celery messages stay."""
    import redis as redis_client

    from workflows.tasks import drain_outbox

    broker = redis_client.Redis.from_url(settings.CELERY_BROKER_URL)
    before = queued_messages(broker)
    task = drain_outbox.delay()
    cache.set("probe", "here")
    try:
        assert queued_messages(broker) == before + 1

        clear_cache()  # what the autouse fixture does before each test

        assert cache.get("probe") is None
        assert queued_messages(broker) == before + 1
    finally:
        remove_message(broker, task.id)


def remove_message(redis, task_id: str) -> None:
    """Take one queued message off the broker again, leaving any others as they are."""
    for key in redis.scan_iter():
        if redis.type(key) == b"list":
            for raw in redis.lrange(key, 0, -1):
                if task_id.encode() in raw:
                    redis.lrem(key, 1, raw)
