"""Which SSO connection, if any, an address or a provider key belongs to."""

from __future__ import annotations

from workestra.models import SsoConnection

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
