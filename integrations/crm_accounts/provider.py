"""What every CRM client offers: the OAuth connect and the owner of an email address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from integrations.crm_accounts.http import Budget
    from integrations.models import CrmConnection

FOUND = "found"
NO_OWNER = "no_owner"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Owner:
    """What one CRM said about an email address: ``found`` (with the owner's email),
    ``no_owner`` (a record without an owner who is a user) or ``not_found``."""

    outcome: str
    email: str = ""
    detail: str = ""


@dataclass(frozen=True)
class CrmGrant:
    """What a code exchange gave: the account shown on the page and its tokens."""

    account: str
    refresh_token: str
    access_token: str
    expires_at: datetime | None
    instance_url: str = ""


class CrmClient(Protocol):
    key: str
    label: str

    def is_configured(self) -> bool: ...

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str: ...

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> CrmGrant:
        """Raises ``ProviderError`` when the CRM refuses or cannot be reached."""
        ...

    def revoke(self, connection: CrmConnection) -> None:
        """End the app's access at the CRM; never raises."""
        ...

    def find_owner(self, connection: CrmConnection, email: str, budget: Budget) -> Owner:
        """Raises ``CrmError`` for every failure."""
        ...
