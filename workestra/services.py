"""Writes of the tenant core: workspaces, teams and who is in them."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from workestra.models import Membership, Team, TeamMember, User, Workspace


def workspace_create_for_owner(*, user: User, name: str = "") -> Workspace:
    """A new free workspace with ``user`` as its owner; it is named after them unless ``name``
    is given, and its slug is made unique."""
    name = name.strip() or f"{user.name.strip() or user.email.split('@')[0]}'s workspace"
    name = name[: Workspace._meta.get_field("name").max_length]
    with transaction.atomic():
        workspace = Workspace.objects.create(
            name=name, slug=_unique_slug(name), plan=Workspace.Plan.FREE
        )
        Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    return workspace


def _unique_slug(name: str) -> str:
    base = slugify(name)[:48].strip("-") or "workspace"
    slug = base
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
    return slug


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
