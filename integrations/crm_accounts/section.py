"""What the CRM part of Settings → Integrations shows: each CRM this server offers, the
workspace's connection to it, and whether this member may change it."""

from __future__ import annotations

from typing import Any

from integrations.crm_accounts import registry
from integrations.models import CrmConnection
from workestra.tenancy import AuthedRequest

SETTINGS_NAMES = {
    "hubspot": ("HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"),
    "salesforce": ("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"),
}


def context(request: AuthedRequest) -> dict[str, Any]:
    connections = {c.provider: c for c in CrmConnection.objects.filter(workspace=request.workspace)}
    rows = [
        {
            "key": key,
            "label": client.label,
            "configured": client.is_configured(),
            "settings_names": SETTINGS_NAMES.get(key, ()),
            "connection": connections.get(key),
        }
        for key, client in registry.CLIENTS.items()
    ]
    return {"rows": rows, "can_manage": request.membership.is_admin}
