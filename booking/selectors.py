"""Read-side queries for booking: the inputs of the slot engine, gathered in constant queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, Max, Q, QuerySet, Value
from django.shortcuts import get_object_or_404
from django.urls import reverse

from availability import engine
from availability.busy_cache import hosts_away_cached
from availability.models import TimeOff
from availability.schedule_cache import engine_schedules_cached
from availability.selectors import Busy, engine_schedules, hosts_away
from availability.sql import EpochSeconds
from booking import locations
from booking.assignment import Member
from booking.models import (
    Booking,
    BookingLink,
    LinkHost,
    OneOffHold,
    Reservation,
    RoutingForm,
    RoutingResponse,
)
from booking.polls import held_rows
from integrations.models import CalendarConnection
from workestra.hooks import FormerHost, HostlessBooking
from workestra.models import Membership, User, Workspace

# The engine looks one local day either side of the asked range; busy time is read wider still.
_BUSY_MARGIN = timedelta(days=2)
_CAP_MARGIN = timedelta(days=32)


def link_get_for_user(membership: Membership, pk: int, *, write: bool = False) -> BookingLink:
    """The one way host-side code fetches a link: another workspace's id is a 404; changing
    someone else's link needs the admin role."""
    link = get_object_or_404(
        BookingLink.objects.live()
        .filter(workspace_id=membership.workspace_id)
        .select_related("owner"),
        pk=pk,
    )
    if write and link.owner_id != membership.user_id and not membership.is_admin:
        raise PermissionDenied("Only the link's host or a workspace admin can change it.")
    return link


def booking_get_for_user(membership: Membership, pk: int, *, write: bool = False) -> Booking:
    """The one way host-side code fetches a booking: another workspace's id is a 404; changing
    it takes one of its hosts or a workspace admin."""
    booking = get_object_or_404(
        Booking.objects.filter(workspace_id=membership.workspace_id).select_related(
            "link", "host", "rescheduled_from"
        ),
        pk=pk,
    )
    if write and not booking_may_change(membership, booking):
        raise PermissionDenied("Only the meeting's host or a workspace admin can change it.")
    return booking


def booking_may_change(membership: Membership, booking: Booking) -> bool:
    """Whether the member may change the booking: one of its hosts, or a workspace admin."""
    if booking.host_id == membership.user_id or membership.is_admin:
        return True
    return Reservation.objects.filter(booking=booking, host_id=membership.user_id).exists()


def link_get_public(slug: str) -> BookingLink | None:
    return BookingLink.objects.live().select_related("owner", "workspace").filter(slug=slug).first()


def link_was_deleted(slug: str) -> bool:
    """Whether a link once lived at ``slug`` (deleted links keep their rows for their bookings)."""
    return BookingLink.objects.filter(slug=slug, deleted_at__isnull=False).exists()


@dataclass(frozen=True, slots=True)
class Host:
    id: int
    required: bool = False  # always attending (multi-host group); every collective host is
    schedule_id: int | None = None  # the host's chosen schedule; None: the link's, or their default


def link_hosts(link: BookingLink) -> list[Host]:
    """The hosts a link's slots are computed for: its listed hosts on a team link (one query),
    else the owner."""
    if not link.is_team:
        return [Host(link.owner_id)]
    rows = list(link.link_hosts.values_list("user_id", "always_attending", "schedule_id"))
    if not rows:
        return [Host(link.owner_id)]
    collective = link.kind == BookingLink.Kind.COLLECTIVE
    return [
        Host(user_id, required=collective or always, schedule_id=schedule_id)
        for user_id, always, schedule_id in rows
    ]


def link_schedules(
    link: BookingLink, hosts: list[Host], *, cached: bool = False
) -> tuple[engine.Schedule, list[engine.Schedule]]:
    """The link's schedule (its chosen one, else its owner's default) and each host's: a team
    host's chosen schedule, else the link's chosen one, else that host's own default.
    ``cached``: from the schedule cache (pages that list slots)."""
    wanted = [(link.owner_id, link.schedule_id)]
    wanted += [(h.id, h.schedule_id or link.schedule_id) for h in hosts]
    read = engine_schedules_cached if cached else engine_schedules
    schedules = read(link.workspace_id, wanted)
    return schedules[0], schedules[1:]


