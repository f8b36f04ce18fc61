"""The slot engine's invariants, over generated schedules, rules, busy time and bookings.

Each property is checked against plain zoneinfo arithmetic, not against the engine's own helpers.
Generated days sit around each zone's DST transitions, so the odd days get exercised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.engine import Availability, HostBusy, Mode, Rules, Schedule, Window, compute

# Each zone with its DST transition days, if any; every zone also gets the ordinary days.
ZONES = {
    "UTC": [],
    "America/New_York": [date(2026, 3, 8), date(2024, 11, 3)],
    "Europe/Berlin": [date(2026, 3, 29), date(2026, 10, 25)],
    "Australia/Lord_Howe": [date(2026, 4, 5), date(2026, 10, 4)],  # 30-minute shifts
    "America/Santiago": [date(2026, 4, 4), date(2026, 9, 6)],  # around local midnight
    "Asia/Kolkata": [],
    "Asia/Kathmandu": [],
}
ORDINARY_DAYS = [
    date(2026, 11, 23),
    date(2026, 11, 30),  # the month ends that evening
    date(2025, 12, 29),  # ISO week 2026-W01 starts in 2025
]
DAY = 86_400

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Case:
    schedule: Schedule
    rules: Rules
    hosts: list[HostBusy]
    now: int
    range_start: int
    range_end: int
    mode: Mode
    booked: list[int]

    def run(
        self, hosts: Sequence[HostBusy] | None = None, mode: Mode | None = None
    ) -> Availability:
        return compute(
            self.schedule,
            self.rules,
            self.hosts if hosts is None else hosts,
            now=self.now,
            range_start=self.range_start,
            range_end=self.range_end,
            mode=self.mode if mode is None else mode,
            booked_starts=self.booked,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.schedule.timezone)


def windows(min_size: int = 0, first: int = 0, last: int = 288) -> st.SearchStrategy[list[Window]]:
    """Up to three disjoint windows on a 5-minute grid (00:00 to 24:00 unless narrowed by
    ``first`` and ``last``, in 5-minute steps), maybe listed backwards."""
    points = st.lists(st.integers(first, last), min_size=2 * min_size, max_size=6, unique=True)
    return st.builds(
        lambda p, backwards: sorted(
            ((a * 5, b * 5) for a, b in zip(sorted(p)[::2], sorted(p)[1::2], strict=False)),
            reverse=backwards,
        ),
        points,
        st.booleans(),
    )


def offsets(lo_hours: int, hi_hours: int) -> st.SearchStrategy[int]:
    """Seconds, spread evenly over whole hours from ``lo_hours`` to ``hi_hours``, plus a little."""
    return st.builds(
        lambda h, extra: h * 3600 + extra,
        st.sampled_from(range(lo_hours, hi_hours + 1)),
        st.sampled_from([0, 0, 0, 1, 59, 300, 900, 1800, 2700, 3599]),
    )


# Built once: making strategies inside the composite below costs more than drawing from them.
ZONE_NAMES = st.sampled_from([z for z, days in ZONES.items() for _ in range(1 + len(days))])
ANCHOR_SHIFT = st.sampled_from([0, 0, 0, -1, 1])
OPEN_DAYS = st.sets(st.integers(0, 6), min_size=4)
DAY_WINDOWS = windows(min_size=1)
OVERRIDES = st.dictionaries(st.integers(-2, 3), windows(), max_size=3)
CAP = st.sampled_from([None, None, None, 1, 2, 3])
RULES = st.builds(
    Rules,
    duration=st.sampled_from([15, 20, 30, 45, 60, 90]),
    interval=st.none() | st.sampled_from([5, 10, 15, 30, 60]),
    buffer_before=st.sampled_from([0, 5, 10, 15, 30]),
    buffer_after=st.sampled_from([0, 5, 10, 15, 30]),
    min_notice=st.sampled_from([0, 0, 30, 60, 240, 24 * 60]),
    max_days_ahead=st.none() | st.integers(0, 6),
    daily_cap=CAP,
    weekly_cap=CAP,
    monthly_cap=CAP,
)
RANGE_START = offsets(-30, 12)
RANGE_LENGTH = offsets(0, 72)
NOW = offsets(-48, 12)
HOST_COUNT = st.integers(1, 3)
BUSY = st.lists(st.tuples(offsets(-24, 96), offsets(0, 6)), max_size=4)
BOOKED = st.lists(offsets(-72, 120), max_size=4)
MODE = st.sampled_from([Mode.ANY, Mode.ALL])


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone_name = draw(ZONE_NAMES)
    anchor = draw(st.sampled_from(ZONES[zone_name] * 3 + ORDINARY_DAYS))
    anchor += timedelta(days=draw(ANCHOR_SHIFT))
    weekly = {d: draw(DAY_WINDOWS) for d in sorted(draw(OPEN_DAYS))}
    overrides = {anchor + timedelta(days=k): w for k, w in draw(OVERRIDES).items()}
    schedule = Schedule(zone_name, weekly=weekly, overrides=overrides)

    # UTC midnight is close enough to the local one: the offsets shift everything by under a day.
    base = int(datetime.combine(anchor, time(), tzinfo=UTC).timestamp())
    range_start = base + draw(RANGE_START)
    range_end = range_start + draw(RANGE_LENGTH)
    hosts = [
        HostBusy(
            f"host{i}", [(range_start + a, range_start + a + (n or 300)) for a, n in draw(BUSY)]
        )
        for i in range(draw(HOST_COUNT))
    ]
    return Case(
        schedule=schedule,
        rules=draw(RULES),
        hosts=hosts,
        now=range_start + draw(NOW),
        range_start=range_start,
        range_end=range_end,
        mode=draw(MODE),
        booked=[range_start + o for o in draw(BOOKED)],
    )


# Transition days only, with windows bunched where the clocks change: the small hours for most
# zones, the late evening for Santiago's autumn (24:00 back to 23:00).
DST_DAYS = st.sampled_from([(zone, day) for zone, days in ZONES.items() for day in days])
DST_WINDOWS = st.one_of(windows(1), windows(1, 0, 60), windows(1, 240, 288))
DST_RULES = st.builds(
    Rules,
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    interval=st.none() | st.sampled_from([10, 15, 30, 45, 60]),
    max_days_ahead=st.none(),
)


def wall(ts: int, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock time of an instant."""
    return datetime.fromtimestamp(ts, zone).replace(tzinfo=None)


