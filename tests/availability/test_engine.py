"""The slot engine, example by example.

Pure unit tests: plain data in, slot starts out, no database and no clock. Every expected instant
is written by hand as a UTC datetime; the comment beside it gives the local wall-clock time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from availability.engine import (
    Availability,
    HostBusy,
    Mode,
    Rules,
    Schedule,
    Window,
    build_grid,
    compute,
    covers,
    from_epoch,
    local_midnight_epoch,
    local_to_epoch,
    to_epoch,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
LORD_HOWE = "Australia/Lord_Howe"
KOLKATA = "Asia/Kolkata"
KATHMANDU = "Asia/Kathmandu"
SANTIAGO = "America/Santiago"
AUCKLAND = "Pacific/Auckland"

EVERY_DAY = range(7)

# The test week: Monday 2026-11-23 to Sunday 2026-11-29; Berlin is on CET (UTC+1) throughout.
MON = date(2026, 11, 23)
TUE = date(2026, 11, 24)
WED = date(2026, 11, 25)
SAT = date(2026, 11, 28)
SUN = date(2026, 11, 29)
# Sunday noon before the week: far enough back for no notice to bite, near enough for the horizon.
BEFORE = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WEEK_START = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Mon 23 Nov 00:00 in Berlin
WEEK_END = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Mon 30 Nov 00:00 in Berlin


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def win(start: str, end: str) -> Window:
    return (hhmm(start), hhmm(end))


def run(
    schedule: Schedule,
    rules: Rules,
    hosts: Sequence[HostBusy] | None = None,
    *,
    now: datetime,
    start: datetime,
    end: datetime,
    mode: Mode = Mode.ANY,
    booked: Sequence[datetime] = (),
) -> Availability:
    return compute(
        schedule,
        rules,
        [HostBusy("host")] if hosts is None else hosts,
        now=to_epoch(now),
        range_start=to_epoch(start),
        range_end=to_epoch(end),
        mode=mode,
        booked_starts=[to_epoch(b) for b in booked],
    )


def offered(
    schedule: Schedule,
    rules: Rules,
    hosts: Sequence[HostBusy] | None = None,
    *,
    now: datetime = BEFORE,
    start: datetime = WEEK_START,
    end: datetime = WEEK_END,
    mode: Mode = Mode.ANY,
    booked: Sequence[datetime] = (),
) -> list[datetime]:
    availability = run(
        schedule, rules, hosts, now=now, start=start, end=end, mode=mode, booked=booked
    )
    return [from_epoch(s) for s in availability.offered_starts()]


def busy(*ranges: tuple[datetime, datetime]) -> list[tuple[int, int]]:
    return [(to_epoch(a), to_epoch(b)) for a, b in ranges]


def on_day(zone: str, day: date, *windows: Window) -> Schedule:
    """A schedule open only on ``day`` (through an override) in ``zone``."""
    return Schedule(zone, weekly={}, overrides={day: list(windows)})


def whole_day_utc(day: date) -> tuple[datetime, datetime]:
    """A UTC range that surely holds every slot of the local day ``day`` in any zone."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=15)
    return start, start + timedelta(hours=54)


def day_offered(schedule: Schedule, rules: Rules, day: date) -> list[datetime]:
    start, end = whole_day_utc(day)
    return offered(schedule, rules, now=start - timedelta(days=1), start=start, end=end)


def wall_labels(starts: Sequence[datetime], zone: str) -> list[str]:
    return [s.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") for s in starts]


# --- Weekly windows and overrides ---------------------------------------------------------------


def test_several_windows_on_one_weekday_are_all_offered():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "10:00"), win("14:00", "15:00")]})

    assert offered(schedule, Rules(duration=30)) == [
        utc(2026, 11, 23, 8, 0),  # 09:00 Berlin
        utc(2026, 11, 23, 8, 30),
        utc(2026, 11, 23, 13, 0),  # 14:00 Berlin
        utc(2026, 11, 23, 13, 30),
    ]


def test_windows_listed_out_of_order_come_out_in_time_order():
    schedule = Schedule(BERLIN, weekly={0: [win("16:00", "17:00"), win("09:00", "10:00")]})

    assert offered(schedule, Rules(duration=60)) == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 15, 0),
    ]


def test_weekdays_without_windows_offer_nothing():
    schedule = Schedule(BERLIN, weekly={1: [win("09:00", "10:00")], 3: [win("09:00", "10:00")]})

    assert offered(schedule, Rules(duration=60)) == [
        utc(2026, 11, 24, 8, 0),  # Tuesday
        utc(2026, 11, 26, 8, 0),  # Thursday
    ]


def test_schedule_without_any_window_offers_nothing():
    assert offered(Schedule(BERLIN, weekly={}), Rules(duration=30)) == []


def test_window_ending_at_midnight_offers_slots_up_to_midnight():
    schedule = Schedule(BERLIN, weekly={0: [win("22:00", "24:00")]})

    assert offered(schedule, Rules(duration=30)) == [
        utc(2026, 11, 23, 21, 0),  # 22:00 Berlin
        utc(2026, 11, 23, 21, 30),
        utc(2026, 11, 23, 22, 0),
        utc(2026, 11, 23, 22, 30),  # 23:30-24:00 Berlin
    ]


def test_date_override_replaces_that_days_weekly_windows():
    schedule = Schedule(
        BERLIN,
        weekly={0: [win("09:00", "17:00")], 1: [win("09:00", "10:00")]},
        overrides={MON: [win("12:00", "13:00")]},
    )

    assert offered(schedule, Rules(duration=60)) == [
        utc(2026, 11, 23, 11, 0),  # Monday: only the override's 12:00 Berlin
        utc(2026, 11, 24, 8, 0),  # Tuesday: its weekly window
    ]


def test_empty_override_is_a_day_off():
    schedule = Schedule(
        BERLIN,
        weekly={0: [win("09:00", "17:00")], 1: [win("09:00", "10:00")]},
        overrides={MON: []},
    )

    assert offered(schedule, Rules(duration=60)) == [utc(2026, 11, 24, 8, 0)]


