"""The OAuth connect every CRM client shares: the app's settings, its consent page and the code
exchange. A client names its ``app`` and turns the token response into a ``CrmGrant``."""

from __future__ import annotations

from typing import Any

from integrations.conferencing.oauth_http import OAuthApp
from integrations.crm_accounts.provider import CrmGrant


class OAuthCrm:
    app: OAuthApp

    def is_configured(self) -> bool:
        return self.app.is_configured()

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        return self.app.authorization_url(
            state=state, code_challenge=code_challenge, redirect_uri=redirect_uri
        )

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> CrmGrant:
        tokens = self.app.exchange_code(
            code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
        )
        return self.grant(tokens)

    def grant(self, tokens: dict[str, Any]) -> CrmGrant:
        """The connected account and its tokens; raises ``ProviderError`` when the CRM will not
        say which account it is."""
        raise NotImplementedError
