"""Teams written through the workspace core's services."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from workestra import services
from workestra.models import Team, TeamMember

ADMIN, MEMBER = TeamMember.Role.ADMIN, TeamMember.Role.MEMBER


def roles_of(team: Team) -> dict[int, str]:
    return dict(team.team_members.values_list("user_id", "role"))


def test_a_team_is_created_with_its_members_and_their_roles(workspace, owner, teammate):
    team = services.team_create(
        workspace=workspace,
        name="Sales",
        slug="sales",
        description="Talk to us",
        roles={owner.pk: ADMIN, teammate.pk: MEMBER},
    )

    stored = Team.objects.get()
    assert (stored.pk, stored.workspace, stored.name, stored.slug, stored.description) == (
        team.pk,
        workspace,
        "Sales",
        "sales",
        "Talk to us",
    )
    assert roles_of(stored) == {owner.pk: ADMIN, teammate.pk: MEMBER}


def test_an_update_changes_roles_and_removes_whoever_is_left_out(workspace, owner, teammate):
    team = services.team_create(
        workspace=workspace,
        name="Sales",
        slug="sales",
        description="",
        roles={owner.pk: ADMIN, teammate.pk: MEMBER},
    )
    kept = team.team_members.get(user=teammate).pk

    services.team_update(
        team=team, name="Deals", slug="deals", description="New", roles={teammate.pk: ADMIN}
    )

    team.refresh_from_db()
    assert (team.name, team.slug, team.description) == ("Deals", "deals", "New")
    assert roles_of(team) == {teammate.pk: ADMIN}
    assert team.team_members.get().pk == kept


def test_a_taken_slug_writes_nothing(workspace, owner):
    services.team_create(workspace=workspace, name="Sales", slug="sales", description="", roles={})

    with pytest.raises(IntegrityError):
        services.team_create(
            workspace=workspace, name="Other", slug="sales", description="", roles={owner.pk: ADMIN}
        )

    assert list(Team.objects.values_list("name", flat=True)) == ["Sales"]
    assert not TeamMember.objects.exists()
