"""The slot engine: pure interval maths over UTC instants.

Inputs are plain data (a weekly schedule in an IANA zone, the link's rules, each host's busy
ranges, ``now``); the output is the slot starts and, for each, which hosts are free. No ORM and no
clock reads happen here, so the same function serves the slot list and the booking-time re-check:
a slot the page shows is bookable, and a slot it hides is refused.

Instants are whole seconds since the epoch (``int``) inside the engine: comparing and bisecting
ints is several times faster than datetimes, and the public helpers convert at the edges.

Speed comes from two choices. Candidate starts are generated once per link (the schedule's grid);
each host's busy ranges then knock out index ranges of that sorted list with two bisects each, kept
as one Python ``int`` bitmask per host. Union (round-robin) and intersection (collective) are then
single big-integer operations instead of per-slot loops.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

Window = tuple[int, int]  # minutes from local midnight: start, end (end may be 1440 = 24:00)


class Mode(StrEnum):
    ANY = "any"  # one-on-one and round-robin: a slot is offered when at least one host is free
    ALL = "all"  # collective: every host must be free
    # Multi-host group: every ``required`` host is free, plus at least one of the others.
    # (ANY with required hosts means the same; ALL makes every host required.)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly windows per weekday (0 = Monday) and date overrides, in one IANA zone.

    An override replaces that date's windows; an empty override is a day off.
    """

    timezone: str
    weekly: Mapping[int, Sequence[Window]]
    overrides: Mapping[date, Sequence[Window]] = field(default_factory=dict)

    def windows_on(self, day: date) -> Sequence[Window]:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())


@dataclass(frozen=True, slots=True)
class Rules:
    """A link's rules, all in minutes except the day counts and caps."""

    duration: int
    interval: int | None = None  # grid step; defaults to the duration
    buffer_before: int = 0
    buffer_after: int = 0
    min_notice: int = 0
    max_days_ahead: int | None = 30
    daily_cap: int | None = None
    weekly_cap: int | None = None
    monthly_cap: int | None = None

    @property
    def step(self) -> int:
        return self.interval or self.duration


@dataclass(frozen=True, slots=True)
class HostBusy:
    """One host and the ranges (epoch seconds, buffers of existing meetings included) it is busy."""

    host: Hashable
    busy: Sequence[tuple[int, int]] = ()
    required: bool = False  # an always-attending host: must be free for a slot to be offered
    # The host's own hours when they differ from the link's schedule (a team link's host who
    # keeps their own schedule): outside them the host is not free.
    schedule: Schedule | None = None


@dataclass(frozen=True, slots=True)
class Seats:
    """A group link's sessions: ``capacity`` attendees per slot.

    ``taken`` counts the live bookings at each start; ``held`` are those sessions' buffered ranges.
    A session blocks its host's overlapping starts like any meeting, except its own start while
    seats are left there.
    """

    capacity: int
    taken: Mapping[int, int] = field(default_factory=dict)
    held: Sequence[tuple[int, int]] = ()


@dataclass(slots=True)
class Grid:
    """The schedule's candidate starts in a span of local days, sorted, with each day's index range."""

    starts: list[int]
    days: list[tuple[date, int, int]]  # (local date, first index, end index)


@dataclass(slots=True)
class Availability:
    starts: list[int]
    hosts: list[Hashable]
    offered: int  # bit i set when the slot is offered under the requested mode
    seats: Seats | None = None
    required: list[bool] = field(default_factory=list)  # per host: must attend every slot
    # Per host: bit i set when that host is free at starts[i]. Worked out when first asked for:
    # a page listing a round-robin's slots stops reading hosts once every start has a free one.
    _masks: list[int | None] = field(default_factory=list)
    _mask_of: Callable[[int], int] | None = None

    @property
    def masks(self) -> list[int]:
        for i, mask in enumerate(self._masks):
            if mask is None and self._mask_of is not None:
                self._masks[i] = self._mask_of(i)
        return [m or 0 for m in self._masks]

    def seats_left(self, start: int) -> int | None:
        """Seats still open at ``start`` on a group link; ``None`` for other links."""
        if self.seats is None:
            return None
        return max(0, self.seats.capacity - self.seats.taken.get(start, 0))

    def offered_starts(self) -> list[int]:
        return [s for i, s in enumerate(self.starts) if self.offered >> i & 1]

    def free_hosts(self, start: int) -> list[Hashable]:
        i = bisect.bisect_left(self.starts, start)
        if i == len(self.starts) or self.starts[i] != start:
            return []
        return [h for h, m in zip(self.hosts, self.masks, strict=True) if m >> i & 1]

    def assignable(self, start: int) -> tuple[list[Hashable], list[Hashable]]:
        """At an offered ``start``: the hosts who must attend, and the free hosts of the pool one
        of whom is assigned. Both empty when the slot is not offered."""
        if not self.is_offered(start):
            return [], []
        free = set(self.free_hosts(start))
        must = [h for h, r in zip(self.hosts, self.required, strict=True) if r]
        pool = [h for h, r in zip(self.hosts, self.required, strict=True) if not r and h in free]
        return must, pool

    def is_offered(self, start: int) -> bool:
        i = bisect.bisect_left(self.starts, start)
        return i < len(self.starts) and self.starts[i] == start and bool(self.offered >> i & 1)