def first_instant_at_or_after(naive: datetime, zone: ZoneInfo) -> int:
    """The first instant whose wall-clock time is ``naive`` or later, by a minute-by-minute walk.

    zoneinfo's default reading (fold=0) is right outside a gap; inside one it lands past the
    gap's end, so walk back while the minute before still reads at or after ``naive``.
    """
    t = int(naive.replace(tzinfo=zone).timestamp())
    while wall(t - 60, zone) >= naive:
        t -= 60
    return t


def windows_on(schedule: Schedule, day: date) -> Sequence[Window]:
    if day in schedule.overrides:
        return schedule.overrides[day]
    return schedule.weekly.get(day.weekday(), ())


@PROPERTY_SETTINGS
@given(case=cases())
def test_no_offered_slot_overlaps_busy_time_of_a_host_free_for_it(case: Case):
    availability = case.run()
    rules = case.rules
    all_hosts = [h.host for h in case.hosts]

    for s in availability.offered_starts():
        free = availability.free_hosts(s)
        assert free, "an offered slot has somebody free"
        if case.mode is Mode.ALL:
            assert free == all_hosts
        lo = s - rules.buffer_before * 60
        hi = s + (rules.duration + rules.buffer_after) * 60
        for host in case.hosts:
            if host.host in free:
                assert not any(b0 < hi and lo < b1 for b0, b1 in host.busy), (s, host)


@PROPERTY_SETTINGS
@given(case=cases())
def test_every_offered_slot_lies_inside_a_window_of_its_local_day(case: Case):
    zone = case.zone
    duration = case.rules.duration * 60

    for s in case.run().offered_starts():
        local = wall(s, zone)
        midnight = datetime.combine(local.date(), time())
        inside = False
        for a, b in windows_on(case.schedule, local.date()):
            opens = midnight + timedelta(minutes=a)
            closes = midnight + timedelta(minutes=b)
            closes_at = first_instant_at_or_after(closes, zone)
            if opens <= local < closes and s + duration <= closes_at:
                inside = True
        assert inside, (s, local)


@PROPERTY_SETTINGS
@given(case=cases(), probes=st.lists(st.integers(-10 * DAY, 10 * DAY), max_size=10))
def test_is_offered_accepts_exactly_the_offered_starts(case: Case, probes: list[int]):
    availability = case.run()
    offered = set(availability.offered_starts())
    grid = set(availability.starts)
    candidates = grid | {s + d for s in grid for d in (-60, -1, 1, 60)}
    candidates |= {case.range_start + p for p in probes}

    for t in candidates:
        assert availability.is_offered(t) == (t in offered), t
        if t not in grid:
            assert availability.free_hosts(t) == []


@PROPERTY_SETTINGS
@given(case=cases())
def test_all_mode_is_the_intersection_and_any_mode_the_union_of_single_host_results(case: Case):
    singles = {h.host: set(case.run([h], Mode.ANY).offered_starts()) for h in case.hosts}
    every = set.intersection(*singles.values())
    some = set.union(*singles.values())

    any_mode = case.run(mode=Mode.ANY)
    assert set(case.run(mode=Mode.ALL).offered_starts()) == every
    assert set(any_mode.offered_starts()) == some
    for s in some:
        assert any_mode.free_hosts(s) == [h.host for h in case.hosts if s in singles[h.host]]


