"""Booking writes. One function per state change, one transaction each, side effects in the outbox.

Views, the API, commands and outbox handlers call what this package exports; its modules share
only public helpers (``common``, ``slots``).
"""

from booking.services.cancel import (
    MAX_REASON,
    booking_cancel,
    booking_cancel_unreconfirmed,
    booking_host_cancel,
)
from booking.services.create import Attendee, booking_create, instant_start
from booking.services.errors import (
    BookingClosed,
    BookingError,
    CodeExpired,
    LinkInactive,
    LocationRefused,
    ResendRefused,
    SlotTaken,
    SlotUnavailable,
    WrongCode,
)
from booking.services.links import (
    LinkOffersNoTime,
    link_delete,
    link_save,
    link_set_active,
    link_set_embed_origins,
)
from booking.services.new_time import MAX_NOTE, booking_ask_new_time, new_time_refusal
from booking.services.questions import (
    link_question_add,
    link_question_move,
    link_question_remove,
    link_question_update,
)
from booking.services.reschedule import booking_calendar_move, booking_reschedule
from booking.services.status import booking_mark_no_show, booking_reconfirm, booking_undo_no_show
from booking.services.verify import (
    booking_release_unverified,
    booking_resend_code,
    booking_verify,
)

__all__ = [
    "MAX_NOTE",
    "MAX_REASON",
    "Attendee",
    "BookingClosed",
    "BookingError",
    "CodeExpired",
    "LinkInactive",
    "LinkOffersNoTime",
    "LocationRefused",
    "ResendRefused",
    "SlotTaken",
    "SlotUnavailable",
    "WrongCode",
    "booking_ask_new_time",
    "booking_calendar_move",
    "booking_cancel",
    "booking_cancel_unreconfirmed",
    "booking_create",
    "booking_host_cancel",
    "booking_mark_no_show",
    "booking_reconfirm",
    "booking_release_unverified",
    "booking_reschedule",
    "booking_resend_code",
    "booking_undo_no_show",
    "booking_verify",
    "instant_start",
    "link_delete",
    "link_question_add",
    "link_question_move",
    "link_question_remove",
    "link_question_update",
    "link_save",
    "link_set_active",
    "link_set_embed_origins",
    "new_time_refusal",
]
