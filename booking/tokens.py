"""Finding a booking by its public token, the only credential of the self-service pages.

Tokens are 32 hex characters (128 bits from ``secrets``). The database is asked only for the
first half, through the token's unique index; the whole token is then compared in constant time,
so response timing says nothing about how much of a guessed token was right.
"""

from __future__ import annotations

import hmac
import re

from booking.models import Booking

TOKEN_RE = re.compile(r"[0-9a-f]{32}")
LOOKUP_CHARS = 16


def is_well_formed(token: str) -> bool:
    return bool(TOKEN_RE.fullmatch(token))


def booking_for_token(token: str) -> Booking | None:
    """The booking ``token`` belongs to, or ``None`` for unknown and malformed tokens."""
    if not is_well_formed(token):
        return None
    candidates = Booking.objects.select_related("link", "host", "link__owner").filter(
        reschedule_token__startswith=token[:LOOKUP_CHARS]
    )[:4]
    for booking in candidates:
        if hmac.compare_digest(booking.reschedule_token.encode(), token.encode()):
            return booking
    return None
