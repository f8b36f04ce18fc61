"""The CRMs this server knows, in the order an owner lookup asks them."""

from __future__ import annotations

from integrations.crm_accounts.provider import CrmClient
from integrations.hubspot.client import HubSpot
from integrations.salesforce.client import Salesforce

CLIENTS: dict[str, CrmClient] = {"hubspot": HubSpot(), "salesforce": Salesforce()}


def get(key: str) -> CrmClient:
    """The client of that key; ``KeyError`` for an unknown one."""
    return CLIENTS[key]
