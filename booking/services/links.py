"""Saving a booking link's settings together with its hosts."""

from __future__ import annotations

from django.db import transaction

from booking.models import BookingLink, LinkHost


def link_save(*, link: BookingLink, hosts: list[LinkHost]) -> BookingLink:
    """Store the link and make its host rows match ``hosts`` in one transaction: when the hosts
    can't be saved, the link keeps its previous settings too."""
    with transaction.atomic():
        link.save()
        _hosts_set(link, hosts)
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
            },
        )