# --- Local time to UTC ------------------------------------------------------------------------


def local_to_epoch(naive: datetime, zone: ZoneInfo) -> int:
    """The instant of a local wall-clock time.

    A time in a repeated hour (autumn) means its first occurrence. A time in a skipped hour
    (spring) means the first valid instant after it, the end of the gap.
    """
    ts = int(naive.replace(tzinfo=zone).timestamp())
    if datetime.fromtimestamp(ts, zone).replace(tzinfo=None) == naive:
        return ts
    # In a gap: fold=1 reads it with the offset after the gap, which lands before the gap.
    lo = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    hi = ts
    while hi - lo > 1:  # the first instant whose wall time is at or past ``naive``
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time())


def local_midnight_epoch(day: date, zone: ZoneInfo) -> int:
    return local_to_epoch(_day_start(day), zone)


def local_date(ts: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(ts, zone).date()


# --- The grid -----------------------------------------------------------------------------------


def build_grid(schedule: Schedule, rules: Rules, first: date, last: date) -> Grid:
    """Every start the schedule offers on the local days ``first``..``last``.

    Starts step by the slot interval from each window's start in wall-clock time, so every booker
    sees the same instants whatever their zone, and a DST day (23 or 25 hours) keeps its grid.
    """
    zone = ZoneInfo(schedule.timezone)
    duration = rules.duration * 60
    step = rules.step * 60
    starts: list[int] = []
    days: list[tuple[date, int, int]] = []
    day = first
    while day <= last:
        begin = len(starts)
        for window in merge_windows(schedule.windows_on(day)):
            _window_starts(starts, day, window, zone, duration, step)
        days.append((day, begin, len(starts)))
        day += timedelta(days=1)
    return Grid(starts=starts, days=days)


def merge_windows(windows: Sequence[Window]) -> list[Window]:
    """Sorted windows with overlapping and touching ones joined: 09:00-12:00 and 12:00-17:00 are
    one stretch of free time, so a meeting may run across 12:00 and the grid runs on from 09:00.
    Empty windows are dropped."""
    merged: list[Window] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window_starts(
    out: list[int], day: date, window: Window, zone: ZoneInfo, duration: int, step: int
) -> None:
    midnight = _day_start(day)
    naive_start = midnight + timedelta(minutes=window[0])
    naive_end = midnight + timedelta(minutes=window[1])
    begin = local_to_epoch(naive_start, zone)
    end = local_to_epoch(naive_end, zone)
    floor = out[-1] if out else None
    if _same_offset(begin, end, zone):
        # No transition inside the window: wall-clock steps are plain UTC steps.
        s = begin
        while s + duration <= end:
            if floor is None or s > floor:
                out.append(s)
            s += step
        return
    # A DST transition inside the window: step the wall clock, anchored at the first valid
    # instant, and take each wall time once (its first occurrence), skipping ones that don't exist.
    anchor = datetime.fromtimestamp(begin, zone).replace(tzinfo=None)
    k = 0
    while True:
        naive = anchor + timedelta(seconds=k * step)
        k += 1
        s = local_to_epoch(naive, zone)
        if s + duration > end:
            break
        exists = datetime.fromtimestamp(s, zone).replace(tzinfo=None) == naive
        if exists and (floor is None or s > floor) and (not out or s > out[-1]):
            out.append(s)


def _same_offset(a: int, b: int, zone: ZoneInfo) -> bool:
    return (
        datetime.fromtimestamp(a, zone).utcoffset() == datetime.fromtimestamp(b, zone).utcoffset()
    )


# --- Availability -------------------------------------------------------------------------------


def compute(
    schedule: Schedule,
    rules: Rules,
    hosts: Sequence[HostBusy],
    *,
    now: int,
    range_start: int,
    range_end: int,
    mode: Mode = Mode.ANY,
    booked_starts: Sequence[int] = (),
    seats: Seats | None = None,
) -> Availability:
    """Slots starting in ``[range_start, range_end)`` and, for each, the hosts free then.

    ``booked_starts`` are the starts of the link's confirmed and pending bookings, for the caps
    (a group session counts once per attendee). ``seats`` makes it a group link.
    """
    zone = ZoneInfo(schedule.timezone)
    first = local_date(range_start, zone) - timedelta(days=1)
    last = local_date(range_end, zone) + timedelta(days=1)
    base = build_grid(schedule, rules, first, last)
    own = _host_grids(schedule, rules, hosts, first, last)
    grid = _union_grid(base, list(own.values()), zone, first, last) if own else base
    starts = grid.starts
    window = _allowed_span(grid, rules, zone, now=now, range_start=range_start, range_end=range_end)
    window &= ~_capped_mask(grid, rules, zone, booked_starts)
    if seats is not None:
        window &= ~_sessions_mask(starts, seats, rules)
    required = [mode is Mode.ALL or h.required for h in hosts]

    def mask_of(i: int) -> int:
        mask = window & ~_busy_mask(starts, hosts[i].busy, rules)
        if own:
            mask &= _members_mask(starts, own.get(i, base))
        return mask

    masks: list[int | None] = [None] * len(hosts)
    offered = _combine(masks, required, mask_of, window)
    return Availability(
        starts=starts,
        hosts=[h.host for h in hosts],
        offered=offered,
        seats=seats,
        required=required,
        _masks=masks,
        _mask_of=mask_of,
    )


def _host_grids(
    schedule: Schedule, rules: Rules, hosts: Sequence[HostBusy], first: date, last: date
) -> dict[int, Grid]:
    """The grids of hosts with hours of their own, by host index; empty when every host keeps
    the link's schedule (the usual case, which then costs nothing extra).

    The local days are read in the link's zone; one more day either side covers a host whose
    zone is a day ahead or behind.
    """
    grids: dict[int, Grid] = {}
    built: list[tuple[Schedule, Grid]] = []  # hosts often share a schedule; schedules hold dicts
    span = timedelta(days=1)
    for i, host in enumerate(hosts):
        if host.schedule is None or host.schedule == schedule:
            continue
        grid = next((g for s, g in built if s == host.schedule), None)
        if grid is None:
            grid = build_grid(host.schedule, rules, first - span, last + span)
            built.append((host.schedule, grid))
        grids[i] = grid
    return grids


def _union_grid(grid: Grid, others: list[Grid], zone: ZoneInfo, first: date, last: date) -> Grid:
    """Every start any host offers, sorted once, with the local days (in the link's zone) re-read
    for the caps."""
    starts = sorted(set(grid.starts).union(*(g.starts for g in others)))
    lo_day = local_midnight_epoch(first, zone)
    hi_day = local_midnight_epoch(last + timedelta(days=1), zone)
    starts = [s for s in starts if lo_day <= s < hi_day]
    days: list[tuple[date, int, int]] = []
    day = first
    i = 0
    while day <= last:
        end = bisect.bisect_left(starts, local_midnight_epoch(day + timedelta(days=1), zone))
        days.append((day, i, end))
        i = end
        day += timedelta(days=1)
    return Grid(starts=starts, days=days)


def _members_mask(starts: list[int], grid: Grid) -> int:
    """Bit i set when ``starts[i]`` is one of ``grid``'s starts."""
    own = set(grid.starts)
    mask = 0
    for i, s in enumerate(starts):
        if s in own:
            mask |= 1 << i
    return mask


def _combine(
    masks: list[int | None], required: Sequence[bool], mask_of: Callable[[int], int], window: int
) -> int:
    """Every required host free, and at least one of the others (when there are others).

    Fills ``masks`` as it goes; the pool's union stops once it covers every start the required
    hosts leave (further hosts could only add starts already offered).
    """
    if not masks:
        return 0
    must = window
    for i, is_required in enumerate(required):
        if is_required:
            masks[i] = mask_of(i)
            must &= masks[i]  # type: ignore[operator]
    if all(required):
        return must
    pool = 0
    for i, is_required in enumerate(required):
        if is_required:
            continue
        masks[i] = mask_of(i)
        pool |= masks[i]  # type: ignore[operator]
        if pool & must == must:
            break
    return must & pool


def _sessions_mask(starts: list[int], seats: Seats, rules: Rules) -> int:
    """Starts a group's own sessions block: everything they overlap except their own start while
    it has a seat left."""
    blocked = _busy_mask(starts, seats.held, rules)
    for start, count in seats.taken.items():
        i = bisect.bisect_left(starts, start)
        if i < len(starts) and starts[i] == start:
            if count < seats.capacity:
                blocked &= ~(1 << i)
            else:
                blocked |= 1 << i
    return blocked


def _range_mask(lo: int, hi: int) -> int:
    return ((1 << (hi - lo)) - 1) << lo if hi > lo else 0


def _allowed_span(
    grid: Grid, rules: Rules, zone: ZoneInfo, *, now: int, range_start: int, range_end: int
) -> int:
    """Starts inside the requested range, past the minimum notice and before the horizon."""
    earliest = max(range_start, now + rules.min_notice * 60)
    latest = range_end
    if rules.max_days_ahead is not None:
        last_day = local_date(now, zone) + timedelta(days=rules.max_days_ahead)
        latest = min(latest, local_midnight_epoch(last_day + timedelta(days=1), zone))
    lo = bisect.bisect_left(grid.starts, earliest)
    hi = bisect.bisect_left(grid.starts, latest)
    return _range_mask(lo, hi)


def _busy_mask(starts: list[int], busy: Sequence[tuple[int, int]], rules: Rules) -> int:
    """Starts whose buffered range [s - before, s + duration + after) overlaps a busy range."""
    reach_back = (rules.duration + rules.buffer_after) * 60
    reach_forward = rules.buffer_before * 60
    mask = 0
    for b0, b1 in busy:
        if b1 <= b0:
            continue  # an empty range (a zero-length event) blocks nothing
        # Overlap when s - before < b1 and s + duration + after > b0.
        lo = bisect.bisect_right(starts, b0 - reach_back)
        hi = bisect.bisect_left(starts, b1 + reach_forward)
        if hi > lo:
            mask |= _range_mask(lo, hi)
    return mask


def _capped_mask(grid: Grid, rules: Rules, zone: ZoneInfo, booked: Sequence[int]) -> int:
    """Starts in a day, ISO week or month whose bookings already reach the link's cap."""
    wanted = [
        (rules.daily_cap, _day_key),
        (rules.weekly_cap, _week_key),
        (rules.monthly_cap, _month_key),
    ]
    caps = [(cap, key) for cap, key in wanted if cap is not None]
    if not caps:
        return 0
    booked_days = [local_date(s, zone) for s in booked]
    full: list[set[Hashable]] = []
    for cap, key in caps:
        counts = Counter(key(d) for d in booked_days)
        full.append({k for k, n in counts.items() if n >= cap})
    mask = 0
    for day, lo, hi in grid.days:
        if any(key(day) in periods for (_, key), periods in zip(caps, full, strict=True)):
            mask |= _range_mask(lo, hi)
    return mask


def _day_key(d: date) -> Hashable:
    return d


def _week_key(d: date) -> Hashable:
    return d.isocalendar()[:2]


def _month_key(d: date) -> Hashable:
    return (d.year, d.month)


# --- Whether the hours hold a meeting -----------------------------------------------------------


def covers(schedule: Schedule, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one stretch of the schedule's open hours; windows
    that touch, across midnight too, are one stretch."""
    zone = ZoneInfo(schedule.timezone)
    day, last = local_date(start, zone) - timedelta(days=1), local_date(end, zone)
    stretch: tuple[int, int] | None = None
    while day <= last:
        midnight = _day_start(day)
        for a, b in merge_windows(schedule.windows_on(day)):
            lo = local_to_epoch(midnight + timedelta(minutes=a), zone)
            hi = local_to_epoch(midnight + timedelta(minutes=b), zone)
            stretch = (stretch[0], hi) if stretch and lo <= stretch[1] else (lo, hi)
            if stretch[0] <= start and end <= stretch[1]:
                return True
        day += timedelta(days=1)
    return False


# --- Conversions at the edges -----------------------------------------------------------------


def to_epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
