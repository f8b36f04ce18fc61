"""Reads of the tenant core."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from workestra.models import Invitation, Membership, Team, User


def team_get_for_user(membership: Membership, pk: int) -> Team:
    """The one way host-side code fetches a team: another workspace's id is a 404."""
    return get_object_or_404(Team.objects.filter(workspace_id=membership.workspace_id), pk=pk)


def membership_get_for_user(membership: Membership, pk: int) -> Membership:
    """A membership of the viewer's workspace: another workspace's id is a 404."""
    return get_object_or_404(
        Membership.objects.select_related("user").filter(workspace_id=membership.workspace_id),
        pk=pk,
    )


def invitation_get_for_user(membership: Membership, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.filter(workspace_id=membership.workspace_id), pk=pk)


def members_of(workspace_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace_id=workspace_id)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def open_invitations(workspace_id: int) -> QuerySet[Invitation]:
    return Invitation.objects.open().filter(workspace_id=workspace_id).select_related("invited_by")


def workspaces_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, deactivated_at__isnull=True)
        .select_related("workspace")
        .order_by("workspace__name")
    )
