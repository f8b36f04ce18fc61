"""Seams through which higher apps serve the tenant core, which must not import them.

``workestra`` sits under every other app (CONTRIBUTING: dependencies point one way), yet two
things on the members page belong to apps above it: the invitation email goes through the outbox
(``workflows``), and a removed member's upcoming bookings are a read of ``booking``. Each app
provides its part from its ``AppConfig.ready()``, as booking provides its workflow context; the
tenant core calls the hook and never names the app. Called before anything provided it (an app
missing from ``INSTALLED_APPS``), :data:`invitation_mailer` refuses loudly rather than losing an
email, while :data:`hostless_bookings` has nothing to list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from workestra.models import Invitation, Workspace


@dataclass(frozen=True)
class HostlessBooking:
    title: str
    url: str


@dataclass(frozen=True)
class FormerHost:
    """Someone who is no longer a member but still hosts upcoming bookings of the workspace."""

    name: str
    bookings: list[HostlessBooking] = field(default_factory=list)


#: Enqueue the email of ``invitation`` carrying its raw ``token``, in the caller's transaction.
InvitationMailer = Callable[["Invitation", str], None]
#: The workspace's upcoming bookings whose host has left it, grouped by that host.
HostlessLister = Callable[["Workspace", datetime], list[FormerHost]]

_mailer: list[InvitationMailer] = []
_lister: list[HostlessLister] = []


def provide_invitation_mailer(mailer: InvitationMailer) -> None:
    _mailer[:] = [mailer]


def provide_hostless_lister(lister: HostlessLister) -> None:
    _lister[:] = [lister]


def invitation_mailer(invitation: Invitation, token: str) -> None:
    if not _mailer:
        raise ImproperlyConfigured("No app provides the invitation email (is workflows installed?)")
    _mailer[0](invitation, token)


def hostless_bookings(workspace: Workspace, now: datetime) -> list[FormerHost]:
    return _lister[0](workspace, now) if _lister else []
