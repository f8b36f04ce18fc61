"""Read side of the Analytics tab: the figures of a period, counted in the database where it can.

Whose bookings: a workspace admin sees the whole workspace, a member the meetings they host or
attend as a team host (as on ``/calendar``). Rescheduled rows are history and never counted; their
successor is. Every date is bucketed in the viewer's zone.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from booking.dashboard import bookings_for_user
from booking.models import Booking, BookingLink
from booking.periods import Period
from workestra.models import Membership, User

Status = Booking.Status
# Meetings that were booked and still stand (or were missed): what "bookings" counts.
BOOKED = (*Booking.ACTIVE_STATUSES, Status.NO_SHOW)
# Above this many days a period is shown by week, so a bar stays wide enough to read.
DAILY_UP_TO = 45
TOP_SERIES = 8
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def analytics_bookings(membership: Membership, user: User) -> QuerySet[Booking]:
    """The bookings the viewer's figures are made of (rescheduled rows left out)."""
    bookings = Booking.objects.filter(workspace_id=membership.workspace_id).exclude(
        status=Status.RESCHEDULED
    )
    if membership.is_admin:
        return bookings
    return bookings_for_user(bookings, user)


def _in_period(bookings: QuerySet[Booking], period: Period) -> QuerySet[Booking]:
    return bookings.filter(start__gte=period.start, start__lt=period.end)


# Bookings over time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    first: date
    label: str  # "Mon 23 Nov" or "Week of 16 Nov"
    short: str  # an axis label: "23" or "16 Nov"


@dataclass
class Series:
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class OverTime:
    weekly: bool
    buckets: list[Bucket]
    total: Series
    by_link: list[Series]
    by_host: list[Series]


def over_time(bookings: QuerySet[Booking], period: Period) -> OverTime:
    """Booked meetings per local day (per week in long periods), in all and by link and host.
    One grouped query."""
    rows = list(
        _in_period(bookings, period)
        .filter(status__in=BOOKED)
        .annotate(day=TruncDate("start", tzinfo=period.zone))
        .order_by()
        .values("day", "link_id", "host_id")
        .annotate(n=Count("pk"))
    )
    weekly = period.days > DAILY_UP_TO
    buckets = _buckets(period, weekly)
    origin = buckets[0].first

    def index(day: date) -> int:
        return (day - origin).days // (7 if weekly else 1)

    total = [0] * len(buckets)
    per_link: dict[int, list[int]] = defaultdict(lambda: [0] * len(buckets))
    per_host: dict[int, list[int]] = defaultdict(lambda: [0] * len(buckets))
    for row in rows:
        i = index(row["day"])
        total[i] += row["n"]
        per_link[row["link_id"]][i] += row["n"]
        per_host[row["host_id"]][i] += row["n"]
    links = dict(BookingLink.objects.filter(pk__in=per_link).values_list("pk", "title"))
    hosts = {u.pk: u.display_name for u in User.objects.filter(pk__in=per_host)}
    return OverTime(
        weekly=weekly,
        buckets=buckets,
        total=Series("All bookings", total),
        by_link=_top(per_link, links, "Other links"),
        by_host=_top(per_host, hosts, "Other hosts"),
    )


def _buckets(period: Period, weekly: bool) -> list[Bucket]:
    if not weekly:
        days = (period.first + timedelta(days=n) for n in range(period.days))
        return [Bucket(d, f"{d:%a} {d.day} {d:%b %Y}", str(d.day)) for d in days]
    monday = period.first - timedelta(days=period.first.weekday())
    out = []
    while monday <= period.last:
        out.append(
            Bucket(monday, f"Week of {monday.day} {monday:%b %Y}", f"{monday.day} {monday:%b}")
        )
        monday += timedelta(days=7)
    return out


def _top(per: dict[int, list[int]], names: dict[int, str], rest: str) -> list[Series]:
    """The busiest series by total (name as tie-break), the others summed into one."""
    series = sorted(
        (Series(names.get(key, "(deleted)"), counts) for key, counts in per.items()),
        key=lambda s: (-s.total, s.label),
    )
    if len(series) <= TOP_SERIES:
        return series
    head, tail = series[: TOP_SERIES - 1], series[TOP_SERIES - 1 :]
    return [*head, Series(rest, [sum(col) for col in zip(*(s.counts for s in tail), strict=True)])]