@PROPERTY_SETTINGS
@given(case=cases())
def test_offered_slots_respect_the_range_the_notice_and_the_horizon(case: Case):
    rules = case.rules
    zone = case.zone
    today = wall(case.now, zone).date()

    for s in case.run().offered_starts():
        assert case.range_start <= s < case.range_end
        assert s >= case.now + rules.min_notice * 60
        if rules.max_days_ahead is not None:
            assert (wall(s, zone).date() - today).days <= rules.max_days_ahead


@PROPERTY_SETTINGS
@given(case=cases())
def test_offered_starts_are_increasing_and_no_wall_clock_label_repeats(case: Case):
    starts = case.run().offered_starts()
    labels = [wall(s, case.zone) for s in starts]

    assert starts == sorted(set(starts))
    assert len(set(labels)) == len(labels)


@PROPERTY_SETTINGS
@given(case=cases())
def test_no_slot_is_offered_in_a_day_week_or_month_at_its_cap(case: Case):
    rules = case.rules
    zone = case.zone
    booked_days = [wall(b, zone).date() for b in case.booked]

    for s in case.run().offered_starts():
        day = wall(s, zone).date()
        year, week, _ = day.isocalendar()
        if rules.daily_cap is not None:
            assert sum(d == day for d in booked_days) < rules.daily_cap
        if rules.weekly_cap is not None:
            assert sum(d.isocalendar()[:2] == (year, week) for d in booked_days) < rules.weekly_cap
        if rules.monthly_cap is not None:
            same_month = sum((d.year, d.month) == (day.year, day.month) for d in booked_days)
            assert same_month < rules.monthly_cap


@PROPERTY_SETTINGS
@given(case=cases())
def test_a_grid_start_is_offered_exactly_when_every_rule_allows_it(case: Case):
    """Slot by slot, with plain loops: the bitmasks and bisects must agree with the rules."""
    availability = case.run()
    rules = case.rules
    zone = case.zone
    today = wall(case.now, zone).date()
    booked_days = [wall(b, zone).date() for b in case.booked]

    def capped(day: date) -> bool:
        periods = [
            (rules.daily_cap, lambda d: d),
            (rules.weekly_cap, lambda d: d.isocalendar()[:2]),
            (rules.monthly_cap, lambda d: (d.year, d.month)),
        ]
        return any(
            cap is not None and sum(key(b) == key(day) for b in booked_days) >= cap
            for cap, key in periods
        )

    for s in availability.starts:
        day = wall(s, zone).date()
        allowed = (
            case.range_start <= s < case.range_end
            and s >= case.now + rules.min_notice * 60
            and (rules.max_days_ahead is None or (day - today).days <= rules.max_days_ahead)
            and not capped(day)
        )
        lo = s - rules.buffer_before * 60
        hi = s + (rules.duration + rules.buffer_after) * 60
        free = [
            h.host
            for h in case.hosts
            if allowed and not any(b0 < hi and lo < b1 for b0, b1 in h.busy)
        ]
        if case.mode is Mode.ALL:
            expected = bool(free) and len(free) == len(case.hosts)
        else:
            expected = bool(free)
        assert availability.free_hosts(s) == free, s
        assert availability.is_offered(s) == expected, s


@PROPERTY_SETTINGS
@given(zone_and_day=DST_DAYS, day_windows=DST_WINDOWS, rules=DST_RULES)
def test_on_a_dst_day_offered_labels_step_from_their_window_start_and_never_repeat(
    zone_and_day: tuple[str, date], day_windows: list[Window], rules: Rules
):
    zone_name, day = zone_and_day
    zone = ZoneInfo(zone_name)
    schedule = Schedule(zone_name, weekly={}, overrides={day: day_windows})
    start = int(datetime.combine(day, time(), tzinfo=UTC).timestamp()) - DAY
    availability = compute(
        schedule,
        rules,
        [HostBusy("host")],
        now=start - DAY,
        range_start=start,
        range_end=start + 3 * DAY,
    )
    midnight = datetime.combine(day, time())

    offered = availability.offered_starts()
    labels = [wall(s, zone) for s in offered]
    assert len(set(labels)) == len(labels)
    for s, label in zip(offered, labels, strict=True):
        assert label.date() == day
        fits = []
        for a, b in day_windows:
            opens = first_instant_at_or_after(midnight + timedelta(minutes=a), zone)
            closes = first_instant_at_or_after(midnight + timedelta(minutes=b), zone)
            since_open = (label - wall(opens, zone)).total_seconds() / 60
            fits.append(
                opens <= s
                and s + rules.duration * 60 <= closes
                and since_open >= 0
                and since_open % rules.step == 0
            )
        assert any(fits), (s, label)
