"""What every video-conferencing provider's client offers (Zoom, Webex, GoTo Meeting), in one shape.

A host connects their own account by OAuth 2.0 on /settings/integrations (the same connection
rows, OAuth flow, banner and disconnect as calendars: the clients also answer the few calendar
questions the settings page asks, with no calendars). When a booking that takes place on that
provider confirms, an outbox row creates the meeting; a reschedule moves it and a cancel deletes
it. Failures are :class:`integrations.calendars.provider.ProviderError`, as for calendars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

from integrations.calendars import provider as providers
from integrations.calendars.provider import Grant, RemoteCalendar

if TYPE_CHECKING:
    from integrations.models import CalendarConnection


@dataclass(frozen=True)
class MeetingData:
    topic: str
    agenda: str
    start: datetime  # aware
    end: datetime
    timezone: str  # IANA zone the host reads it in
    host_email: str


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    join_url: str
    dial_in: str = ""  # phone numbers and access codes, as lines people can read


class ConferencingProvider(Protocol):
    key: str
    label: str
    uses_oauth: bool  # always True here

    def is_configured(self) -> bool: ...

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str: ...

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> Grant: ...

    def revoke(self, connection: CalendarConnection) -> None: ...

    def calendars(self, connection: CalendarConnection) -> list[RemoteCalendar]:
        """None: a conferencing account has no calendars (the settings page asks every provider)."""
        ...

    def create_meeting(self, connection: CalendarConnection, data: MeetingData) -> Meeting: ...

    def update_meeting(
        self, connection: CalendarConnection, meeting_id: str, data: MeetingData
    ) -> Meeting: ...

    def delete_meeting(self, connection: CalendarConnection, meeting_id: str) -> None:
        """A meeting already gone counts as deleted."""
        ...


def get_conferencing(key: str) -> ConferencingProvider:
    """The video-conferencing client for ``key`` (``zoom``, ``webex``, ``gotomeeting``), from
    the one provider registry."""
    if key not in providers.CONFERENCING_CLASSES:
        raise KeyError(key)
    return cast(ConferencingProvider, providers.get(key))