def test_override_only_changes_its_own_date():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "10:00")]}, overrides={MON: []})

    two_weeks = offered(schedule, Rules(duration=60), end=utc(2026, 12, 6, 23, 0))

    assert two_weeks == [utc(2026, 11, 30, 8, 0)]  # the next Monday keeps its weekly window


def test_override_opens_a_day_without_weekly_windows():
    schedule = Schedule(
        BERLIN, weekly={0: [win("09:00", "10:00")]}, overrides={SAT: [win("10:00", "11:00")]}
    )

    assert offered(schedule, Rules(duration=60)) == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 28, 9, 0),  # Saturday 10:00 Berlin
    ]


def test_override_ending_at_midnight_meets_next_days_window_starting_at_midnight():
    schedule = Schedule(
        BERLIN,
        weekly={6: [win("10:00", "11:00")]},  # replaced by the Sunday override below
        overrides={SAT: [win("22:00", "24:00")], SUN: [win("00:00", "02:00")]},
    )

    assert offered(schedule, Rules(duration=60, interval=30)) == [
        utc(2026, 11, 28, 21, 0),  # Sat 22:00 Berlin
        utc(2026, 11, 28, 21, 30),  # Sat 22:30
        utc(2026, 11, 28, 22, 0),  # Sat 23:00, ends at midnight
        # Sat 23:30 would run past the end of Saturday's window: not offered.
        utc(2026, 11, 28, 23, 0),  # Sun 00:00
        utc(2026, 11, 28, 23, 30),  # Sun 00:30
        utc(2026, 11, 29, 0, 0),  # Sun 01:00, ends 02:00
    ]


def test_window_ending_at_a_midnight_that_does_not_exist_ends_at_the_first_valid_instant():
    # Santiago springs forward at 24:00 on Saturday 2026-09-05: Sunday starts at 01:00 (-03).
    schedule = Schedule(
        SANTIAGO,
        weekly={},
        overrides={
            date(2026, 9, 5): [win("22:00", "24:00")],
            date(2026, 9, 6): [win("00:00", "02:00")],
        },
    )

    assert offered(
        schedule,
        Rules(duration=60),
        now=utc(2026, 9, 1),
        start=utc(2026, 9, 5),
        end=utc(2026, 9, 7),
    ) == [
        utc(2026, 9, 6, 2, 0),  # Sat 22:00 -04
        utc(2026, 9, 6, 3, 0),  # Sat 23:00 -04, ends at Sun 01:00 -03
        utc(2026, 9, 6, 4, 0),  # Sun 01:00 -03, the day's first instant
    ]


# --- The grid -----------------------------------------------------------------------------------


def test_starts_step_from_the_window_start_not_from_the_hour():
    schedule = Schedule(BERLIN, weekly={0: [win("09:30", "12:00")]})

    assert offered(schedule, Rules(duration=60)) == [
        utc(2026, 11, 23, 8, 30),  # 09:30 Berlin, not 10:00
        utc(2026, 11, 23, 9, 30),  # 10:30
    ]


def test_interval_defaults_to_the_duration():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "12:00")]})
    rules = Rules(duration=45)

    assert rules.step == 45
    assert offered(schedule, rules) == [
        utc(2026, 11, 23, 8, 0),  # 09:00
        utc(2026, 11, 23, 8, 45),  # 09:45
        utc(2026, 11, 23, 9, 30),  # 10:30
        utc(2026, 11, 23, 10, 15),  # 11:15, ends 12:00
    ]


def test_interval_shorter_than_the_duration_gives_overlapping_starts():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "10:30")]})

    assert offered(schedule, Rules(duration=60, interval=15)) == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 8, 15),
        utc(2026, 11, 23, 8, 30),  # 09:30-10:30 Berlin
    ]


def test_interval_longer_than_the_duration_leaves_gaps():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "11:00")]})

    assert offered(schedule, Rules(duration=30, interval=60)) == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 9, 0),
    ]


def test_slot_must_end_within_its_window():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "10:45")]})

    assert offered(schedule, Rules(duration=30)) == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 8, 30),
        utc(2026, 11, 23, 9, 0),  # 10:00-10:30; 10:30-11:00 would pass 10:45
    ]


def test_window_shorter_than_the_duration_offers_nothing():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "09:45")]})

    assert offered(schedule, Rules(duration=60)) == []


def test_build_grid_lists_every_local_day_with_its_index_range():
    schedule = Schedule(BERLIN, weekly={0: [win("09:00", "10:00")], 2: [win("09:00", "11:00")]})

    grid = build_grid(schedule, Rules(duration=60), MON, WED)

    assert [from_epoch(s) for s in grid.starts] == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 25, 8, 0),
        utc(2026, 11, 25, 9, 0),
    ]
    assert grid.days == [(MON, 0, 1), (TUE, 1, 1), (WED, 1, 3)]


# --- Busy time and buffers ----------------------------------------------------------------------

MORNING = Schedule(BERLIN, weekly={0: [win("09:00", "13:00")]})  # 08:00-12:00 UTC on Monday


def morning_with(rules: Rules, *ranges: tuple[datetime, datetime]) -> list[datetime]:
    return offered(MORNING, rules, [HostBusy("host", busy(*ranges))])


def test_busy_range_blocks_only_the_slots_it_overlaps():
    got = morning_with(Rules(duration=30), (utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 10, 0)))

    assert got == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 8, 30),  # ends exactly when the busy range starts
        utc(2026, 11, 23, 10, 0),  # starts exactly when it ends
        utc(2026, 11, 23, 10, 30),
        utc(2026, 11, 23, 11, 0),
        utc(2026, 11, 23, 11, 30),
    ]


def test_short_busy_range_inside_a_slot_blocks_that_slot():
    got = morning_with(Rules(duration=30), (utc(2026, 11, 23, 9, 10), utc(2026, 11, 23, 9, 20)))

    assert utc(2026, 11, 23, 9, 0) not in got
    assert utc(2026, 11, 23, 8, 30) in got
    assert utc(2026, 11, 23, 9, 30) in got