# Round-robin distribution ----------------------------------------------------------------------


@dataclass
class Share:
    host_id: int
    name: str
    bookings: int
    share: float  # of the link's counted bookings, 0..1
    weight: int | None  # None: not (or no longer) in the rotation
    target: float | None  # the share the rotation aims at; None where it aims at none


@dataclass
class Distribution:
    link: BookingLink
    total: int
    aims: str  # how the target is set, in words
    shares: list[Share] = field(default_factory=list)


def round_robin(membership: Membership, user: User, period: Period) -> list[Distribution]:
    """Per round-robin link: each host's share of the bookings made in the period, counted as
    the link's rotation counts them, against the share their weight gives them.

    A member sees the links they host or own, and only their own row of each (with the link's
    total, so their share means something); an admin sees every row.
    """
    links = BookingLink.objects.live().filter(
        workspace_id=membership.workspace_id, kind=BookingLink.Kind.ROUND_ROBIN
    )
    if not membership.is_admin:
        links = links.filter(Q(owner=user) | Q(link_hosts__user=user)).distinct()
    links = (
        links.select_related("owner").prefetch_related("link_hosts__user").order_by("title", "pk")
    )
    by_link = {link.pk: link for link in links}
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Booking.objects.filter(
            link_id__in=by_link, created_at__gte=period.start, created_at__lt=period.end
        )
        .order_by()
        .values("link_id", "host_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["status"] in _counted(by_link[row["link_id"]]):
            counts[row["link_id"]][row["host_id"]] += row["n"]
    others = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in={h for c in counts.values() for h in c})
    }
    out = []
    for link in by_link.values():
        dist = _distribution(link, counts[link.pk], others)
        if not membership.is_admin:
            dist.shares = [s for s in dist.shares if s.host_id == user.pk]
        out.append(dist)
    return out


def _counted(link: BookingLink) -> set[str]:
    counted: set[str] = set(Booking.ACTIVE_STATUSES)
    if link.rotation_counts_no_shows:
        counted.add(Status.NO_SHOW)
    if link.rotation_counts_cancellations:
        counted.add(Status.CANCELLED)
    return counted


def _distribution(link: BookingLink, counts: dict[int, int], names: dict[int, str]) -> Distribution:
    pool = _pool(link)
    total = sum(counts.values())
    weights = {host_id: weight for host_id, _, weight in pool}
    if link.rotation == BookingLink.Rotation.EQUAL:
        targets = {host_id: 1 / len(pool) for host_id in weights}
        aims = "Equal shares (weights are ignored)."
    elif link.rotation == BookingLink.Rotation.AVAILABILITY_FIRST:
        targets = {}
        aims = "No target share: this link assigns by availability, then priority."
    elif sum(weights.values()) == 0:
        targets = {}
        aims = "No target share: every host's weight is 0."
    else:
        targets = {host_id: w / sum(weights.values()) for host_id, w in weights.items()}
        aims = "Shares by weight."
    shares = [
        Share(
            host_id=host_id,
            name=name,
            bookings=counts.get(host_id, 0),
            share=counts.get(host_id, 0) / total if total else 0.0,
            weight=weight,
            target=targets.get(host_id),
        )
        for host_id, name, weight in pool
    ]
    for host_id, n in sorted(counts.items()):
        if host_id not in weights:  # a former host, or one now always attending
            name = names.get(host_id, "(removed)")
            shares.append(Share(host_id, name, n, n / total, weight=None, target=None))
    return Distribution(link=link, total=total, aims=aims, shares=shares)


def _pool(link: BookingLink) -> list[tuple[int, str, int]]:
    """The rotating hosts (id, name, weight): those not always attending, or all of them if
    every host is; a link with no hosts listed rotates its owner alone (as booking does)."""
    hosts = list(link.link_hosts.all())
    pool = [h for h in hosts if not h.always_attending] or hosts
    if not pool:
        return [(link.owner_id, link.owner.display_name, 100)]
    return [(h.user_id, h.user.display_name, h.weight) for h in pool]


