"""Writes of the tenant core: teams and who is in them."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from workestra.models import Team, TeamMember, Workspace


def team_create(
    *, workspace: Workspace, name: str, slug: str, description: str, roles: Mapping[int, str]
) -> Team:
    """A new team; ``roles`` maps each member's user id to their team role."""
    team = Team(workspace=workspace)
    return _save(team, name=name, slug=slug, description=description, roles=roles)


def team_update(
    *, team: Team, name: str, slug: str, description: str, roles: Mapping[int, str]
) -> Team:
    """Change the team; whoever is not in ``roles`` leaves it, the others get their role."""
    return _save(team, name=name, slug=slug, description=description, roles=roles)


def _save(team: Team, *, name: str, slug: str, description: str, roles: Mapping[int, str]) -> Team:
    with transaction.atomic():
        team.name = name
        team.slug = slug
        team.description = description
        team.save()
        team.team_members.exclude(user_id__in=list(roles)).delete()
        for user_id, role in roles.items():
            TeamMember.objects.update_or_create(team=team, user_id=user_id, defaults={"role": role})
    return team
