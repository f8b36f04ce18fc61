"""The declared list of outbox kinds: each side effect's name, handler, title and whether it is an
email, written once.

Each app declares its own kinds (``booking/kinds.py`` for booking) and registers them from its
``AppConfig.ready()``; the dispatcher only delivers kinds registered here. A handler is named by
its dotted path and imported at registration, so a misspelt path stops start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from workflows.models import OutboxMessage

Handler = Callable[["OutboxMessage"], None]


@dataclass(frozen=True)
class Kind:
    name: str
    #: Dotted path of the function that delivers one row (or the function itself).
    handler: str | Handler
    #: The row in plain words on a timeline; ``{audience}`` is filled from the row's payload.
    title: str = ""
    #: An email reads "sent" when delivered; any other side effect reads "done".
    is_email: bool = False

    def __str__(self) -> str:
        return self.name


REGISTERED: dict[str, Kind] = {}
HANDLERS: dict[str, Handler] = {}


def register(*kinds: Kind) -> None:
    """Make ``kinds`` deliverable; registering the same kind twice is harmless."""
    for kind in kinds:
        known = REGISTERED.get(kind.name)
        if known is not None and known != kind:
            raise ValueError(f"Outbox kind {kind.name!r} is declared twice")
        handler = kind.handler
        HANDLERS[kind.name] = import_string(handler) if isinstance(handler, str) else handler
        REGISTERED[kind.name] = kind


def get(name: str) -> Kind | None:
    return REGISTERED.get(name)


def handler_for(name: str) -> Handler | None:
    return HANDLERS.get(name)


def name_of(kind: Kind | str) -> str:
    return kind.name if isinstance(kind, Kind) else kind


def names(kinds: Iterable[Kind | str]) -> list[str]:
    return [name_of(kind) for kind in kinds]


# --- The kinds workflows owns -----------------------------------------------------------------

STEP = Kind("workflow.step", handler="workflows.handlers.run_step")
#: A step due at a time relative to the booking: withdrawn on cancel, checked when due.
TIMED_STEP = Kind("workflow.timed_step", handler="workflows.handlers.run_step")

#: The members page's invitation email; see ``workflows/member_emails.py`` for why it lives here.
MEMBER_INVITATION = Kind(
    "members.invitation",
    handler="workflows.member_emails.send_invitation",
    title="Invitation email to a new member",
    is_email=True,
)

WORKFLOW_KINDS = (STEP, TIMED_STEP, MEMBER_INVITATION)
