"""Shared fixtures: personas (owner, teammate, outsider), a frozen clock and a clean cache."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.factories import (
    BookingFactory,
    LinkFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
)
from workestra.models import Membership

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Under test the Redis cache keeps its keys under a prefix of this run's own, and emptying it
# deletes those keys only. Django's cache.clear() on Redis is a FLUSHDB, which would also drop the
# Celery messages queued in the same database (REDIS_URL names one database for both) and the
# keys of any other test run sharing it.
if settings.CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    settings.CACHES["default"]["KEY_PREFIX"] = f"workestra-test-{os.getpid()}"


def clear_cache() -> None:
    """Empty this run's cache and nothing else; use it instead of ``cache.clear()``."""
    cache_settings = settings.CACHES["default"]
    if not cache_settings["BACKEND"].endswith(".RedisCache"):
        cache.clear()
        return
    client = redis.Redis.from_url(cache_settings["LOCATION"])
    try:
        keys = list(client.scan_iter(match=f"{cache_settings['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# Monday 2026-11-23 07:00 UTC = 08:00 in Berlin: the whole working day is still ahead.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


# A test that does not freeze the clock still never sees the real date: it runs on a clock that
# ticks from this day, years away from NOW and in the other half of the DST year. So a test that
# mixes NOW with rows stamped "now" fails on every run, not first on the day the calendar passes
# NOW, and no test's outcome depends on the day the suite runs.
# Seven minutes past the hour, so no slot starts right at the edge of a link's minimum notice
# (a ticking clock would otherwise take it away between two requests of one test).
ELSEWHEN = datetime(2031, 6, 18, 10, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(request):
    """Freeze before any other fixture stamps a row; otherwise run the clock at ELSEWHEN."""
    if "frozen" in request.fixturenames:
        request.getfixturevalue("frozen")
        yield
        return
    with time_machine.travel(ELSEWHEN, tick=True):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    clear_cache()
    yield


@pytest.fixture
def frozen():
    """The clock stopped at :data:`NOW` (``time.monotonic`` still runs, so timeouts work)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(
        workspace=workspace,
        role=Membership.Role.OWNER,
        user__email="owner@acme.test",
        user__name="Olga Owner",
    ).user


@pytest.fixture
def teammate(workspace):
    return MembershipFactory(
        workspace=workspace,
        role=Membership.Role.MEMBER,
        user__email="mate@acme.test",
        user__name="Tim Mate",
    ).user


@pytest.fixture
def outsider(db):
    return MembershipFactory(user__email="out@other.test").user


@pytest.fixture
def link(owner, workspace):
    """Olga's live one-on-one link: weekdays 09:00-17:00 Europe/Berlin, 30 minutes."""
    return LinkFactory(workspace=workspace, owner=owner, title="Intro call", slug="intro")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return login(owner)


@pytest.fixture
def teammate_client(teammate):
    return login(teammate)


@pytest.fixture
def outsider_client(outsider):
    return login(outsider)


@pytest.fixture
def unused_user(db):
    return UserFactory()


@pytest.fixture
def booked(db):
    """Book through the real service: ``booked(link, start, now=..., duration=..., **attendee)``."""
    return BookingFactory.through_service
