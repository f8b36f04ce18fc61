"""The one way host-side code fetches a workflow or a webhook endpoint: another workspace's id
is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from workestra.models import Membership
from workflows.models import WebhookEndpoint, Workflow

ADMIN_ONLY = "Only workspace admins can change workflows."


def workflow_get_for_user(membership: Membership, pk: int, *, write: bool = False) -> Workflow:
    """Changing a workflow needs the admin role."""
    workflow = get_object_or_404(
        Workflow.objects.filter(workspace_id=membership.workspace_id), pk=pk
    )
    if write and not membership.is_admin:
        raise PermissionDenied(ADMIN_ONLY)
    return workflow


def webhook_endpoint_get_for_user(membership: Membership, pk: int) -> WebhookEndpoint:
    """Another workspace's endpoint is a 404, whoever asks."""
    return get_object_or_404(
        WebhookEndpoint.objects.filter(workspace_id=membership.workspace_id), pk=pk
    )