def test_busy_range_covering_several_slots_blocks_them_all():
    got = morning_with(Rules(duration=60), (utc(2026, 11, 23, 7, 0), utc(2026, 11, 23, 10, 30)))

    assert got == [utc(2026, 11, 23, 11, 0)]


def test_buffer_before_keeps_a_gap_after_a_busy_range():
    rules = Rules(duration=30, interval=15, buffer_before=15)

    got = morning_with(rules, (utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 10, 0)))

    assert got == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 8, 15),
        utc(2026, 11, 23, 8, 30),  # ends 09:00 UTC; its before-buffer is away from the busy range
        utc(2026, 11, 23, 10, 15),  # before-buffer 10:00-10:15 touches the busy end
        utc(2026, 11, 23, 10, 30),
        utc(2026, 11, 23, 10, 45),
        utc(2026, 11, 23, 11, 0),
        utc(2026, 11, 23, 11, 15),
        utc(2026, 11, 23, 11, 30),
    ]


def test_buffer_after_keeps_a_gap_before_a_busy_range():
    rules = Rules(duration=30, interval=15, buffer_after=15)

    got = morning_with(rules, (utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 10, 0)))

    assert got == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 8, 15),  # 08:15-08:45 plus 15 minutes after: touches 09:00
        utc(2026, 11, 23, 10, 0),  # the after-buffer does not look backwards
        utc(2026, 11, 23, 10, 15),
        utc(2026, 11, 23, 10, 30),
        utc(2026, 11, 23, 10, 45),
        utc(2026, 11, 23, 11, 0),
        utc(2026, 11, 23, 11, 15),
        utc(2026, 11, 23, 11, 30),
    ]


def test_buffers_of_neighbouring_meetings_add_up():
    # An existing 09:00-09:30 UTC meeting held 10 minutes before and 20 after: busy 08:50-09:50.
    existing = (utc(2026, 11, 23, 8, 50), utc(2026, 11, 23, 9, 50))
    rules = Rules(duration=30, interval=5, buffer_before=15, buffer_after=15)

    got = morning_with(rules, existing)

    assert [s for s in got if s <= utc(2026, 11, 23, 10, 10)] == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 8, 5),  # ends 08:35; +15 after = 08:50, +10 of the meeting's = 09:00
        utc(2026, 11, 23, 10, 5),  # the meeting ended 09:30: 20 of its buffer + 15 of ours
        utc(2026, 11, 23, 10, 10),
    ]


def test_busy_range_outside_the_window_still_blocks_through_a_buffer():
    rules = Rules(duration=30, interval=15, buffer_before=15)

    got = morning_with(rules, (utc(2026, 11, 23, 7, 30), utc(2026, 11, 23, 8, 0)))

    assert got[:2] == [utc(2026, 11, 23, 8, 15), utc(2026, 11, 23, 8, 30)]


def test_every_busy_range_blocks_whatever_their_order():
    got = morning_with(
        Rules(duration=60),
        (utc(2026, 11, 23, 11, 0), utc(2026, 11, 23, 11, 30)),
        (utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 8, 1)),
    )

    assert got == [utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 10, 0)]


# --- Notice, horizon and the requested range ---------------------------------------------------

WORKDAY = Schedule(BERLIN, weekly={0: [win("09:00", "17:00")]})  # Monday 08:00-16:00 UTC
MONDAY_HOURS = [utc(2026, 11, 23, h) for h in range(8, 16)]


def test_min_notice_hides_slots_starting_sooner():
    got = offered(WORKDAY, Rules(duration=60, min_notice=120), now=utc(2026, 11, 23, 7, 10))

    assert got == MONDAY_HOURS[2:]  # 09:10 UTC is the earliest start: 10:00 UTC is first


def test_slot_starting_exactly_at_the_min_notice_is_offered():
    got = offered(WORKDAY, Rules(duration=60, min_notice=120), now=utc(2026, 11, 23, 7, 0))

    assert got[0] == utc(2026, 11, 23, 9, 0)


def test_min_notice_of_days_reaches_into_later_weeks():
    got = offered(
        WORKDAY,
        Rules(duration=60, min_notice=7 * 24 * 60),
        now=utc(2026, 11, 16, 12, 0),
        start=utc(2026, 11, 16),
        end=WEEK_END,
    )

    assert got == MONDAY_HOURS[4:]  # now + 7 days = Monday 12:00 UTC


def test_slots_already_under_way_are_not_offered_without_notice():
    assert offered(WORKDAY, Rules(duration=60), now=utc(2026, 11, 23, 9, 30)) == MONDAY_HOURS[2:]
    assert offered(WORKDAY, Rules(duration=60), now=utc(2026, 11, 23, 9, 0)) == MONDAY_HOURS[1:]


def test_only_starts_inside_the_requested_range_are_offered():
    got = offered(
        WORKDAY, Rules(duration=60), start=utc(2026, 11, 23, 9, 0), end=utc(2026, 11, 23, 12, 0)
    )

    assert got == [utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 10, 0), utc(2026, 11, 23, 11, 0)]


LATE_EVENINGS = Schedule(BERLIN, weekly={d: [win("22:00", "24:00")] for d in EVERY_DAY})


def test_max_days_ahead_includes_the_whole_last_day():
    got = offered(LATE_EVENINGS, Rules(duration=60, max_days_ahead=2), now=utc(2026, 11, 23, 7, 0))

    assert got == [
        utc(2026, 11, 23, 21, 0),  # today (Monday) 22:00 Berlin
        utc(2026, 11, 23, 22, 0),
        utc(2026, 11, 24, 21, 0),
        utc(2026, 11, 24, 22, 0),
        utc(2026, 11, 25, 21, 0),  # Wednesday, today + 2: the last day
        utc(2026, 11, 25, 22, 0),  # 23:00-24:00 on the last day still counts
    ]


def test_max_days_ahead_zero_offers_only_today():
    got = offered(WORKDAY, Rules(duration=60, max_days_ahead=0), now=utc(2026, 11, 23, 7, 0))

    assert got == MONDAY_HOURS


