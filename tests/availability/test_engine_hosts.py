"""The slot engine with several hosts, group seats, merged windows and empty busy ranges.

Pure unit tests: plain data in, slot starts out. Every case is on Tuesday 2026-11-24 in Berlin
(UTC+1 all day); starts are written and compared as Berlin wall-clock labels ("10:00").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from availability.engine import (
    Availability,
    HostBusy,
    Mode,
    Rules,
    Schedule,
    Seats,
    Window,
    compute,
    merge_windows,
)

BERLIN = ZoneInfo("Europe/Berlin")
TUE = date(2026, 11, 24)


def at(hhmm: str) -> int:
    """The instant of ``hhmm`` on Tuesday in Berlin, as engine seconds."""
    hours, minutes = map(int, hhmm.split(":"))
    return int(datetime(TUE.year, TUE.month, TUE.day, hours, minutes, tzinfo=BERLIN).timestamp())


def label(ts: int) -> str:
    return datetime.fromtimestamp(ts, BERLIN).strftime("%H:%M")


def span(start: str, end: str) -> tuple[int, int]:
    return (at(start), at(end))


def win(start: str, end: str) -> Window:
    return (minutes(start), minutes(end))


def minutes(hhmm: str) -> int:
    hours, mins = map(int, hhmm.split(":"))
    return hours * 60 + mins


def tuesday(*windows: Window) -> Schedule:
    """Open on Tuesdays only (weekday 1), with these windows."""
    return Schedule("Europe/Berlin", weekly={1: list(windows)})


NINE_TO_NOON = tuesday(win("09:00", "12:00"))


def run(
    hosts: Sequence[HostBusy] = (HostBusy("host"),),
    *,
    schedule: Schedule = NINE_TO_NOON,
    rules: Rules | None = None,
    mode: Mode = Mode.ANY,
    seats: Seats | None = None,
) -> Availability:
    return compute(
        schedule,
        rules or Rules(duration=30),
        hosts,
        now=at("00:00") - 86_400,
        range_start=at("00:00"),
        range_end=at("00:00") + 86_400,
        mode=mode,
        seats=seats,
    )


def offered(availability: Availability) -> list[str]:
    return [label(s) for s in availability.offered_starts()]


def group(
    capacity: int,
    taken: Mapping[str, int],
    *,
    duration: int = 30,
    before: int = 0,
    after: int = 0,
) -> Seats:
    """A group's sessions: ``taken`` attendees at each start, each session holding its buffered
    range the way its reservations do."""
    held = [
        (at(start) - before * 60, at(start) + (duration + after) * 60) for start in sorted(taken)
    ]
    return Seats(capacity=capacity, taken={at(s): n for s, n in taken.items()}, held=held)


# --- Required (always-attending) hosts ---------------------------------------------------------


def test_required_host_plus_one_free_pool_host_offers_the_slot_and_names_who_attends():
    hosts = [
        HostBusy("lead", required=True),
        HostBusy("ann", busy=[span("10:00", "10:30")]),
        HostBusy("bob"),
    ]
    availability = run(hosts)

    assert "10:00" in offered(availability)
    assert availability.free_hosts(at("10:00")) == ["lead", "bob"]
    assert availability.assignable(at("10:00")) == (["lead"], ["bob"])
    # Where both pool hosts are free, both may be picked.
    assert availability.assignable(at("09:00")) == (["lead"], ["ann", "bob"])


def test_slot_is_hidden_while_a_required_host_is_busy_even_with_the_whole_pool_free():
    hosts = [
        HostBusy("lead", busy=[span("10:00", "11:00")], required=True),
        HostBusy("ann"),
        HostBusy("bob"),
    ]
    availability = run(hosts)

    assert offered(availability) == ["09:00", "09:30", "11:00", "11:30"]
    assert availability.assignable(at("10:00")) == ([], [])
    assert availability.free_hosts(at("10:00")) == ["ann", "bob"]


def test_slot_is_hidden_while_every_pool_host_is_busy_even_with_required_hosts_free():
    hosts = [
        HostBusy("lead", required=True),
        HostBusy("ann", busy=[span("09:00", "10:30")]),
        HostBusy("bob", busy=[span("09:30", "11:00")]),
    ]
    availability = run(hosts)

    # 09:30 and 10:00 have nobody from the pool; 09:00 has Bob and 10:30 Ann.
    assert offered(availability) == ["09:00", "10:30", "11:00", "11:30"]
    assert availability.assignable(at("09:00")) == (["lead"], ["bob"])
    assert availability.assignable(at("10:30")) == (["lead"], ["ann"])


def test_two_required_hosts_must_both_be_free():
    hosts = [
        HostBusy("lead", required=True),
        HostBusy("cto", busy=[span("11:00", "12:00")], required=True),
        HostBusy("ann"),
    ]
    availability = run(hosts)

    assert offered(availability) == ["09:00", "09:30", "10:00", "10:30"]
    assert availability.assignable(at("09:00")) == (["lead", "cto"], ["ann"])


def test_every_host_required_in_any_mode_is_the_same_as_all_mode():
    busy = [[span("09:00", "09:30")], [span("10:00", "10:30")], []]
    required = run([HostBusy(f"h{i}", b, required=True) for i, b in enumerate(busy)])
    collective = run([HostBusy(f"h{i}", b) for i, b in enumerate(busy)], mode=Mode.ALL)

    assert offered(required) == offered(collective) == ["09:30", "10:30", "11:00", "11:30"]
    assert required.assignable(at("09:30")) == (["h0", "h1", "h2"], [])


def test_all_mode_makes_every_host_attend_and_leaves_no_pool():
    availability = run([HostBusy("ann"), HostBusy("bob")], mode=Mode.ALL)

    assert availability.assignable(at("09:00")) == (["ann", "bob"], [])


def test_any_mode_without_required_hosts_has_an_empty_must_list_and_a_pool_of_free_hosts():
    hosts = [HostBusy("ann", busy=[span("09:00", "09:30")]), HostBusy("bob"), HostBusy("cy")]
    availability = run(hosts)

    assert availability.assignable(at("09:00")) == ([], ["bob", "cy"])
    assert availability.assignable(at("09:30")) == ([], ["ann", "bob", "cy"])


def test_assignable_is_empty_off_the_grid_and_outside_the_hours():
    availability = run([HostBusy("lead", required=True), HostBusy("ann")])

    assert availability.assignable(at("09:10")) == ([], [])  # not a grid start
    assert availability.assignable(at("12:00")) == ([], [])  # the window has closed
    assert availability.assignable(at("08:30")) == ([], [])


def test_a_required_host_alone_is_offered_whenever_free():
    availability = run([HostBusy("lead", busy=[span("09:00", "11:00")], required=True)])

    assert offered(availability) == ["11:00", "11:30"]
    assert availability.assignable(at("11:00")) == (["lead"], [])


# --- Group seats -------------------------------------------------------------------------------


def test_session_with_seats_left_keeps_its_start_and_reports_the_seats_left():
    availability = run(seats=group(3, {"10:00": 2}))

    assert offered(availability) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert availability.seats_left(at("10:00")) == 1
    assert availability.assignable(at("10:00")) == ([], ["host"])


def test_starts_without_a_session_have_the_whole_capacity_left():
    availability = run(seats=group(3, {"10:00": 2}))

    assert availability.seats_left(at("09:00")) == 3
    assert availability.seats_left(at("11:30")) == 3


def test_session_at_capacity_disappears():
    availability = run(seats=group(3, {"10:00": 3}))

    assert offered(availability) == ["09:00", "09:30", "10:30", "11:00", "11:30"]
    assert availability.seats_left(at("10:00")) == 0
    assert not availability.is_offered(at("10:00"))
    assert availability.assignable(at("10:00")) == ([], [])


def test_session_over_capacity_reports_no_seats_rather_than_a_negative_count():
    # The host lowered the capacity after four people booked.
    availability = run(seats=group(3, {"10:00": 4}))

    assert availability.seats_left(at("10:00")) == 0
    assert "10:00" not in offered(availability)


def test_capacity_one_session_is_full_after_one_booking():
    availability = run(seats=group(1, {"10:00": 1}))

    assert "10:00" not in offered(availability)
    assert availability.seats_left(at("10:00")) == 0


def test_session_blocks_the_overlapping_starts_but_not_its_own():
    rules = Rules(duration=30, interval=15)
    availability = run(rules=rules, seats=group(5, {"10:00": 1}))

    # 09:45 and 10:15 would overlap the 10:00-10:30 session; 09:30 and 10:30 only touch it.
    assert offered(availability) == [
        "09:00",
        "09:15",
        "09:30",
        "10:00",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
        "11:30",
    ]
    assert availability.seats_left(at("10:00")) == 4


def test_full_session_blocks_its_own_start_and_its_overlaps():
    rules = Rules(duration=30, interval=15)
    availability = run(rules=rules, seats=group(2, {"10:00": 2}))

    for hidden in ("09:45", "10:00", "10:15"):
        assert not availability.is_offered(at(hidden)), hidden
    assert availability.is_offered(at("09:30"))
    assert availability.is_offered(at("10:30"))


def test_session_buffers_keep_their_gap_to_neighbouring_starts():
    # 15 minutes after each meeting: the session holds 10:00-10:45, and a new start needs its own
    # 15 minutes after it free too, so 09:30 (09:30-10:15) runs into the session.
    rules = Rules(duration=30, interval=15, buffer_after=15)
    availability = run(rules=rules, seats=group(5, {"10:00": 1}, after=15))

    starts = offered(availability)
    assert [s for s in starts if s <= "11:00"] == ["09:00", "09:15", "10:00", "10:45", "11:00"]


def test_several_sessions_each_keep_their_own_seat_count():
    availability = run(seats=group(2, {"09:00": 1, "10:00": 2, "11:00": 1}))

    assert offered(availability) == ["09:00", "09:30", "10:30", "11:00", "11:30"]
    assert [availability.seats_left(at(s)) for s in ("09:00", "10:00", "11:00", "11:30")] == [
        1,
        0,
        1,
        2,
    ]


def test_host_busy_time_still_hides_a_session_start_with_seats_left():
    # The host took time off over a session that still has seats: nobody can join it.
    hosts = [HostBusy("host", busy=[span("09:50", "10:10")])]
    availability = run(hosts, seats=group(4, {"10:00": 1}))

    assert "10:00" not in offered(availability)
    assert availability.free_hosts(at("10:00")) == []
    assert availability.seats_left(at("10:00")) == 3


def test_session_starting_off_the_grid_blocks_every_start_it_overlaps():
    # A session at 10:10 (the interval was changed since): it is nobody's start on today's grid.
    availability = run(seats=group(5, {"10:10": 1}))

    assert offered(availability) == ["09:00", "09:30", "11:00", "11:30"]


def test_seats_left_is_none_on_a_link_without_seats():
    availability = run()

    assert availability.seats_left(at("10:00")) is None


def test_group_sessions_block_nothing_outside_their_own_range():
    with_sessions = run(seats=group(3, {"09:00": 1, "11:30": 3}))

    assert offered(with_sessions) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


# --- Merging windows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("windows", "merged"),
    [
        pytest.param([], [], id="no windows"),
        pytest.param([win("09:00", "12:00")], [win("09:00", "12:00")], id="one window"),
        pytest.param(
            [win("09:00", "12:00"), win("11:00", "15:00")], [win("09:00", "15:00")], id="overlap"
        ),
        pytest.param(
            [win("09:00", "12:00"), win("12:00", "17:00")], [win("09:00", "17:00")], id="touching"
        ),
        pytest.param(
            [win("09:00", "17:00"), win("10:00", "11:00")], [win("09:00", "17:00")], id="nested"
        ),
        pytest.param(
            [win("10:00", "11:00"), win("09:00", "17:00")],
            [win("09:00", "17:00")],
            id="nested listed first",
        ),
        pytest.param(
            [win("09:00", "12:00"), win("09:00", "12:00")], [win("09:00", "12:00")], id="duplicate"
        ),
        pytest.param(
            [win("14:00", "15:00"), win("09:00", "10:00")],
            [win("09:00", "10:00"), win("14:00", "15:00")],
            id="apart, listed backwards",
        ),
        pytest.param(
            [win("09:00", "10:00"), win("10:30", "11:30"), win("09:30", "10:45")],
            [win("09:00", "11:30")],
            id="chain joined by a third window",
        ),
        pytest.param(
            [win("09:00", "12:00"), win("12:05", "13:00")],
            [win("09:00", "12:00"), win("12:05", "13:00")],
            id="five minutes apart",
        ),
        pytest.param([win("10:00", "10:00")], [], id="empty window dropped"),
        pytest.param([win("11:00", "10:00")], [], id="backwards window dropped"),
        pytest.param(
            [win("09:00", "12:00"), win("12:00", "12:00")],
            [win("09:00", "12:00")],
            id="empty window at the end of another",
        ),
        pytest.param(
            [win("00:00", "12:00"), win("12:00", "24:00")],
            [win("00:00", "24:00")],
            id="whole day",
        ),
    ],
)
def test_merge_windows(windows: list[Window], merged: list[Window]):
    assert merge_windows(windows) == merged


def test_touching_windows_let_a_meeting_run_across_the_seam():
    schedule = tuesday(win("09:00", "12:00"), win("12:00", "17:00"))
    availability = run(schedule=schedule, rules=Rules(duration=60, interval=30))

    starts = offered(availability)
    assert "11:30" in starts
    assert starts == [f"{h:02d}:{m:02d}" for h in range(9, 16) for m in (0, 30)] + ["16:00"]


def test_windows_five_minutes_apart_stay_apart():
    schedule = tuesday(win("09:00", "12:00"), win("12:05", "14:05"))
    availability = run(schedule=schedule, rules=Rules(duration=60, interval=30))

    assert offered(availability) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "12:05",
        "12:35",
        "13:05",
    ]


def test_overlapping_windows_give_one_grid_from_the_earliest_start():
    schedule = tuesday(win("09:00", "11:00"), win("10:15", "12:00"))
    availability = run(schedule=schedule)

    # One stretch 09:00-12:00: 10:15 is not a start of its own, and no start appears twice.
    assert offered(availability) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_nested_window_adds_no_starts():
    schedule = tuesday(win("09:00", "12:00"), win("10:00", "10:30"), win("09:00", "12:00"))

    assert offered(run(schedule=schedule)) == offered(run())


def test_empty_windows_offer_nothing():
    schedule = tuesday(win("10:00", "10:00"), win("11:00", "10:00"))

    assert offered(run(schedule=schedule)) == []


# --- Empty busy ranges -------------------------------------------------------------------------


def test_zero_length_busy_range_blocks_nothing():
    everything = offered(run())
    points = [span(t, t) for t in ("09:00", "09:15", "10:00", "11:59", "12:00")]

    assert offered(run([HostBusy("host", busy=points)])) == everything


def test_zero_length_busy_range_blocks_nothing_even_with_buffers():
    rules = Rules(duration=30, buffer_before=15, buffer_after=15)
    points = [span("10:00", "10:00"), span("10:45", "10:45")]

    assert offered(run([HostBusy("host", busy=points)], rules=rules)) == offered(run(rules=rules))


def test_backwards_busy_range_blocks_nothing():
    availability = run([HostBusy("host", busy=[span("11:00", "10:00")])])

    assert offered(availability) == offered(run())


def test_one_second_busy_range_blocks_the_slot_it_falls_in_only():
    availability = run([HostBusy("host", busy=[(at("10:00"), at("10:00") + 1)])])

    # 09:30-10:00 ends as the busy second begins; 10:00-10:30 contains it.
    assert offered(availability) == ["09:00", "09:30", "10:30", "11:00", "11:30"]


def test_zero_length_busy_range_of_a_required_host_does_not_hide_team_slots():
    hosts = [HostBusy("lead", busy=[span("10:00", "10:00")], required=True), HostBusy("ann")]

    assert offered(run(hosts)) == offered(run())
    assert offered(run(hosts, mode=Mode.ALL)) == offered(run())


def test_zero_length_busy_range_does_not_cost_a_session_its_seat():
    hosts = [HostBusy("host", busy=[span("10:00", "10:00")])]
    availability = run(hosts, seats=group(3, {"10:00": 1}))

    assert availability.is_offered(at("10:00"))
    assert availability.seats_left(at("10:00")) == 2


# --- Hosts with their own schedules ------------------------------------------------------------


def test_a_host_with_their_own_hours_adds_starts_only_they_can_take():
    # Bob keeps his own schedule, in London (an hour behind Berlin): 13:00-14:00 there.
    bob_hours = Schedule("Europe/London", weekly={1: [win("13:00", "14:00")]})
    found = run([HostBusy("ann"), HostBusy("bob", schedule=bob_hours)])

    assert offered(found) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "14:00",
        "14:30",
    ]
    assert found.free_hosts(at("09:00")) == ["ann"]
    assert found.free_hosts(at("14:00")) == ["bob"]


def test_collective_hosts_on_different_schedules_meet_only_where_both_work():
    late = tuesday(win("11:00", "13:00"))
    found = run([HostBusy("ann"), HostBusy("bob", schedule=late)], mode=Mode.ALL)

    assert offered(found) == ["11:00", "11:30"]


def test_a_host_whose_schedule_is_the_links_costs_nothing_extra():
    same = run([HostBusy("ann", schedule=NINE_TO_NOON)])
    assert offered(same) == offered(run([HostBusy("ann")]))


def test_the_daily_cap_counts_the_starts_of_every_hosts_hours():
    late = tuesday(win("15:00", "16:00"))
    found = compute(
        NINE_TO_NOON,
        Rules(duration=30, daily_cap=1),
        [HostBusy("ann"), HostBusy("bob", schedule=late)],
        now=at("00:00") - 86_400,
        range_start=at("00:00"),
        range_end=at("00:00") + 86_400,
        booked_starts=[at("15:00")],
    )
    assert offered(found) == []
