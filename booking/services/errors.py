"""Why a booking write was refused; every ``message`` is shown to the person who asked."""

from __future__ import annotations

from django.utils.translation import gettext


class BookingError(Exception):
    """A booking request that cannot be honoured; ``message`` is shown to the attendee."""

    field = "start"

    def __init__(self, message: str) -> None:
        message = str(message)  # a lazy translation, in the language of the one who asked
        super().__init__(message)
        self.message = message


class SlotTaken(BookingError):
    """Someone else got the slot first (or a cap filled): pick another time."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or gettext("That time was just taken. Please pick another."))


class SlotUnavailable(BookingError):
    """The time was never offered: past, too soon, too far ahead or outside the hours."""


class LocationRefused(BookingError):
    """The attendee's choice of where to meet can't be taken (or its phone number is missing)."""

    def __init__(self, message: str, *, field: str = "location") -> None:
        super().__init__(message)
        self.field = field


class LinkInactive(BookingError):
    def __init__(self) -> None:
        super().__init__(gettext("This link is no longer active."))


class BookingClosed(BookingError):
    """The booking can no longer be changed by this route (started, cancelled, moved on)."""


class WrongCode(BookingError):
    field = "code"


class CodeExpired(BookingError):
    """The code ran out: the hold is released (the booking is cancelled)."""

    field = "code"


class ResendRefused(BookingError):
    field = "code"


class SingleUseRefused(BookingError):
    """A single-use link that is used up, expired or meant for someone else."""

    def __init__(self, message: str, *, field: str = "start") -> None:
        super().__init__(message)
        self.field = field
