"""Email verification codes: six digits from ``secrets``, of which only a keyed hash is stored.

The code travels to the attendee in an outbox row, sealed with a one-time pad derived from
``SECRET_KEY``, so neither the booking row nor the outbox row holds it in clear.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.utils.crypto import constant_time_compare, salted_hmac

from booking import kinds
from booking.models import Booking
from workflows import outbox

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=15)
MAX_WRONG_CODES = 3
RESEND_INTERVAL = timedelta(seconds=60)
MAX_CODES = 6  # the first code and five resends
MAX_CODE_INPUT = 20
_CODE_RE = re.compile(r"[0-9]{6}")
_MODULUS = 10**CODE_DIGITS


def new_code() -> str:
    return f"{secrets.randbelow(_MODULUS):0{CODE_DIGITS}d}"


def normalize(raw: str) -> str | None:
    """The six ASCII digits someone typed (spaces and dashes allowed between), else ``None``."""
    if len(raw) > MAX_CODE_INPUT:
        return None
    code = re.sub(r"[\s-]", "", raw)
    return code if _CODE_RE.fullmatch(code) else None


def code_hash(booking_id: int, code: str) -> str:
    # Keyed with SECRET_KEY and the booking, so a leaked table does not reveal codes.
    salt = "booking.verification.code"
    return salted_hmac(salt, f"{booking_id}:{code}", algorithm="sha256").hexdigest()


def code_matches(booking: Booking, code: str) -> bool:
    expected = booking.verification_code_hash
    return bool(expected) and constant_time_compare(expected, code_hash(booking.pk, code))


def _pad(nonce: str) -> int:
    digest = salted_hmac("booking.verification.seal", nonce, algorithm="sha256").hexdigest()
    return int(digest, 16) % _MODULUS


def seal(code: str, nonce: str) -> str:
    return f"{(int(code) + _pad(nonce)) % _MODULUS:0{CODE_DIGITS}d}"


def unseal(sealed: str, nonce: str) -> str:
    return f"{(int(sealed) - _pad(nonce)) % _MODULUS:0{CODE_DIGITS}d}"


def code_issue(booking: Booking, *, now: datetime) -> None:
    """Give a pending booking a fresh code: store its hash and a new expiry, email it, and
    schedule the release of the held time at that expiry.

    Call inside the transaction that created or locked ``booking``. An earlier code stops
    working, its unsent email is withdrawn and its release row is replaced by the new one.
    """
    code = new_code()
    booking.verification_code_hash = code_hash(booking.pk, code)
    booking.verification_expires_at = now + CODE_TTL
    booking.verification_codes_sent += 1
    booking.verification_sent_at = now
    booking.save(
        update_fields=[
            "verification_code_hash",
            "verification_expires_at",
            "verification_codes_sent",
            "verification_sent_at",
        ]
    )
    outbox.withdraw(subject=booking.subject, kinds=kinds.VERIFICATION_KINDS)
    number = booking.verification_codes_sent
    nonce = secrets.token_hex(16)
    outbox.enqueue(
        kind=kinds.VERIFICATION_CODE,
        key=f"{booking.subject}:verification-code:{number}",
        payload={"booking_id": booking.pk, "nonce": nonce, "sealed": seal(code, nonce)},
        subject=booking.subject,
    )
    outbox.enqueue(
        kind=kinds.VERIFICATION_RELEASE,
        key=f"{booking.subject}:verification-release:{number}",
        payload={"booking_id": booking.pk},
        subject=booking.subject,
        due_at=booking.verification_expires_at,
    )


def code_clear(booking: Booking) -> None:
    """Forget the code once the booking is verified or released (caller saves the fields)."""
    booking.verification_code_hash = ""
    booking.verification_expires_at = None


CLEARED_FIELDS = ["verification_code_hash", "verification_expires_at"]
