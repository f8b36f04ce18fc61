"""Reads of the tenant core."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from workestra.models import Membership, Team


def team_get_for_user(membership: Membership, pk: int) -> Team:
    """The one way host-side code fetches a team: another workspace's id is a 404."""
    return get_object_or_404(Team.objects.filter(workspace_id=membership.workspace_id), pk=pk)
