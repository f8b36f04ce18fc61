"""One access chokepoint per resource: ``<entity>_get_for_user(membership, pk)`` returns the
member's own workspace's row, and another workspace's id is a 404, whoever asks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from availability import selectors as availability_selectors
from availability.models import TimeOff
from booking import selectors as booking_selectors
from tests.factories import BookingFactory, LinkFactory, MembershipFactory
from workestra import selectors as workestra_selectors
from workestra.models import Membership, Team
from workflows import selectors as workflow_selectors
from workflows.models import WebhookEndpoint, Workflow


def make_link(membership):
    return LinkFactory(workspace=membership.workspace, owner=membership.user)


def make_booking(membership):
    return BookingFactory(link=make_link(membership))


def make_workflow(membership):
    return Workflow.objects.create(workspace=membership.workspace, name="Thanks")


def make_endpoint(membership):
    return WebhookEndpoint.objects.create(
        workspace=membership.workspace, url="https://crm.example.com/in", secret="whsec_x"
    )


def make_team(membership):
    return Team.objects.create(
        workspace=membership.workspace, name="Sales", slug=f"sales-{membership.pk}"
    )


def make_time_off(membership):
    return TimeOff.objects.create(
        workspace=membership.workspace,
        user=membership.user,
        start=datetime(2026, 12, 24, tzinfo=UTC),
        end=datetime(2026, 12, 27, tzinfo=UTC),
    )


CHOKEPOINTS = [
    (booking_selectors.link_get_for_user, make_link),
    (booking_selectors.booking_get_for_user, make_booking),
    (workflow_selectors.workflow_get_for_user, make_workflow),
    (workflow_selectors.webhook_endpoint_get_for_user, make_endpoint),
    (workestra_selectors.team_get_for_user, make_team),
    (availability_selectors.time_off_get_for_user, make_time_off),
]


@pytest.fixture
def mine(owner, workspace):
    return Membership.objects.get(user=owner, workspace=workspace)


@pytest.fixture
def theirs(db):
    return MembershipFactory(role=Membership.Role.OWNER)


@pytest.mark.parametrize(("get_for_user", "make"), CHOKEPOINTS, ids=lambda v: v.__name__)
def test_a_member_gets_their_workspace_row_and_another_workspace_id_is_a_404(
    get_for_user, make, mine, theirs
):
    own, foreign = make(mine), make(theirs)

    assert get_for_user(mine, own.pk) == own
    with pytest.raises(Http404):
        get_for_user(mine, foreign.pk)
    with pytest.raises(Http404):
        get_for_user(theirs, own.pk)


def test_a_member_may_read_a_colleagues_link_but_not_change_it(mine, workspace, teammate):
    link = make_link(mine)
    member = Membership.objects.get(user=teammate, workspace=workspace)

    assert booking_selectors.link_get_for_user(member, link.pk) == link
    with pytest.raises(PermissionDenied, match="host or a workspace admin"):
        booking_selectors.link_get_for_user(member, link.pk, write=True)
    assert booking_selectors.link_get_for_user(mine, link.pk, write=True) == link


def test_a_member_changes_no_workflow_and_sees_no_colleagues_time_off(mine, workspace, teammate):
    member = Membership.objects.get(user=teammate, workspace=workspace)
    workflow, away = make_workflow(mine), make_time_off(mine)

    with pytest.raises(PermissionDenied, match="Only workspace admins"):
        workflow_selectors.workflow_get_for_user(member, workflow.pk, write=True)
    with pytest.raises(Http404):
        availability_selectors.time_off_get_for_user(member, away.pk)
    assert availability_selectors.time_off_get_for_user(mine, away.pk) == away
