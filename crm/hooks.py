"""Seams through which the booking app serves the CRM pages, which must not import it.

``crm`` uses nothing but the tenant core (CONTRIBUTING: dependencies point one way), yet a
contact's page lists the bookings that made it and offers the viewer's booking links for the next
call. ``BookingConfig.ready()`` provides both; the CRM pages call the hook and never name the app.
Before anything provided them (booking missing from ``INSTALLED_APPS``) there is nothing to list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from workestra.models import Membership


@dataclass(frozen=True)
class CrmBooking:
    """One booking as a contact or deal page lists it."""

    title: str
    start: datetime
    end: datetime
    status: str
    host: str
    url: str


@dataclass(frozen=True)
class SchedulingLink:
    """One of the viewer's live booking links: its id, title and public path."""

    pk: int
    title: str
    path: str


class BookingLister(Protocol):
    """A workspace's bookings of a contact (``contact_id``) or of a deal (``deal_id``), by start."""

    def __call__(
        self, workspace_id: int, *, contact_id: int | None, deal_id: int | None
    ) -> list[CrmBooking]: ...


#: The member's own live, active booking links, the first one first.
LinkLister = Callable[["Membership"], list[SchedulingLink]]

_bookings: list[BookingLister] = []
_links: list[LinkLister] = []


def provide_booking_lister(lister: BookingLister) -> None:
    _bookings[:] = [lister]


def provide_link_lister(lister: LinkLister) -> None:
    _links[:] = [lister]


def bookings_of(
    workspace_id: int, *, contact_id: int | None = None, deal_id: int | None = None
) -> list[CrmBooking]:
    if not _bookings:
        return []
    return _bookings[0](workspace_id, contact_id=contact_id, deal_id=deal_id)


def links_of(membership: Membership) -> list[SchedulingLink]:
    return _links[0](membership) if _links else []


@dataclass(frozen=True)
class ContactAction:
    """A button on a contact's page that another app offers (e.g. "Create single-use link")."""

    label: str
    url: str


#: The actions one app offers for a contact (by id), keyed by the app so ``ready()`` may rerun.
ContactActions = Callable[[int], list[ContactAction]]
_contact_actions: dict[str, ContactActions] = {}


def provide_contact_actions(app: str, actions: ContactActions) -> None:
    _contact_actions[app] = actions


def contact_actions(contact_id: int) -> list[ContactAction]:
    return [action for provider in _contact_actions.values() for action in provider(contact_id)]
