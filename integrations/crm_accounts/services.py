"""Every write on a workspace's CRM connection: connect (or reconnect) and disconnect."""

from __future__ import annotations

import contextlib

from django.db import transaction

from integrations.crm_accounts import registry
from integrations.crm_accounts.provider import CrmGrant
from integrations.models import CrmConnection
from workestra.lib import crypto
from workestra.models import User, Workspace


@transaction.atomic
def connection_save(
    *, workspace: Workspace, provider: str, grant: CrmGrant, by: User
) -> CrmConnection:
    """The workspace's connection to ``provider``, new or replaced by this sign-in (a broken
    one works again). Tokens are encrypted before they are stored."""
    connection = (
        CrmConnection.objects.select_for_update()
        .filter(workspace=workspace, provider=provider)
        .first()
    ) or CrmConnection(workspace=workspace, provider=provider)
    connection.account = grant.account[:254]
    connection.instance_url = grant.instance_url
    connection.refresh_token = grant.refresh_token
    connection.access_token = grant.access_token
    connection.access_expires_at = grant.expires_at
    connection.connected_by = by
    connection.status = CrmConnection.Status.ACTIVE
    connection.broken_reason = ""
    connection.broken_at = None
    connection.save()
    return connection


def connection_delete(*, workspace: Workspace, provider: str) -> bool:
    """End the workspace's connection to ``provider`` at the CRM (best effort) and forget it
    and its tokens; whether one existed."""
    connection = CrmConnection.objects.filter(workspace=workspace, provider=provider).first()
    if connection is None:
        return False
    # Tokens nobody can read any more can't be revoked, only forgotten.
    with contextlib.suppress(crypto.MissingKey, crypto.Undecryptable):
        registry.get(provider).revoke(connection)
    connection.delete()
    return True
