"""Secrets at rest (provider refresh tokens, calendar passwords): encrypted with a key from the
environment, never stored in the clear.

``WORKESTRA_ENCRYPTION_KEY`` holds one or more Fernet keys separated by commas; the first
encrypts, every one decrypts, so a key is rotated by putting the new one first and running
``manage.py rotate_encryption_key`` before the old one is dropped. Generate a key with
``python manage.py generate_encryption_key``.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

MISSING_KEY_MESSAGE = (
    "Connections need an encryption key for their secrets: set WORKESTRA_ENCRYPTION_KEY "
    "(make one with `python manage.py generate_encryption_key`) and restart."
)


class MissingKey(Exception):
    """No key is configured, so no secret can be stored or read."""

    def __init__(self) -> None:
        super().__init__(MISSING_KEY_MESSAGE)


class Undecryptable(Exception):
    """The stored secret was encrypted with a key that is no longer configured."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def is_configured() -> bool:
    return bool(_keys())


def _keys() -> list[str]:
    return [k for k in getattr(settings, "ENCRYPTION_KEYS", []) if k]


def _fernet() -> MultiFernet:
    keys = _keys()
    if not keys:
        raise MissingKey
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise Undecryptable(
            "A stored secret can't be read with the configured keys; reconnect the account."
        ) from exc


def rotate(token: str) -> str:
    """``token`` re-encrypted with the first key."""
    return _fernet().rotate(token.encode()).decode() if token else ""