def test_max_days_ahead_counts_calendar_days_in_the_schedules_zone():
    # 12:00 UTC on Monday 23 is already 01:00 on Tuesday 24 in Auckland (NZDT, UTC+13).
    schedule = Schedule(AUCKLAND, weekly={d: [win("09:00", "10:00")] for d in EVERY_DAY})

    got = offered(
        schedule,
        Rules(duration=60, max_days_ahead=1),
        now=utc(2026, 11, 23, 12, 0),
        start=utc(2026, 11, 23, 12, 0),
        end=utc(2026, 11, 30),
    )

    assert got == [
        utc(2026, 11, 23, 20, 0),  # Tue 24 09:00 NZDT: today there
        utc(2026, 11, 24, 20, 0),  # Wed 25 09:00 NZDT: today + 1, the last day
    ]


def test_no_horizon_when_max_days_ahead_is_none():
    a_year_on = (utc(2027, 11, 21, 23, 0), utc(2027, 11, 22, 23, 0))  # Monday 2027-11-22 Berlin
    now = utc(2026, 11, 23, 7, 0)

    limited = offered(WORKDAY, Rules(duration=60), now=now, start=a_year_on[0], end=a_year_on[1])
    unlimited = offered(
        WORKDAY,
        Rules(duration=60, max_days_ahead=None),
        now=now,
        start=a_year_on[0],
        end=a_year_on[1],
    )

    assert limited == []
    assert unlimited == [utc(2027, 11, 22, h) for h in range(8, 16)]


def test_horizon_ends_at_local_midnight_on_a_dst_day():
    # Berlin springs forward on Sunday 2026-03-29: that evening is CEST (UTC+2).
    schedule = Schedule(BERLIN, weekly={6: [win("22:00", "24:00")], 0: [win("00:00", "02:00")]})

    got = offered(
        schedule,
        Rules(duration=60, max_days_ahead=1),
        now=utc(2026, 3, 28, 10, 0),
        start=utc(2026, 3, 28, 10, 0),
        end=utc(2026, 3, 31),
    )

    assert got == [
        utc(2026, 3, 29, 20, 0),  # Sun 22:00 CEST
        utc(2026, 3, 29, 21, 0),  # Sun 23:00 CEST; Monday 00:00 is past the horizon
    ]


# --- Caps ---------------------------------------------------------------------------------------

MORNINGS = Schedule(BERLIN, weekly={d: [win("09:00", "11:00")] for d in EVERY_DAY})
MON_TO_WED = {"start": WEEK_START, "end": utc(2026, 11, 25, 23, 0)}


def test_daily_cap_reached_closes_that_day_only():
    got = offered(
        MORNINGS, Rules(duration=60, daily_cap=1), booked=[utc(2026, 11, 24, 8, 0)], **MON_TO_WED
    )

    assert got == [
        utc(2026, 11, 23, 8, 0),
        utc(2026, 11, 23, 9, 0),
        utc(2026, 11, 25, 8, 0),  # Tuesday, at its cap, offers nothing
        utc(2026, 11, 25, 9, 0),
    ]


def test_daily_cap_not_yet_reached_still_offers_the_day():
    got = offered(
        MORNINGS, Rules(duration=60, daily_cap=2), booked=[utc(2026, 11, 24, 8, 0)], **MON_TO_WED
    )

    assert utc(2026, 11, 24, 9, 0) in got
    assert len(got) == 6


def test_daily_cap_counts_bookings_by_local_date():
    # 04:30 UTC on Wednesday is still Tuesday 23:30 in New York (EST, UTC-5).
    schedule = Schedule(NEW_YORK, weekly={d: [win("09:00", "10:00")] for d in EVERY_DAY})

    got = offered(
        schedule,
        Rules(duration=60, daily_cap=1),
        booked=[utc(2026, 11, 25, 4, 30)],
        start=utc(2026, 11, 24, 5, 0),  # Tue 00:00 EST
        end=utc(2026, 11, 26, 5, 0),  # Thu 00:00 EST
    )

    assert got == [utc(2026, 11, 25, 14, 0)]  # Wednesday 09:00 EST; Tuesday is full


def test_bookings_count_towards_every_cap_they_fall_in():
    got = offered(
        MORNINGS,
        Rules(duration=60, daily_cap=5, weekly_cap=1),
        booked=[utc(2026, 11, 24, 8, 0)],
        **MON_TO_WED,
    )

    assert got == []  # the day has room, the week does not


# Sunday 23:00-24:00 and Monday 00:00-01:00 in Berlin; both are Sunday in UTC.
WEEK_EDGE = Schedule(BERLIN, weekly={6: [win("23:00", "24:00")], 0: [win("00:00", "01:00")]})
WEEK_EDGE_RANGE = {"start": utc(2026, 11, 28, 23, 0), "end": utc(2026, 11, 30, 23, 0)}


def test_weekly_cap_booking_on_sunday_night_fills_the_week_ending_that_sunday():
    got = offered(
        WEEK_EDGE,
        Rules(duration=30, weekly_cap=1),
        booked=[utc(2026, 11, 29, 22, 30)],  # Sun 23:30 Berlin
        **WEEK_EDGE_RANGE,
    )

    assert got == [utc(2026, 11, 29, 23, 0), utc(2026, 11, 29, 23, 30)]  # Mon 00:00, 00:30


def test_weekly_cap_booking_at_monday_midnight_fills_the_week_starting_that_monday():
    got = offered(
        WEEK_EDGE,
        Rules(duration=30, weekly_cap=1),
        booked=[utc(2026, 11, 29, 23, 0)],  # Mon 00:00 Berlin, still Sunday in UTC
        **WEEK_EDGE_RANGE,
    )

    assert got == [utc(2026, 11, 29, 22, 0), utc(2026, 11, 29, 22, 30)]  # Sun 23:00, 23:30


