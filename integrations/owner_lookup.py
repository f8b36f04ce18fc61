"""Who owns this email address in the workspace's CRM: the real-time owner lookup routing forms
ask before they pick a host.

:func:`lookup_owner` asks each connected CRM of the workspace (HubSpot first, then Salesforce)
within one time budget and answers the first owner found. It never raises: every failure is an
outcome the caller records on the response and then lets the normal rotation decide.

Each CRM is asked only while the budget lasts; every request gets what is left of it as its
timeout. When no CRM names an owner, the answer is the most telling one (``no_owner`` before
``timeout``, ``error`` and ``not_found``) with every CRM's detail joined.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from integrations.crm_accounts import registry
from integrations.crm_accounts.http import Budget, CrmError
from integrations.models import CrmConnection
from workestra.lib import crypto

logger = logging.getLogger(__name__)

FOUND = "found"
NO_OWNER = "no_owner"
NOT_FOUND = "not_found"
NOT_CONNECTED = "not_connected"
TIMEOUT = "timeout"
ERROR = "error"
MAX_EMAIL = 254


@dataclass(frozen=True)
class OwnerLookup:
    outcome: str  # "found" | "no_owner" | "not_found" | "not_connected" | "timeout" | "error"
    owner_email: str | None = None  # lower-cased, set only when outcome == "found"
    provider: str = ""  # "hubspot" | "salesforce" | ""
    detail: str = ""  # short human text for the response record, e.g. "HubSpot answered 429"


def lookup_owner(workspace_id: int, email: str, *, budget_seconds: float = 2.0) -> OwnerLookup:
    """The owner of ``email``'s contact in the workspace's connected CRMs, within the budget."""
    try:
        return _lookup(workspace_id, email, budget_seconds)
    except Exception:  # a lookup must never break the form that asked
        logger.exception("The CRM owner lookup of workspace %s failed", workspace_id)
        return OwnerLookup(ERROR, detail="The owner lookup failed.")


def connected_providers(workspace_id: int) -> list[str]:
    """The CRMs a lookup for this workspace would ask now (``"hubspot"``, ``"salesforce"``), in
    order; for pages that say whether owner routing can work."""
    return [connection.provider for connection in _connections(workspace_id)]


def _lookup(workspace_id: int, email: str, budget_seconds: float) -> OwnerLookup:
    budget = Budget(budget_seconds)
    address = _address(email)
    if address is None:
        return OwnerLookup(NOT_FOUND, detail="No valid email address to look up.")
    answers: list[OwnerLookup] = []
    for connection in _connections(workspace_id):
        answer = _ask(connection, address, budget)
        if answer.outcome == FOUND:
            return answer
        answers.append(answer)
    if not answers:
        return OwnerLookup(NOT_CONNECTED, detail="No CRM is connected.")
    return _verdict(answers)


def _address(email: str) -> str | None:
    address = (email or "").strip().lower()
    if not 3 <= len(address) <= MAX_EMAIL or "@" not in address:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in address):
        return None
    return address


def _connections(workspace_id: int) -> list[CrmConnection]:
    """The workspace's working connections to CRMs this server is set up for, HubSpot first."""
    rows = CrmConnection.objects.filter(
        workspace_id=workspace_id, status=CrmConnection.Status.ACTIVE
    )
    by_provider = {row.provider: row for row in rows}
    return [
        by_provider[key]
        for key, client in registry.CLIENTS.items()
        if key in by_provider and client.is_configured()
    ]


def _ask(connection: CrmConnection, address: str, budget: Budget) -> OwnerLookup:
    client = registry.get(connection.provider)
    try:
        budget.timeout(client.label)
        owner = client.find_owner(connection, address, budget)
    except CrmError as exc:
        return OwnerLookup(exc.outcome, provider=client.key, detail=exc.detail)
    except (crypto.Undecryptable, crypto.MissingKey):
        detail = f"The {client.label} tokens can't be read: connect it again."
        return OwnerLookup(ERROR, provider=client.key, detail=detail)
    if owner.outcome == FOUND:
        return OwnerLookup(FOUND, owner_email=owner.email, provider=client.key, detail=owner.detail)
    return OwnerLookup(owner.outcome, provider=client.key, detail=owner.detail)


def _verdict(answers: list[OwnerLookup]) -> OwnerLookup:
    """No CRM named an owner: the most telling answer, with every CRM's detail."""
    detail = " ".join(answer.detail for answer in answers)
    for outcome in (NO_OWNER, TIMEOUT, ERROR, NOT_FOUND):
        chosen = next((answer for answer in answers if answer.outcome == outcome), None)
        if chosen is not None:
            return OwnerLookup(outcome, provider=chosen.provider, detail=detail[:500])
    return OwnerLookup(ERROR, detail=detail[:500])
