"""Re-encrypt every stored connection secret (and workspaces' Twilio auth tokens) and SSO
client secrets) with the first key of WORKESTRA_ENCRYPTION_KEY.

Rotate by putting the new key first (the old one after it), running this, then dropping the old
key. A secret no configured key can read is left as it is and reported: that account needs
reconnecting.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from integrations.models import CalendarConnection, TwilioAccount
from workestra.lib import crypto
from workestra.models import SsoConnection


class Command(BaseCommand):
    help = "Re-encrypt stored calendar secrets with the first configured encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        if not crypto.is_configured():
            raise CommandError(crypto.MISSING_KEY_MESSAGE)
        rotated, unreadable = 0, list[int | str]()
        for pk in CalendarConnection.objects.order_by("pk").values_list("pk", flat=True):
            try:
                rotated += _rotate(pk)
            except InvalidToken:
                unreadable.append(pk)
        self.stdout.write(f"Re-encrypted the secrets of {rotated} connection(s).")
        twilio = 0
        for pk in TwilioAccount.objects.order_by("pk").values_list("pk", flat=True):
            try:
                twilio += _rotate_twilio(pk)
            except InvalidToken:
                unreadable.append(f"Twilio account {pk}")
        self.stdout.write(f"Re-encrypted the Twilio auth tokens of {twilio} workspace(s).")
        sso = 0
        for pk in SsoConnection.objects.order_by("pk").values_list("pk", flat=True):
            try:
                sso += _rotate_sso(pk)
            except InvalidToken:
                unreadable.append(f"SSO connection {pk}")
        self.stdout.write(f"Re-encrypted the SSO client secrets of {sso} workspace(s).")
        if unreadable:
            ids = ", ".join(str(pk) for pk in unreadable)
            raise CommandError(
                f"No configured key reads the secrets of connection(s) {ids}; "
                "those accounts need reconnecting."
            )


def _rotate(pk: int) -> int:
    """Re-encrypt one connection's secrets under a row lock; 1 if it still exists."""
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().filter(pk=pk).first()
        if connection is None:
            return 0
        connection.secret_encrypted = crypto.rotate(connection.secret_encrypted)
        connection.access_token_encrypted = crypto.rotate(connection.access_token_encrypted)
        connection.save(update_fields=["secret_encrypted", "access_token_encrypted"])
        return 1


def _rotate_twilio(pk: int) -> int:
    """Re-encrypt one workspace's Twilio auth token under a row lock; 1 if it still exists."""
    with transaction.atomic():
        account = TwilioAccount.objects.select_for_update().filter(pk=pk).first()
        if account is None:
            return 0
        account.auth_token_encrypted = crypto.rotate(account.auth_token_encrypted)
        account.save(update_fields=["auth_token_encrypted"])
        return 1


def _rotate_sso(pk: int) -> int:
    """Re-encrypt one workspace's OIDC client secret under a row lock; 1 if it still exists."""
    with transaction.atomic():
        connection = SsoConnection.objects.select_for_update().filter(pk=pk).first()
        if connection is None:
            return 0
        secret = connection.oidc_client_secret_encrypted
        connection.oidc_client_secret_encrypted = crypto.rotate(secret)
        connection.save(update_fields=["oidc_client_secret_encrypted"])
        return 1