def test_weekly_cap_follows_iso_weeks_across_new_year():
    # ISO week 2026-W01 runs Monday 2025-12-29 to Sunday 2026-01-04.
    got = offered(
        MORNINGS,
        Rules(duration=60, interval=120, weekly_cap=1),
        now=utc(2025, 12, 20),
        booked=[utc(2025, 12, 31, 8, 0)],
        start=utc(2025, 12, 27, 23, 0),  # Sun 2025-12-28 00:00 Berlin
        end=utc(2026, 1, 5, 23, 0),  # Tue 2026-01-06 00:00 Berlin
    )

    assert got == [utc(2025, 12, 28, 8, 0), utc(2026, 1, 5, 8, 0)]


# Monday 2026-11-30 23:00-24:00 and Tuesday 2026-12-01 00:00-01:00 in Berlin.
MONTH_EDGE = Schedule(BERLIN, weekly={0: [win("23:00", "24:00")], 1: [win("00:00", "01:00")]})
MONTH_EDGE_RANGE = {"start": utc(2026, 11, 29, 23, 0), "end": utc(2026, 12, 1, 23, 0)}


def test_monthly_cap_booking_late_on_the_last_day_fills_that_month():
    got = offered(
        MONTH_EDGE,
        Rules(duration=60, monthly_cap=1),
        booked=[utc(2026, 11, 30, 22, 30)],  # Mon 30 Nov 23:30 Berlin
        **MONTH_EDGE_RANGE,
    )

    assert got == [utc(2026, 11, 30, 23, 0)]  # Tue 1 Dec 00:00 Berlin


def test_monthly_cap_booking_just_after_midnight_fills_the_next_month():
    got = offered(
        MONTH_EDGE,
        Rules(duration=60, monthly_cap=1),
        booked=[utc(2026, 11, 30, 23, 30)],  # Tue 1 Dec 00:30 Berlin, still November in UTC
        **MONTH_EDGE_RANGE,
    )

    assert got == [utc(2026, 11, 30, 22, 0)]  # Mon 30 Nov 23:00 Berlin


def test_monthly_cap_ignores_the_same_month_of_another_year():
    got = offered(
        MORNINGS,
        Rules(duration=60, interval=120, monthly_cap=1),
        booked=[utc(2025, 11, 24, 8, 0), utc(2026, 10, 24, 7, 0), utc(2026, 12, 1, 8, 0)],
        **MON_TO_WED,
    )

    assert got == [utc(2026, 11, 23, 8, 0), utc(2026, 11, 24, 8, 0), utc(2026, 11, 25, 8, 0)]


def test_month_at_its_cap_offers_nothing_to_any_host():
    availability = run(
        MORNINGS,
        Rules(duration=60, monthly_cap=2),
        [HostBusy("alice"), HostBusy("bob")],
        now=BEFORE,
        start=WEEK_START,
        end=WEEK_END,
        booked=[utc(2026, 11, 2, 8, 0), utc(2026, 11, 30, 8, 0)],
    )

    assert availability.offered_starts() == []
    assert availability.free_hosts(to_epoch(utc(2026, 11, 23, 8, 0))) == []


def test_daily_cap_uses_the_local_date_on_a_dst_day():
    # 23:30 UTC on 2026-10-24 is 01:30 CEST on Sunday 25, the day Berlin falls back.
    schedule = Schedule(BERLIN, weekly={d: [win("09:00", "10:00")] for d in EVERY_DAY})

    got = offered(
        schedule,
        Rules(duration=60, daily_cap=1),
        now=utc(2026, 10, 20),
        booked=[utc(2026, 10, 24, 23, 30)],
        start=utc(2026, 10, 23, 22, 0),  # Sat 24 00:00 CEST
        end=utc(2026, 10, 25, 23, 0),  # Mon 26 00:00 CET
    )

    assert got == [utc(2026, 10, 24, 7, 0)]  # Saturday 09:00 CEST; Sunday is full


# --- Hosts --------------------------------------------------------------------------------------

TEAM_MORNING = Schedule(BERLIN, weekly={0: [win("09:00", "12:00")]})  # 08:00, 09:00, 10:00 UTC
ALICE = HostBusy("alice", busy((utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 9, 0))))
BOB = HostBusy("bob", busy((utc(2026, 11, 23, 10, 0), utc(2026, 11, 23, 11, 0))))
CAROL = HostBusy("carol", busy((utc(2026, 11, 23, 7, 0), utc(2026, 11, 23, 12, 0))))


def test_any_mode_offers_a_slot_when_one_host_is_free_and_lists_who_is():
    availability = run(
        TEAM_MORNING, Rules(duration=60), [ALICE, BOB], now=BEFORE, start=WEEK_START, end=WEEK_END
    )

    starts = [from_epoch(s) for s in availability.offered_starts()]
    assert starts == [utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 10, 0)]
    assert [availability.free_hosts(to_epoch(s)) for s in starts] == [
        ["bob"],
        ["alice", "bob"],
        ["alice"],
    ]


def test_any_mode_still_offers_when_one_host_is_busy_all_day():
    got = offered(TEAM_MORNING, Rules(duration=60), [CAROL, BOB])

    assert got == [utc(2026, 11, 23, 8, 0), utc(2026, 11, 23, 9, 0)]


def test_all_mode_needs_every_host_free():
    got = offered(TEAM_MORNING, Rules(duration=60), [ALICE, BOB], mode=Mode.ALL)

    assert got == [utc(2026, 11, 23, 9, 0)]


def test_all_mode_with_a_host_busy_all_day_offers_nothing():
    assert offered(TEAM_MORNING, Rules(duration=60), [ALICE, BOB, CAROL], mode=Mode.ALL) == []


def test_all_mode_free_hosts_still_names_the_free_subset():
    availability = run(
        TEAM_MORNING,
        Rules(duration=60),
        [ALICE, BOB],
        now=BEFORE,
        start=WEEK_START,
        end=WEEK_END,
        mode=Mode.ALL,
    )

    eight = to_epoch(utc(2026, 11, 23, 8, 0))
    assert not availability.is_offered(eight)
    assert availability.free_hosts(eight) == ["bob"]
    assert availability.free_hosts(to_epoch(utc(2026, 11, 23, 9, 0))) == ["alice", "bob"]


