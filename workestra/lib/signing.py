"""Standard Webhooks signatures: secrets, message ids and the ``webhook-*`` headers.

Pure functions, no I/O. A receiver checks a message with any Standard Webhooks library: it signs
``f"{webhook-id}.{webhook-timestamp}.{body}"`` with HMAC-SHA256 under the base64-decoded part of
the ``whsec_`` secret and compares the result with the ``v1,`` signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32  # 256-bit keys, as the spec recommends (24 to 64 bytes)


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` followed by 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The raw key of a ``whsec_`` secret; ``ValueError`` when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("A signing secret starts with whsec_.")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The signing secret is not valid base64.") from None
    if not key:
        raise ValueError("The signing secret is empty.")
    return key


def message_id(idempotency_key: str) -> str:
    """The ``webhook-id`` of a message: derived from its outbox key, so every retry repeats it
    and a receiver can drop duplicates."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return f"msg_{digest[:32]}"


def sign(secret: str, *, msg_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` value: ``v1,`` and the base64 HMAC-SHA256 of the content."""
    content = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, *, msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers a signed message carries."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }
