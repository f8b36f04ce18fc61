"""Where a meeting takes place: the locations a link offers, and the one a booking has.

A link offers zero or more locations (``BookingLink.locations``: ``[{"kind", "detail"}]``); with
several, the attendee picks one. The booking keeps the kind and what people read
(``Booking.location``: an address, a phone number, a link or the provider's name), and, for video,
the join URL and dial-in details once the meeting exists.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE_HOST = "phone_host", "Phone call: the host calls the attendee"
    PHONE_ATTENDEE = "phone_attendee", "Phone call: the attendee calls the host"
    LINK = "link", "A custom meeting link"
    GOOGLE_MEET = "google_meet", "Google Meet"
    TEAMS = "teams", "Microsoft Teams"
    ZOOM = "zoom", "Zoom"
    WEBEX = "webex", "Webex"
    GOTOMEETING = "gotomeeting", "GoTo Meeting"
    JITSI = "jitsi", "Jitsi Meet (a fresh room, no account needed)"


#: What the host types for a kind, when it needs something.
DETAIL_LABELS = {
    Kind.IN_PERSON: "Address",
    Kind.PHONE_ATTENDEE: "Number to call",
    Kind.LINK: "Meeting link",
}
#: Kinds whose meeting a conferencing account of the host's creates.
CONFERENCING = frozenset({Kind.ZOOM, Kind.WEBEX, Kind.GOTOMEETING})
#: Kinds whose meeting link comes with the event in the host's calendar.
CALENDAR_MEETINGS: dict[str, str] = {Kind.GOOGLE_MEET: "google", Kind.TEAMS: "microsoft"}
#: What attendees read on the booking page for a kind.
PUBLIC_LABELS = {
    Kind.IN_PERSON: _("In person"),
    Kind.PHONE_HOST: _("Phone call (we call you)"),
    Kind.PHONE_ATTENDEE: _("Phone call (you call us)"),
    Kind.LINK: _("Video call"),
    Kind.JITSI: _("Jitsi Meet video call"),
}


class LocationError(ValueError):
    """The attendee's choice of location can't be taken; the message says why."""


@dataclass(frozen=True)
class Location:
    kind: str
    detail: str = ""

    @property
    def public_label(self) -> str:
        return str(PUBLIC_LABELS.get(Kind(self.kind), Kind(self.kind).label))

    @property
    def needs_phone(self) -> bool:
        return self.kind == Kind.PHONE_HOST


def link_locations(locations: list[dict[str, str]]) -> list[Location]:
    """A link's stored locations, in its order (unknown kinds left out)."""
    known = set(Kind.values)
    return [
        Location(str(item.get("kind")), str(item.get("detail") or ""))
        for item in locations
        if isinstance(item, dict) and item.get("kind") in known
    ]


def choose(offered: list[Location], kind: str) -> Location | None:
    """The location of a new booking: the one the attendee picked (``kind``), the only one
    offered, or none when the link offers none."""
    if not offered:
        if kind:
            raise LocationError(gettext("This link has no locations to choose from."))
        return None
    if not kind:
        if len(offered) == 1:
            return offered[0]
        raise LocationError(gettext("Choose where to meet."))
    for location in offered:
        if location.kind == kind:
            return location
    raise LocationError(gettext("Choose one of the offered locations."))


@dataclass(frozen=True)
class Placed:
    """What a new booking records about its location."""

    kind: str = ""
    text: str = ""  # what people read: the address, the number, the link, the provider
    meeting_url: str = ""


def place(location: Location | None, *, attendee_phone: str, host_name: str) -> Placed:
    """The booking's location fields for ``location`` (video meetings get their link later)."""
    if location is None:
        return Placed()
    kind = Kind(location.kind)
    if kind == Kind.JITSI:
        room = settings.INSTANT_MEETING_BASE_URL + f"workestra-{secrets.token_hex(8)}"
        return Placed(kind, room, room)
    if kind == Kind.LINK:
        return Placed(kind, location.detail, location.detail)
    if kind == Kind.PHONE_HOST:
        return Placed(kind, f"{host_name} will call {attendee_phone}")
    if kind in (Kind.IN_PERSON, Kind.PHONE_ATTENDEE):
        return Placed(kind, location.detail)
    return Placed(kind, kind.label)
