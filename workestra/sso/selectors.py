"""Which SSO connection, if any, an address or a provider key belongs to."""

from __future__ import annotations

from workestra.models import Membership, SsoConnection

KEY_PREFIX = "workspace-"


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().rstrip(".").lower()


def connection_for_email(email: str) -> SsoConnection | None:
    domain = domain_of(email)
    if not domain:
        return None
    return SsoConnection.objects.select_related("workspace").filter(domain=domain).first()


def required_connection_for_email(email: str) -> SsoConnection | None:
    """The connection that must sign this address in, when its workspace requires SSO."""
    connection = connection_for_email(email)
    return connection if connection is not None and connection.required else None


def password_refused_connection(email: str) -> SsoConnection | None:
    """The connection that keeps this address from passwords and other sign-ins: its domain
    requires SSO and the address is not an owner of that workspace (owners keep their
    password, so a broken IdP configuration never locks the workspace out)."""
    connection = required_connection_for_email(email)
    if connection is None:
        return None
    is_owner = Membership.objects.filter(
        workspace_id=connection.workspace_id,
        role=Membership.Role.OWNER,
        deactivated_at__isnull=True,
        user__email__iexact=email.strip(),
    ).exists()
    return None if is_owner else connection


def connection_for_key(key: str) -> SsoConnection | None:
    """The connection behind allauth's provider id (OIDC) or organisation slug (SAML)."""
    if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX) :].isdigit():
        return None
    workspace_id = int(key[len(KEY_PREFIX) :])
    return (
        SsoConnection.objects.select_related("workspace").filter(workspace_id=workspace_id).first()
    )


def all_connections() -> list[SsoConnection]:
    return list(SsoConnection.objects.select_related("workspace"))
