"""Re-encrypt every stored connection secret (and workspaces' Twilio auth tokens and SSO
client secrets) with the first key of WORKESTRA_ENCRYPTION_KEY.

Rotate by putting the new key first (the old one after it), running this, then dropping the old
key. A secret no configured key can read is left as it is and reported: that account needs
reconnecting.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from integrations.models import CalendarConnection, CrmConnection, TwilioAccount
from workestra.lib import crypto
from workestra.models import SsoConnection

# What holds secrets: the model, its encrypted fields, and how a row is named in messages.
SECRETS: list[tuple[type[models.Model], tuple[str, ...], str, str]] = [
    (
        CalendarConnection,
        ("secret_encrypted", "access_token_encrypted"),
        "connection",
        "the secrets of {n} connection(s)",
    ),
    (
        TwilioAccount,
        ("auth_token_encrypted",),
        "Twilio account",
        "the Twilio auth tokens of {n} workspace(s)",
    ),
    (
        CrmConnection,
        ("refresh_token_encrypted", "access_token_encrypted"),
        "CRM connection",
        "the tokens of {n} CRM connection(s)",
    ),
    (
        SsoConnection,
        ("oidc_client_secret_encrypted",),
        "SSO connection",
        "the SSO client secrets of {n} workspace(s)",
    ),
]


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the first configured encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        if not crypto.is_configured():
            raise CommandError(crypto.MISSING_KEY_MESSAGE)
        unreadable: list[str] = []
        for model, fields, noun, summary in SECRETS:
            rotated = 0
            for pk in model._default_manager.order_by("pk").values_list("pk", flat=True):
                try:
                    rotated += _rotate(model, pk, fields)
                except InvalidToken:
                    unreadable.append(f"{noun} {pk}")
            self.stdout.write(f"Re-encrypted {summary.format(n=rotated)}.")
        if unreadable:
            raise CommandError(
                f"No configured key reads the secrets of {', '.join(unreadable)}; "
                "those accounts need reconnecting."
            )


def _rotate(model: type[models.Model], pk: int, fields: tuple[str, ...]) -> int:
    """Re-encrypt one row's secrets under a row lock; 1 if it still exists."""
    with transaction.atomic():
        row = model._default_manager.select_for_update().filter(pk=pk).first()
        if row is None:
            return 0
        for field in fields:
            setattr(row, field, crypto.rotate(getattr(row, field)))
        row.save(update_fields=list(fields))
        return 1
