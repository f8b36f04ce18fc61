"""Writes of a booking link: its settings with its hosts, pausing, deleting."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking import selectors
from booking.models import BookingLink, LinkHost


class LinkOffersNoTime(Exception):
    """The link would offer attendees no time at all; nothing was stored."""


def link_save(
    *,
    link: BookingLink,
    hosts: list[LinkHost],
    require_times: bool = False,
    now: datetime | None = None,
) -> BookingLink:
    """Store the link and make its host rows match ``hosts`` in one transaction: when the hosts
    can't be saved, the link keeps its previous settings too.

    With ``require_times``, an active slotted link that would offer no time in the coming weeks
    (its schedule, hosts and limits together) is not stored: raises :class:`LinkOffersNoTime`.
    """
    adding = link._state.adding
    try:
        with transaction.atomic():
            link.save()
            _hosts_set(link, hosts)
            if require_times and _offers_nothing(link, now or timezone.now()):
                raise LinkOffersNoTime
    except LinkOffersNoTime:
        if adding:  # the rolled-back insert left its id on the object
            link.pk = None
            link._state.adding = True
        raise
    return link


def _offers_nothing(link: BookingLink, now: datetime) -> bool:
    if not link.is_active or link.kind == BookingLink.Kind.INSTANT:
        return False  # a paused link offers nothing on purpose; an instant one books "now"
    return not selectors.link_offers_time(link, now=now)


def link_set_active(*, link: BookingLink, active: bool) -> BookingLink:
    """Publish or pause the link; bookings already made are not touched."""
    link.is_active = active
    link.save(update_fields=["is_active", "updated_at"])
    return link


def link_set_embed_origins(*, link: BookingLink, origins: list[str]) -> BookingLink:
    """The sites that may embed the link (already checked by ``booking.embed.clean_origins``)."""
    link.embed_origins = origins
    link.save(update_fields=["embed_origins", "updated_at"])
    return link


def link_delete(*, link: BookingLink, now: datetime | None = None) -> BookingLink:
    """Mark the link deleted rather than remove it: its bookings keep pointing at the row, and
    its slug is free for a new link."""
    link.deleted_at = now or timezone.now()
    link.is_active = False
    link.save(update_fields=["deleted_at", "is_active", "updated_at"])
    return link


def _hosts_set(link: BookingLink, chosen: list[LinkHost]) -> None:
    """Make the link's host rows match the form (kept even if the link is not a team link now,
    so switching the type back does not lose them)."""
    keep = {h.user.pk for h in chosen}
    LinkHost.objects.filter(link=link).exclude(user_id__in=keep).delete()
    for row in chosen:
        LinkHost.objects.update_or_create(
            link=link,
            user=row.user,
            defaults={
                "weight": row.weight,
                "priority": row.priority,
                "always_attending": row.always_attending,
                "schedule_id": row.schedule_id,
            },
        )
