"""Writes of a booking link: its settings with its hosts, pausing, deleting."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking.models import BookingLink, LinkHost


def link_save(*, link: BookingLink, hosts: list[LinkHost]) -> BookingLink:
    """Store the link and make its host rows match ``hosts`` in one transaction: when the hosts
    can't be saved, the link keeps its previous settings too."""
    with transaction.atomic():
        link.save()
        _hosts_set(link, hosts)
    return link


def link_set_active(*, link: BookingLink, active: bool) -> BookingLink:
    """Publish or pause the link; bookings already made are not touched."""
    link.is_active = active
    link.save(update_fields=["is_active", "updated_at"])
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
