"""Which Twilio account a workspace sends with: its own (Settings → Integrations), else the
server's from the settings, else none.

Inbound webhooks carry no workspace, only the numbers: :func:`webhook_tokens` gives the auth
tokens that may have signed a request to one of our numbers.
"""

from __future__ import annotations

import logging

from django.conf import settings

from integrations.models import TwilioAccount
from integrations.twilio.client import Credentials, NotConfigured, TwilioError, server_credentials
from workestra.lib import crypto

logger = logging.getLogger(__name__)

UNREADABLE = (
    "The workspace's Twilio auth token can't be read with the server's encryption keys: "
    "enter it again in Settings → Integrations."
)


class Unreadable(TwilioError):
    def __init__(self) -> None:
        super().__init__(UNREADABLE, permanent=True)


def _own(account: TwilioAccount) -> Credentials:
    try:
        token = account.auth_token
    except (crypto.MissingKey, crypto.Undecryptable) as exc:
        raise Unreadable from exc
    return Credentials(account.account_sid, token, account.from_number, own=True)


def credentials_for(workspace_id: int) -> Credentials | None:
    """The workspace's own account, else the server's, else None.

    Raises :class:`Unreadable` when the workspace has an account whose token cannot be
    decrypted: sending from the server's account instead would use another sender.
    """
    account = TwilioAccount.objects.filter(workspace_id=workspace_id).first()
    if account is not None:
        return _own(account)
    return server_credentials()


def require(workspace_id: int) -> Credentials:
    """:func:`credentials_for`, raising :class:`NotConfigured` when there are none."""
    credentials = credentials_for(workspace_id)
    if credentials is None:
        raise NotConfigured
    return credentials


def webhook_tokens(our_number: str) -> list[str]:
    """The tokens of the workspaces sending from ``our_number``, then the server's."""
    tokens = []
    for account in TwilioAccount.objects.filter(from_number=our_number).order_by("pk"):
        try:
            tokens.append(account.auth_token)
        except (crypto.MissingKey, crypto.Undecryptable):
            logger.warning("Twilio account of workspace %s is unreadable", account.workspace_id)
    if settings.TWILIO_AUTH_TOKEN:
        tokens.append(settings.TWILIO_AUTH_TOKEN)
    return tokens
