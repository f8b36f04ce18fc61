"""Host-side JSON: the same slots as the public endpoint, with who is free for each one."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404, HttpRequest
from django.utils.timezone import now as tz_now
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from booking import selectors
from booking.api import FirstDay, LastDay, TimeZone, slots_query
from workestra.api_errors import responses
from workestra.models import User

router = Router(tags=["host"], auth=django_auth)


class FreeHost(Schema):
    id: int
    name: str
    email: str


class HostSlot(Schema):
    start: str
    end: str
    free_hosts: list[FreeHost]
    seats_left: int | None = None


class HostSlots(Schema):
    timezone: str
    duration: int
    slots: dict[str, list[HostSlot]]


@router.get(
    "/links/{link_id}/slots",
    response=responses({200: HostSlots}, 401, 404),
    exclude_none=True,
)
def link_slots_with_hosts(
    request: HttpRequest,
    link_id: int,
    start: FirstDay,
    end: LastDay,
    timezone: TimeZone,
    duration: int | None = None,
) -> Any:
    """Every offered slot of one of the workspace's links and the hosts free at it."""
    no_link = HttpError(404, "No booking link with this id in your workspace.")
    membership = getattr(request, "membership", None)
    if membership is None:
        raise no_link
    try:
        link = selectors.link_get_for_user(membership, link_id)
    except Http404:
        raise no_link from None
    query = slots_query(link, start=start, end=end, timezone=timezone, duration=duration)
    if isinstance(query, str):
        return Status(400, {"detail": query})
    found = selectors.link_availability(
        link,
        start=query.start,
        end=query.end,
        now=tz_now(),
        duration=query.duration,
        cached=True,
    )
    people = {
        u.pk: {"id": u.pk, "name": u.name, "email": u.email}
        for u in User.objects.filter(pk__in=[cast(int, h) for h in found.hosts]).only(
            "pk", "name", "email"
        )
    }

    def hosts_at(ts: int) -> dict[str, Any]:
        return {
            "free_hosts": [people[h] for h in found.free_hosts(ts) if h in people],
            "seats_left": found.seats_left(ts),
        }

    return query.listing(found, slot_extra=hosts_at)