def test_no_hosts_offers_nothing():
    assert offered(TEAM_MORNING, Rules(duration=60), []) == []
    assert offered(TEAM_MORNING, Rules(duration=60), [], mode=Mode.ALL) == []


def test_is_offered_accepts_offered_starts_only():
    availability = run(
        TEAM_MORNING, Rules(duration=60), [ALICE], now=BEFORE, start=WEEK_START, end=WEEK_END
    )

    assert availability.is_offered(to_epoch(utc(2026, 11, 23, 9, 0)))
    assert availability.is_offered(to_epoch(utc(2026, 11, 23, 10, 0)))
    assert not availability.is_offered(to_epoch(utc(2026, 11, 23, 8, 0)))  # alice is busy
    assert not availability.is_offered(to_epoch(utc(2026, 11, 23, 9, 30)))  # off the grid
    assert not availability.is_offered(to_epoch(utc(2026, 11, 23, 9, 0)) + 1)
    assert not availability.is_offered(to_epoch(utc(2026, 11, 23, 11, 0)))  # past the window
    assert not availability.is_offered(to_epoch(utc(2030, 1, 1)))  # past every start


def test_free_hosts_is_empty_off_the_grid_and_outside_the_allowed_span():
    availability = run(
        TEAM_MORNING,
        Rules(duration=60),
        [ALICE, BOB],
        now=utc(2026, 11, 23, 8, 30),
        start=WEEK_START,
        end=WEEK_END,
    )

    assert availability.free_hosts(to_epoch(utc(2026, 11, 23, 9, 30))) == []  # off the grid
    assert availability.free_hosts(to_epoch(utc(2026, 11, 23, 8, 0))) == []  # already past
    assert availability.free_hosts(to_epoch(utc(2026, 11, 23, 9, 0))) == ["alice", "bob"]


def test_hosts_may_be_any_hashable_identity():
    got = run(
        TEAM_MORNING,
        Rules(duration=60),
        [HostBusy(7), HostBusy(("team", 3))],
        now=BEFORE,
        start=WEEK_START,
        end=WEEK_END,
    )

    assert got.free_hosts(to_epoch(utc(2026, 11, 23, 8, 0))) == [7, ("team", 3)]


# --- Daylight saving time and odd offsets -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "first", "last_end"),
    [
        (date(2026, 3, 7), utc(2026, 3, 7, 18, 0), utc(2026, 3, 7, 23, 0)),  # EST
        (date(2026, 3, 8), utc(2026, 3, 8, 17, 0), utc(2026, 3, 8, 22, 0)),  # EDT from 03:00
        (date(2024, 11, 2), utc(2024, 11, 2, 17, 0), utc(2024, 11, 2, 22, 0)),  # EDT
        (date(2024, 11, 3), utc(2024, 11, 3, 18, 0), utc(2024, 11, 3, 23, 0)),  # EST from 01:00
    ],
)
def test_new_york_afternoon_window_follows_the_offset_of_its_day(day, first, last_end):
    schedule = on_day(NEW_YORK, day, win("13:00", "18:00"))

    got = day_offered(schedule, Rules(duration=60), day)

    assert got == [first + timedelta(hours=h) for h in range(5)]
    assert got[-1] + timedelta(hours=1) == last_end


def test_berlin_spring_forward_skips_the_missing_hour():
    schedule = on_day(BERLIN, date(2026, 3, 29), win("01:00", "04:00"))

    assert day_offered(schedule, Rules(duration=30), date(2026, 3, 29)) == [
        utc(2026, 3, 29, 0, 0),  # 01:00 CET
        utc(2026, 3, 29, 0, 30),  # 01:30 CET
        utc(2026, 3, 29, 1, 0),  # 03:00 CEST (02:00 and 02:30 do not exist)
        utc(2026, 3, 29, 1, 30),  # 03:30 CEST, ends 04:00 CEST
    ]


def test_berlin_fall_back_offers_the_repeated_hour_once():
    schedule = on_day(BERLIN, date(2026, 10, 25), win("01:00", "04:00"))

    got = day_offered(schedule, Rules(duration=30), date(2026, 10, 25))

    assert got == [
        utc(2026, 10, 24, 23, 0),  # 01:00 CEST
        utc(2026, 10, 24, 23, 30),  # 01:30 CEST
        utc(2026, 10, 25, 0, 0),  # 02:00 CEST, the first 02:00
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST
        # 02:00 and 02:30 CET (01:00 and 01:30 UTC) repeat those labels: not offered.
        utc(2026, 10, 25, 2, 0),  # 03:00 CET
        utc(2026, 10, 25, 2, 30),  # 03:30 CET, ends 04:00 CET
    ]


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2026, 3, 28), utc(2026, 3, 28, 8, 0)),  # Saturday, CET
        (date(2026, 3, 29), utc(2026, 3, 29, 7, 0)),  # Sunday, CEST
        (date(2026, 10, 24), utc(2026, 10, 24, 7, 0)),  # Saturday, CEST
        (date(2026, 10, 25), utc(2026, 10, 25, 8, 0)),  # Sunday, CET
    ],
)
def test_berlin_office_hours_follow_the_offset_of_their_day(day, first):
    schedule = on_day(BERLIN, day, win("09:00", "17:00"))

    got = day_offered(schedule, Rules(duration=60), day)

    assert got == [first + timedelta(hours=h) for h in range(8)]


def test_lord_howe_spring_forward_skips_the_missing_half_hour():
    # 2026-10-04 02:00 LHST (+10:30) becomes 02:30 LHDT (+11).
    schedule = on_day(LORD_HOWE, date(2026, 10, 4), win("01:00", "04:00"))

    assert day_offered(schedule, Rules(duration=30), date(2026, 10, 4)) == [
        utc(2026, 10, 3, 14, 30),  # 01:00 LHST
        utc(2026, 10, 3, 15, 0),  # 01:30 LHST, ends 02:30 LHDT
        utc(2026, 10, 3, 15, 30),  # 02:30 LHDT (02:00 does not exist)
        utc(2026, 10, 3, 16, 0),  # 03:00 LHDT
        utc(2026, 10, 3, 16, 30),  # 03:30 LHDT, ends 04:00
    ]


