"""Team and group slots are built from one-host slots, over generated schedules and busy time.

* collective (every host required, or Mode.ALL): the intersection of each host's own slots;
* round-robin (Mode.ANY): their union;
* multi-host group: every required host's slots, intersected with the union of the pool's;
* group seats: a start is offered iff it is offered without the group's sessions and either
  overlaps no session or is a session's own start with seats left.

Each expectation is computed by running the engine for one host at a time (or without seats) and
combining the results with plain set operations, so the bitmask arithmetic is checked against sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.engine import Availability, HostBusy, Mode, Rules, Schedule, Seats, compute

TEAM_SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# An ordinary week and Berlin's autumn DST change (Sunday 2026-10-25 has 25 hours).
DAYS = [date(2026, 11, 24), date(2026, 10, 24)]
ZONES = ["UTC", "Europe/Berlin", "America/New_York"]
MINUTE = 60


@dataclass(frozen=True)
class Case:
    schedule: Schedule
    rules: Rules
    busy: list[list[tuple[int, int]]]  # per host
    now: int
    range_start: int
    range_end: int

    def run(
        self,
        hosts: list[HostBusy],
        mode: Mode = Mode.ANY,
        seats: Seats | None = None,
    ) -> Availability:
        return compute(
            self.schedule,
            self.rules,
            hosts,
            now=self.now,
            range_start=self.range_start,
            range_end=self.range_end,
            mode=mode,
            seats=seats,
        )

    def hosts(self, required: list[bool] | None = None) -> list[HostBusy]:
        flags = required or [False] * len(self.busy)
        return [
            HostBusy(f"h{i}", busy, required=flag)
            for i, (busy, flag) in enumerate(zip(self.busy, flags, strict=True))
        ]

    def alone(self, host: HostBusy) -> set[int]:
        """The starts offered when ``host`` is the link's only host."""
        return set(self.run([HostBusy(host.host, host.busy)]).offered_starts())


# Windows on a 15-minute grid between 06:00 and 20:00, possibly overlapping or touching.
WINDOW = st.builds(
    lambda a, n: (a * 15, min(a * 15 + n * 15, 24 * 60)),
    st.integers(24, 80),
    st.integers(1, 24),
)
DAY_WINDOWS = st.lists(WINDOW, min_size=1, max_size=3)
RULES = st.builds(
    Rules,
    duration=st.sampled_from([15, 30, 45, 60]),
    interval=st.none() | st.sampled_from([15, 30]),
    buffer_before=st.sampled_from([0, 0, 10, 15]),
    buffer_after=st.sampled_from([0, 0, 5, 15]),
    min_notice=st.sampled_from([0, 0, 120]),
    max_days_ahead=st.none(),
)
# Busy ranges over the two days, on a 5-minute grid; a length of 0 is an empty range.
BUSY_RANGE = st.tuples(st.integers(0, 2 * 288), st.sampled_from([0, 5, 15, 30, 60, 120, 480]))
HOST_BUSY = st.lists(BUSY_RANGE, max_size=4)


@st.composite
def cases(draw: st.DrawFn, min_hosts: int = 1, max_hosts: int = 4) -> Case:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from(DAYS))
    weekly = {d: draw(DAY_WINDOWS) for d in range(7)}
    schedule = Schedule(zone, weekly=weekly)
    # UTC midnight of the day before; the range covers two local days in every zone used here.
    base = int(datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC).timestamp())
    range_start = base + 12 * 3600
    range_end = range_start + 48 * 3600
    busy = [
        [(range_start + a * 5 * MINUTE, range_start + (a * 5 + n) * MINUTE) for a, n in ranges]
        for ranges in draw(st.lists(HOST_BUSY, min_size=min_hosts, max_size=max_hosts))
    ]
    now = range_start + draw(st.sampled_from([-86_400, 0, 3 * 3600]))
    return Case(
        schedule=schedule,
        rules=draw(RULES),
        busy=busy,
        now=now,
        range_start=range_start,
        range_end=range_end,
    )


