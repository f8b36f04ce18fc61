"""Shared fixtures: personas (owner, teammate, outsider), a frozen clock and a clean cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
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

# Monday 2026-11-23 07:00 UTC = 08:00 in Berlin: the whole working day is still ahead.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield


@pytest.fixture
def frozen():
    """The clock stopped at :data:`NOW` (it ticks inside, so timeouts still work)."""
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
