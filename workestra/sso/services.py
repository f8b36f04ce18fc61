"""Writes of SSO connections, and a signed-in member joining their workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone

from workestra.models import Membership, SsoConnection, User, Workspace

FIELDS = (
    "domain",
    "protocol",
    "required",
    "oidc_issuer",
    "oidc_client_id",
    "saml_entity_id",
    "saml_sso_url",
    "saml_certificate",
)


class SsoConnectionError(Exception):
    """The connection cannot be saved as asked; the message says why."""


def sso_connection_save(
    *, workspace: Workspace, by: User, values: Mapping[str, Any], secret: str = ""
) -> SsoConnection:
    """Create or replace the workspace's connection; an empty ``secret`` keeps the stored one."""
    try:
        with transaction.atomic():
            connection = (
                SsoConnection.objects.select_for_update().filter(workspace=workspace).first()
            )
            if connection is None:
                connection = SsoConnection(workspace=workspace, created_by=by)
            for field in FIELDS:
                setattr(connection, field, values.get(field, getattr(connection, field)))
            if connection.protocol == SsoConnection.Protocol.OIDC:
                if secret:
                    connection.oidc_client_secret = secret
                connection.saml_entity_id = connection.saml_sso_url = ""
                connection.saml_certificate = ""
            else:
                connection.oidc_issuer = connection.oidc_client_id = ""
                connection.oidc_client_secret_encrypted = ""
            connection.updated_at = timezone.now()
            connection.save()
    except IntegrityError:
        raise SsoConnectionError(
            f"{values.get('domain')} already signs in through another workspace."
        ) from None
    return connection


def sso_connection_delete(*, connection: SsoConnection) -> None:
    """Members keep their accounts; they sign in with passwords (or a reset) again."""
    connection.delete()


def sso_member_join(*, connection: SsoConnection, user: User) -> Membership:
    """Someone the IdP signed in becomes a member of the connection's workspace."""
    membership, _ = Membership.objects.get_or_create(
        workspace_id=connection.workspace_id,
        user=user,
        defaults={"role": Membership.Role.MEMBER},
    )
    return membership


def sso_address_vouch(*, user: User) -> None:
    """The IdP vouched for the address: it counts as verified from now on. If it was not
    verified before, whoever set the account's password never proved they own the address, so
    that password stops working (the same rule as Google and Microsoft sign-in). Call it before
    the login: a new password hash ends the sessions made with the old one."""
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return
    if address.verified:
        return
    address.verified = True
    address.save(update_fields=["verified"])
    if user.has_usable_password():  # allauth wipes it at an email login; this is the backstop
        user.set_unusable_password()
        user.save(update_fields=["password"])