@TEAM_SETTINGS
@given(case=cases())
def test_collective_slots_are_the_intersection_of_each_hosts_own_slots(case: Case):
    hosts = case.hosts()
    singles = [case.alone(h) for h in hosts]
    expected = set.intersection(*singles)

    collective = case.run(hosts, mode=Mode.ALL)
    all_required = case.run(case.hosts([True] * len(hosts)))

    assert set(collective.offered_starts()) == expected
    assert set(all_required.offered_starts()) == expected
    names = [h.host for h in hosts]
    for s in expected:
        assert collective.assignable(s) == (names, [])
        assert all_required.assignable(s) == (names, [])


@TEAM_SETTINGS
@given(case=cases())
def test_round_robin_slots_are_the_union_of_each_hosts_own_slots(case: Case):
    hosts = case.hosts()
    singles = [case.alone(h) for h in hosts]
    expected = set.union(*singles)

    round_robin = case.run(hosts, mode=Mode.ANY)

    assert set(round_robin.offered_starts()) == expected
    for s in round_robin.starts:
        free = [h.host for h, own in zip(hosts, singles, strict=True) if s in own]
        assert round_robin.free_hosts(s) == free
        assert round_robin.assignable(s) == (([], free) if s in expected else ([], []))


@TEAM_SETTINGS
@given(case=cases(min_hosts=2), data=st.data())
def test_multi_host_group_is_the_required_intersection_within_the_pool_union(
    case: Case, data: st.DataObject
):
    required = data.draw(st.lists(st.booleans(), min_size=len(case.busy), max_size=len(case.busy)))
    hosts = case.hosts(required)
    singles = {h.host: case.alone(h) for h in hosts}
    must = [h.host for h in hosts if h.required]
    pool = [h.host for h in hosts if not h.required]
    grid = set(case.run(hosts).starts)
    expected = grid
    for name in must:
        expected &= singles[name]
    if pool:
        expected &= set.union(*(singles[name] for name in pool))

    team = case.run(hosts, mode=Mode.ANY)

    assert set(team.offered_starts()) == expected
    for s in team.starts:
        if s in expected:
            assert team.assignable(s) == (must, [n for n in pool if s in singles[n]])
        else:
            assert team.assignable(s) == ([], [])


def overlaps(s: int, rules: Rules, held: list[tuple[int, int]]) -> bool:
    lo = s - rules.buffer_before * MINUTE
    hi = s + (rules.duration + rules.buffer_after) * MINUTE
    return any(b0 < hi and lo < b1 for b0, b1 in held)


@TEAM_SETTINGS
@given(
    case=cases(max_hosts=2),
    capacity=st.integers(1, 4),
    data=st.data(),
)
def test_group_start_is_offered_iff_free_without_sessions_and_clear_of_them_or_a_seat_is_left(
    case: Case, capacity: int, data: st.DataObject
):
    hosts = case.hosts()
    rules = case.rules
    without = case.run(hosts)
    if not without.starts:
        return
    # Sessions sit on grid starts (the usual case) or, after a settings change, anywhere on a
    # 5-minute grid nearby; each has 1 to capacity + 1 attendees and holds its buffered range.
    on_grid = st.sampled_from(without.starts)
    off_grid = st.builds(
        lambda s, k: s + k * 5 * MINUTE, st.sampled_from(without.starts), st.integers(-11, 11)
    )
    session_starts = data.draw(st.lists(on_grid | off_grid, max_size=4, unique=True))
    taken = {s: data.draw(st.integers(1, capacity + 1)) for s in session_starts}
    held = [
        (s - rules.buffer_before * MINUTE, s + (rules.duration + rules.buffer_after) * MINUTE)
        for s in session_starts
    ]
    seats = Seats(capacity=capacity, taken=taken, held=held)

    grouped = case.run(hosts, seats=seats)

    assert grouped.starts == without.starts
    for s in grouped.starts:
        seat_left_here = s in taken and taken[s] < capacity
        expected = without.is_offered(s) and (not overlaps(s, rules, held) or seat_left_here)
        assert grouped.is_offered(s) == expected, s
        assert grouped.seats_left(s) == max(0, capacity - taken.get(s, 0))
        if expected:
            assert grouped.seats_left(s) > 0
            assert grouped.assignable(s) == ([], grouped.free_hosts(s))
