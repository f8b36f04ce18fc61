"""Two owners stepping down at the same moment on PostgreSQL: the workspace keeps one owner.

Each counts the owners before it writes; without the row locks both would see two owners and
both would leave.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import MembershipFactory
from workestra import services
from workestra.models import Membership

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races are decided by PostgreSQL row locks"
    ),
]


@pytest.mark.parametrize("step_down", ["leave", "demote"])
def test_two_owners_stepping_down_at_once_leave_one_owner(step_down):
    first = MembershipFactory(role=Membership.Role.OWNER)
    second = MembershipFactory(workspace=first.workspace, role=Membership.Role.OWNER)
    owners = [first, second]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            mine = Membership.objects.get(pk=owners[n].pk)
            barrier.wait()
            try:
                if step_down == "leave":
                    services.membership_leave(membership=mine)
                else:
                    services.membership_set_role(actor=mine, membership=mine, role="member")
                outcome = "done"
            except Exception as exc:  # collected: the test asserts on every kind
                outcome = type(exc).__name__
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(outcomes) == ["MembershipRefused", "done"]
    remaining = Membership.objects.filter(workspace=first.workspace, role=Membership.Role.OWNER)
    assert remaining.count() == 1