def test_lord_howe_fall_back_offers_the_repeated_half_hour_once():
    # 2026-04-05 02:00 LHDT (+11) becomes 01:30 LHST (+10:30): 01:30-02:00 happens twice.
    schedule = on_day(LORD_HOWE, date(2026, 4, 5), win("01:00", "03:00"))

    got = day_offered(schedule, Rules(duration=30), date(2026, 4, 5))

    assert got == [
        utc(2026, 4, 4, 14, 0),  # 01:00 LHDT
        utc(2026, 4, 4, 14, 30),  # 01:30 LHDT, the first 01:30
        # 15:00 UTC is 01:30 again (LHST): not offered.
        utc(2026, 4, 4, 15, 30),  # 02:00 LHST
        utc(2026, 4, 4, 16, 0),  # 02:30 LHST, ends 03:00
    ]


def test_lord_howe_hourly_grid_drops_the_label_inside_the_skipped_half_hour():
    # Hourly from 00:00 LHST: 02:00 does not exist, and the slot is not moved to 02:30.
    schedule = on_day(LORD_HOWE, date(2026, 10, 4), win("00:00", "05:00"))

    assert day_offered(schedule, Rules(duration=60), date(2026, 10, 4)) == [
        utc(2026, 10, 3, 13, 30),  # 00:00 LHST
        utc(2026, 10, 3, 14, 30),  # 01:00 LHST, ends 02:30 LHDT
        utc(2026, 10, 3, 16, 0),  # 03:00 LHDT
        utc(2026, 10, 3, 17, 0),  # 04:00 LHDT, ends 05:00
    ]


@pytest.mark.parametrize(
    ("zone", "day", "window", "duration", "expected"),
    [
        (
            NEW_YORK,
            date(2026, 3, 8),
            win("02:30", "05:00"),
            60,
            [utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 8, 0)],  # 03:00 and 04:00 EDT
        ),
        (BERLIN, date(2026, 3, 29), win("02:00", "04:00"), 60, [utc(2026, 3, 29, 1, 0)]),
        (
            LORD_HOWE,
            date(2026, 10, 4),
            win("02:10", "03:30"),
            30,
            [utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16, 0)],  # 02:30 and 03:00 LHDT
        ),
    ],
)
def test_window_starting_in_a_skipped_hour_starts_at_the_first_valid_instant(
    zone, day, window, duration, expected
):
    schedule = on_day(zone, day, window)

    assert day_offered(schedule, Rules(duration=duration), day) == expected


def test_window_ending_in_a_skipped_hour_ends_at_the_first_valid_instant():
    # 02:30 on 2026-03-08 does not exist in New York; the window ends at 03:00 EDT = 07:00 UTC.
    schedule = on_day(NEW_YORK, date(2026, 3, 8), win("00:00", "02:30"))

    assert day_offered(schedule, Rules(duration=60), date(2026, 3, 8)) == [
        utc(2026, 3, 8, 5, 0),  # 00:00 EST
        utc(2026, 3, 8, 6, 0),  # 01:00 EST, ends 03:00 EDT
    ]


def test_window_in_a_repeated_hour_is_offered_once():
    schedule = on_day(NEW_YORK, date(2024, 11, 3), win("01:00", "02:00"))

    availability = run(
        schedule,
        Rules(duration=30),
        now=utc(2024, 11, 1),
        start=utc(2024, 11, 3),
        end=utc(2024, 11, 4),
    )

    starts = [from_epoch(s) for s in availability.offered_starts()]
    assert starts == [utc(2024, 11, 3, 5, 0), utc(2024, 11, 3, 5, 30)]  # 01:00, 01:30 EDT
    assert not availability.is_offered(to_epoch(utc(2024, 11, 3, 6, 0)))  # 01:00 EST
    assert not availability.is_offered(to_epoch(utc(2024, 11, 3, 6, 30)))  # 01:30 EST


def test_window_ending_in_a_repeated_hour_ends_at_its_first_occurrence():
    schedule = on_day(NEW_YORK, date(2024, 11, 3), win("00:00", "01:30"))

    assert day_offered(schedule, Rules(duration=30), date(2024, 11, 3)) == [
        utc(2024, 11, 3, 4, 0),  # 00:00 EDT
        utc(2024, 11, 3, 4, 30),
        utc(2024, 11, 3, 5, 0),  # 01:00 EDT, ends at the first 01:30
    ]


@pytest.mark.parametrize(
    ("zone", "day", "step", "count", "first", "last"),
    [
        (NEW_YORK, date(2026, 3, 8), 60, 23, utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 3, 0)),
        (NEW_YORK, date(2026, 3, 8), 30, 46, utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 3, 30)),
        (NEW_YORK, date(2024, 11, 3), 60, 24, utc(2024, 11, 3, 4, 0), utc(2024, 11, 4, 4, 0)),
        (NEW_YORK, date(2024, 11, 3), 30, 48, utc(2024, 11, 3, 4, 0), utc(2024, 11, 4, 4, 30)),
        (BERLIN, date(2026, 3, 29), 60, 23, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 21, 0)),
        (BERLIN, date(2026, 10, 25), 60, 24, utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 22, 0)),
        (LORD_HOWE, date(2026, 10, 4), 30, 47, utc(2026, 10, 3, 13, 30), utc(2026, 10, 4, 12, 30)),
        (LORD_HOWE, date(2026, 4, 5), 30, 48, utc(2026, 4, 4, 13, 0), utc(2026, 4, 5, 13, 0)),
    ],
)
def test_full_day_window_on_a_short_or_long_day_offers_each_wall_clock_slot_once(
    zone, day, step, count, first, last
):
    schedule = on_day(zone, day, win("00:00", "24:00"))

    got = day_offered(schedule, Rules(duration=step), day)

    assert len(got) == count
    assert (got[0], got[-1]) == (first, last)
    labels = wall_labels(got, zone)
    assert len(set(labels)) == len(labels)
    assert all(label.startswith(day.isoformat()) for label in labels)
    assert got == sorted(got)