# Popular days and hours -----------------------------------------------------------------------


@dataclass
class Heatmap:
    grid: list[list[int]]  # [weekday Monday=0][hour]

    @property
    def by_day(self) -> list[int]:
        return [sum(row) for row in self.grid]

    @property
    def by_hour(self) -> list[int]:
        return [sum(col) for col in zip(*self.grid, strict=True)]

    @property
    def total(self) -> int:
        return sum(self.by_day)

    @property
    def busiest_day(self) -> str:
        days = self.by_day
        return WEEKDAYS[days.index(max(days))] if self.total else ""

    @property
    def busiest_hour(self) -> str:
        hours = self.by_hour
        hour = hours.index(max(hours))
        return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00" if self.total else ""


def days_and_hours(bookings: QuerySet[Booking], period: Period) -> Heatmap:
    """Booked meetings by local weekday and starting hour. One grouped query."""
    rows = (
        _in_period(bookings, period)
        .filter(status__in=BOOKED)
        .annotate(
            weekday=ExtractIsoWeekDay("start", tzinfo=period.zone),
            hour=ExtractHour("start", tzinfo=period.zone),
        )
        .order_by()
        .values("weekday", "hour")
        .annotate(n=Count("pk"))
    )
    grid = [[0] * 24 for _ in range(7)]
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] += row["n"]
    return Heatmap(grid)


# Lead time ------------------------------------------------------------------------------------

LEAD_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("Under 1 hour", timedelta(hours=1)),
    ("1 to 24 hours", timedelta(days=1)),
    ("1 to 3 days", timedelta(days=3)),
    ("3 to 7 days", timedelta(days=7)),
    ("1 to 2 weeks", timedelta(days=14)),
    ("2 weeks or more", None),
)


@dataclass
class LeadTime:
    median: timedelta | None
    counts: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def lead_time(bookings: QuerySet[Booking], period: Period) -> LeadTime:
    """How long before the meeting it was booked: from the booking's creation to its start."""
    leads = [
        max(start - created, timedelta(0))
        for created, start in _in_period(bookings, period)
        .filter(status__in=BOOKED)
        .values_list("created_at", "start")
    ]
    counts = dict.fromkeys((label for label, _ in LEAD_BUCKETS), 0)
    for lead in leads:
        counts[_lead_bucket(lead)] += 1
    seconds = statistics.median(lead.total_seconds() for lead in leads) if leads else None
    median = None if seconds is None else timedelta(seconds=seconds)
    return LeadTime(median=median, counts=list(counts.items()))


def _lead_bucket(lead: timedelta) -> str:
    for label, below in LEAD_BUCKETS:
        if below is None or lead < below:
            return label
    raise AssertionError("the last bucket is open-ended")


# No-show and cancellation rates ---------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    label: str
    count: int
    of: int
    explains: str  # follows "3 of 40 "

    @property
    def percent(self) -> float | None:
        return 100 * self.count / self.of if self.of else None


def rates(bookings: QuerySet[Booking], period: Period, now: datetime) -> list[Rate]:
    """Cancellations of all bookings for meetings in the period; no-shows of the meetings that
    have taken place (held or missed). One query."""
    held = Q(status=Status.CONFIRMED, end__lte=now) | Q(status=Status.NO_SHOW)
    figures = _in_period(bookings, period).aggregate(
        total=Count("pk"),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
        held=Count("pk", filter=held),
    )
    return [
        Rate(
            "Cancellation rate",
            figures["cancelled"],
            figures["total"],
            "meetings in the period were cancelled",
        ),
        Rate(
            "No-show rate",
            figures["no_show"],
            figures["held"],
            "meetings that have taken place were no-shows",
        ),
    ]


def format_span(span: timedelta | None) -> str:
    """``2 days 3 hours``, ``5 hours 10 minutes``, ``12 minutes``."""
    if span is None:
        return "—"
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "under a minute"