def group_share_key(link: BookingLink, start: datetime, duration: int) -> str:
    """The key the seats of one group session share (see Reservation.share_key)."""
    return f"{_group_prefix(link)}{engine.to_epoch(start)}:{duration}"


def _group_prefix(link: BookingLink) -> str:
    return f"group:{link.pk}:"


def host_busy(
    host_ids: list[int],
    *,
    start: datetime,
    end: datetime,
    exclude_booking_id: int | None = None,
    own_sessions: BookingLink | None = None,
    cached: bool = False,
    except_one_off: int | None = None,
) -> tuple[Busy, list[tuple[int, int]]]:
    """Each host's busy ranges overlapping ``[start, end)``: reservations (buffers included),
    times held by one-off offers (but ``except_one_off``'s own) and by open meeting polls, time
    off and cached calendar busy time. Two queries whatever the number of hosts.

    With ``own_sessions`` (a group link), that link's own sessions come back separately: they
    block their hosts except at their own start while seats are left. ``cached``: time off and
    calendar busy time may come from the busy cache (pages that list slots; never the booking
    transaction's re-check).
    """
    rows = Reservation.objects.filter(
        active=True, host_id__in=host_ids, blocked_end__gt=start, blocked_start__lt=end
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(booking_id=exclude_booking_id)
    prefix = _group_prefix(own_sessions) if own_sessions is not None else None
    busy: Busy = defaultdict(list)
    held: set[tuple[int, int]] = set()
    found = (
        rows.order_by()
        .annotate(b0=EpochSeconds("blocked_start"), b1=EpochSeconds("blocked_end"))
        .values_list("host_id", "b0", "b1", "share_key")
        .union(
            _one_off_holds(host_ids, start=start, end=end, except_one_off=except_one_off),
            # Proposed times of open meeting polls hold their hosts too (same query).
            held_rows(host_ids, start=start, end=end),
            all=True,
        )
    )
    for host_id, b0, b1, key in found:
        span = (b0, b1)
        if prefix is not None and key and key.startswith(prefix):
            held.add(span)
        else:
            busy[host_id].append(span)
    away = hosts_away_cached if cached else hosts_away
    for host_id, spans in away(host_ids, start=start, end=end).items():
        busy[host_id].extend(spans)
    return busy, sorted(held)


def _one_off_holds(
    host_ids: list[int], *, start: datetime, end: datetime, except_one_off: int | None
) -> QuerySet[Any]:
    """The hosts' one-off holds, shaped like the reservation rows they are read beside."""
    holds = OneOffHold.objects.filter(host_id__in=host_ids, end__gt=start, start__lt=end)
    if except_one_off is not None:
        holds = holds.exclude(meeting_id=except_one_off)
    return (
        holds.order_by()
        .annotate(
            b0=EpochSeconds("start"),
            b1=EpochSeconds("end"),
            key=Value(None, output_field=CharField()),
        )
        .values_list("host_id", "b0", "b1", "key")
    )


def _link_bookings(
    link: BookingLink, *, start: datetime, end: datetime, exclude_booking_id: int | None = None
) -> list[tuple[int, int]]:
    """(start, length in seconds) of the link's live bookings near the range."""
    if not (link.daily_cap or link.weekly_cap or link.monthly_cap or link.is_group):
        return []
    rows = Booking.objects.active().filter(
        link=link, start__gte=start - _CAP_MARGIN, start__lt=end + _CAP_MARGIN
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(pk=exclude_booking_id)
    return [
        (engine.to_epoch(s), int((e - s).total_seconds()))
        for s, e in rows.values_list("start", "end")
    ]


def link_availability(
    link: BookingLink,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    duration: int | None = None,
    exclude_booking_id: int | None = None,
    cached: bool = False,
) -> engine.Availability:
    """Slots of ``link`` starting in ``[start, end)``, with the hosts free for each (and the
    seats left on a group link). At most five queries, whatever the number of hosts or bookings
    (four when ``cached`` finds the hosts' time off and calendar busy time in the busy cache,
    which only pages that list slots ask for).
    """
    hosts = link_hosts(link)
    host_ids = [h.id for h in hosts]
    busy, held = host_busy(
        host_ids,
        start=start - _BUSY_MARGIN,
        end=end + _BUSY_MARGIN,
        exclude_booking_id=exclude_booking_id,
        own_sessions=link if link.is_group else None,
        cached=cached,
    )
    bookings = _link_bookings(link, start=start, end=end, exclude_booking_id=exclude_booking_id)
    booked = [s for s, _ in bookings]
    seats = None
    if link.is_group:
        # A session is one start and one length: an attendee asking for another length cannot
        # take its seats (its time is held, so that start stays blocked for them).
        length = (duration or link.duration) * 60
        taken = Counter(s for s, n in bookings if n == length)
        seats = engine.Seats(capacity=link.capacity, taken=taken, held=held)
    schedule, own = link_schedules(link, hosts, cached=cached)
    return engine.compute(
        schedule,
        link.rules(duration),
        [
            engine.HostBusy(host=h.id, busy=busy.get(h.id, []), required=h.required, schedule=s)
            for h, s in zip(hosts, own, strict=True)
        ],
        now=engine.to_epoch(now),
        range_start=engine.to_epoch(start),
        range_end=engine.to_epoch(end),
        booked_starts=booked,
        seats=seats,
    )


#: How far ahead the link settings look for a time before warning that a link offers none.
OFFER_HORIZON = timedelta(days=60)


def link_offers_time(link: BookingLink, *, now: datetime) -> bool:
    """Whether the link, as stored, offers at least one slot in the next 60 days."""
    found = link_availability(link, start=now, end=now + OFFER_HORIZON, now=now)
    return bool(found.offered_starts())


def rotation_members(link: BookingLink, host_ids: list[int], *, now: datetime) -> list[Member]:
    """The round-robin inputs for ``host_ids``: counts in the link's current period, last booking,
    weight, priority, and whether each joined or was away during the period. Three queries."""
    period_start = _period_start(link, now)
    counted = list(Booking.ACTIVE_STATUSES)
    if link.rotation_counts_no_shows:
        counted.append(Booking.Status.NO_SHOW)
    if link.rotation_counts_cancellations:
        counted.append(Booking.Status.CANCELLED)
    stats: dict[int, Any] = {
        row["host_id"]: row
        for row in Booking.objects.filter(link=link, host_id__in=host_ids)
        .order_by()
        .values("host_id")
        .annotate(
            n=Count("pk", filter=Q(created_at__gte=period_start, status__in=counted)),
            last=Max("created_at", filter=Q(status__in=counted)),
        )
    }
    settings = {h.user_id: h for h in link.link_hosts.filter(user_id__in=host_ids)}
    away = set(
        TimeOff.objects.filter(
            user_id__in=host_ids, start__lt=now, end__gt=period_start
        ).values_list("user_id", flat=True)
    )
    members = []
    for host_id in host_ids:
        row, setting = stats.get(host_id, {}), settings.get(host_id)
        members.append(
            Member(
                id=host_id,
                weight=setting.weight if setting else 100,
                priority=setting.priority if setting else LinkHost.Priority.MEDIUM,
                count=row.get("n", 0),
                last_booked=row.get("last"),
                calibrate=host_id in away
                or (setting is not None and setting.joined_at > period_start),
            )
        )
    return members


def _period_start(link: BookingLink, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(link.timezone))
    if link.rotation_period == BookingLink.RotationPeriod.MONTH:
        local = local.replace(day=1)
    return engine.from_epoch(engine.local_midnight_epoch(local.date(), ZoneInfo(link.timezone)))


def location_warnings(link: BookingLink) -> list[str]:
    """For each video location the link offers that a host can't make (no account connected,
    or one that needs reconnecting): the warning for its settings page."""
    wanted = [
        loc.kind
        for loc in locations.link_locations(link.locations)
        if loc.kind in locations.CONFERENCING
    ]
    if not wanted:
        return []
    hosts = [h.id for h in link_hosts(link)]
    accounts = {
        (c.user_id, c.provider): c.status
        for c in CalendarConnection.objects.filter(user_id__in=hosts, provider__in=wanted)
    }
    names = dict(User.objects.filter(pk__in=hosts).values_list("pk", "name"))
    warnings = []
    for kind in wanted:
        label = locations.Kind(kind).label
        for host in hosts:
            status = accounts.get((host, kind))
            if status == CalendarConnection.Status.ACTIVE:
                continue
            action = "reconnect" if status else "connect"
            warnings.append(
                f"New {label} bookings with {names.get(host) or 'a host'} will have no video "
                f"link until they {action} {label} under Settings → Integrations."
            )
    return warnings


def bookings_needing_new_host(workspace: Workspace, now: datetime) -> list[FormerHost]:
    """The workspace's upcoming active bookings whose host is no longer one of its members,
    grouped by that host: removing a member leaves their bookings standing, and this is the
    list an admin works through to hand them on. ``BookingConfig.ready()`` provides it to the
    members page through ``workestra.hooks``, since the tenant core cannot import booking."""
    rows = (
        Booking.objects.filter(
            workspace=workspace, start__gte=now, status__in=Booking.ACTIVE_STATUSES
        )
        .exclude(host__memberships__workspace=workspace)
        .select_related("host", "link")
        .order_by("host__name", "host_id", "start", "pk")
    )
    groups: dict[int, FormerHost] = {}
    for booking in rows:
        group = groups.setdefault(booking.host_id, FormerHost(name=booking.host.display_name))
        group.bookings.append(
            HostlessBooking(
                title=f"{booking.link.title} with {booking.name}, {booking.start:%d %b %Y %H:%M} UTC",
                url=reverse("booking:calendar-booking", args=[booking.pk]),
            )
        )
    return list(groups.values())


def routing_form_get_for_user(
    membership: Membership, pk: int, *, write: bool = False
) -> RoutingForm:
    """The one way host-side code fetches a routing form: another workspace's id is a 404;
    changing someone else's form needs the admin role."""
    form = get_object_or_404(
        RoutingForm.objects.filter(workspace_id=membership.workspace_id).select_related("owner"),
        pk=pk,
    )
    if write and form.owner_id != membership.user_id and not membership.is_admin:
        raise PermissionDenied("Only the form's creator or a workspace admin can change it.")
    return form


def routing_forms_of(workspace_id: int) -> QuerySet[RoutingForm]:
    return (
        RoutingForm.objects.filter(workspace_id=workspace_id)
        .select_related("owner")
        .annotate(response_count=Count("responses"))
    )


def routing_form_public(public_id: str) -> RoutingForm | None:
    if not public_id.isalnum() or len(public_id) > 32:
        return None
    return RoutingForm.objects.filter(public_id=public_id).select_related("workspace").first()


def routing_responses(
    workspace_id: int,
    *,
    form_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[RoutingResponse]:
    """Responses of the workspace, newest first, optionally one form's and from ``start``
    (inclusive) to ``end`` (exclusive)."""
    found = RoutingResponse.objects.filter(workspace_id=workspace_id).select_related(
        "form", "link", "booking", "preferred_host"
    )
    if form_id is not None:
        found = found.filter(form_id=form_id)
    if start is not None:
        found = found.filter(created_at__gte=start)
    if end is not None:
        found = found.filter(created_at__lt=end)
    return found


def routing_response_of(booking: Booking) -> RoutingResponse | None:
    """The routing form submission a booking was made from, if any."""
    return RoutingResponse.objects.filter(booking=booking).select_related("form").first()