def test_full_day_windows_on_a_23_hour_day_meet_the_neighbouring_days():
    schedule = Schedule(NEW_YORK, weekly={d: [win("00:00", "24:00")] for d in EVERY_DAY})

    got = offered(
        schedule,
        Rules(duration=60, max_days_ahead=None),
        now=utc(2026, 3, 1),
        start=utc(2026, 3, 8, 3, 0),  # Sat 22:00 EST
        end=utc(2026, 3, 8, 9, 0),  # Sun 05:00 EDT
    )

    assert got == [
        utc(2026, 3, 8, 3, 0),  # Sat 22:00 EST
        utc(2026, 3, 8, 4, 0),  # Sat 23:00 EST
        utc(2026, 3, 8, 5, 0),  # Sun 00:00 EST
        utc(2026, 3, 8, 6, 0),  # Sun 01:00 EST
        utc(2026, 3, 8, 7, 0),  # Sun 03:00 EDT
        utc(2026, 3, 8, 8, 0),  # Sun 04:00 EDT
    ]


def test_half_hour_zone_kolkata():
    schedule = Schedule(KOLKATA, weekly={0: [win("09:00", "12:00")]})

    assert offered(schedule, Rules(duration=60)) == [
        utc(2026, 11, 23, 3, 30),  # 09:00 IST (UTC+5:30)
        utc(2026, 11, 23, 4, 30),
        utc(2026, 11, 23, 5, 30),
    ]


def test_forty_five_minute_zone_kathmandu():
    schedule = Schedule(KATHMANDU, weekly={0: [win("09:00", "11:00"), win("13:00", "14:30")]})

    assert offered(schedule, Rules(duration=45, interval=30)) == [
        utc(2026, 11, 23, 3, 15),  # 09:00 NPT (UTC+5:45)
        utc(2026, 11, 23, 3, 45),  # 09:30
        utc(2026, 11, 23, 4, 15),  # 10:00, ends 10:45
        utc(2026, 11, 23, 7, 15),  # 13:00
        utc(2026, 11, 23, 7, 45),  # 13:30, ends 14:15
    ]


def test_kathmandu_days_start_at_local_midnight_for_the_horizon_and_caps():
    schedule = Schedule(KATHMANDU, weekly={d: [win("00:00", "01:00")] for d in EVERY_DAY})

    got = offered(
        schedule,
        Rules(duration=60, max_days_ahead=1, daily_cap=1),
        now=utc(2026, 11, 22, 18, 15),  # Mon 23 00:00 NPT
        booked=[utc(2026, 11, 23, 18, 14)],  # Mon 23 23:59 NPT
        start=utc(2026, 11, 22, 18, 15),
        end=utc(2026, 11, 30),
    )

    assert got == [utc(2026, 11, 23, 18, 15)]  # Tue 24 00:00 NPT; Monday is full, Wed too far


# --- Conversions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        (NEW_YORK, datetime(2024, 11, 3, 1, 30), utc(2024, 11, 3, 5, 30)),  # first (EDT) 01:30
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 0)),  # gap: 03:00 EDT
        (BERLIN, datetime(2026, 3, 29, 2, 59), utc(2026, 3, 29, 1, 0)),  # gap: 03:00 CEST
        (LORD_HOWE, datetime(2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 30)),  # gap: 02:30 LHDT
        (LORD_HOWE, datetime(2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45)),  # first (LHDT) 01:45
        (KATHMANDU, datetime(2026, 11, 23, 9, 0), utc(2026, 11, 23, 3, 15)),
    ],
)
def test_local_to_epoch_reads_wall_clock_times(zone, wall, expected):
    assert from_epoch(local_to_epoch(wall, ZoneInfo(zone))) == expected


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (KOLKATA, date(2026, 11, 23), utc(2026, 11, 22, 18, 30)),
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 28, 23, 0)),
        (SANTIAGO, date(2026, 9, 6), utc(2026, 9, 6, 4, 0)),  # midnight skipped: 01:00 -03
    ],
)
def test_local_midnight_epoch_is_the_first_instant_of_the_local_day(zone, day, expected):
    assert from_epoch(local_midnight_epoch(day, ZoneInfo(zone))) == expected


def test_epoch_conversions_round_trip_as_utc():
    moment = utc(2026, 11, 23, 8, 15)

    assert to_epoch(moment) == 1795421700
    assert from_epoch(1795421700) == moment
    assert from_epoch(1795421700).tzinfo is UTC
    assert to_epoch(moment.astimezone(ZoneInfo(KATHMANDU))) == 1795421700


# --- Whether the hours hold a meeting -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "held"),
    [
        (utc(2026, 11, 23, 8), utc(2026, 11, 23, 9), True),  # Mon 09:00-10:00 Berlin
        (utc(2026, 11, 23, 15, 30), utc(2026, 11, 23, 16, 30), False),  # runs past 17:00
        (utc(2026, 11, 23, 10, 30), utc(2026, 11, 23, 11, 30), True),  # across touching windows
        (utc(2026, 11, 24, 22, 30), utc(2026, 11, 24, 23, 30), True),  # across midnight
        (utc(2026, 11, 25, 22, 30), utc(2026, 11, 25, 23, 30), False),  # Thursday is closed
        (utc(2026, 11, 27, 8), utc(2026, 11, 27, 9), False),  # Friday's override: a day off
    ],
)
def test_covers_says_whether_a_meeting_lies_inside_one_stretch_of_hours(start, end, held):
    schedule = Schedule(
        timezone=BERLIN,
        weekly={
            0: [(hhmm("09:00"), hhmm("12:00")), (hhmm("12:00"), hhmm("17:00"))],
            1: [(hhmm("22:00"), hhmm("24:00"))],
            2: [(hhmm("00:00"), hhmm("01:00")), (hhmm("23:00"), hhmm("24:00"))],
            4: [(hhmm("09:00"), hhmm("17:00"))],
        },
        overrides={date(2026, 11, 27): []},
    )
    assert covers(schedule, to_epoch(start), to_epoch(end)) is held
