"""Benchmark scenarios 1-3: the pure slot engine on fixed, seeded inputs, and the timer."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from availability import engine

START_DAY = date(2026, 12, 1)


def _epoch(day: date, hour: int, minute: int, zone: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp())


def one_host_scenario() -> Callable[[], Any]:
    """One host, 60 days, 30-minute meetings on a 15-minute grid, 2,000 busy intervals."""
    rng = random.Random(1)
    zone = ZoneInfo("Europe/Berlin")
    schedule = engine.Schedule("Europe/Berlin", {d: [(9 * 60, 17 * 60)] for d in range(7)})
    rules = engine.Rules(duration=30, interval=15, max_days_ahead=None)
    first = _epoch(START_DAY, 0, 0, zone)
    span = 60 * 86400
    busy = sorted(
        (s, s + rng.choice((900, 1800, 3600)))
        for s in (first + rng.randrange(0, span, 300) for _ in range(2000))
    )
    hosts = [engine.HostBusy(host=1, busy=busy)]
    now = first - 86400
    return lambda: engine.compute(
        schedule, rules, hosts, now=now, range_start=first, range_end=first + span
    ).offered_starts()


def round_robin_scenario(host_count: int) -> Callable[[], Any]:
    """A round-robin month, Mon-Fri 09:00-17:00 New York, three random busy blocks per host/day."""
    rng = random.Random(host_count)
    zone = ZoneInfo("America/New_York")
    schedule = engine.Schedule("America/New_York", {d: [(9 * 60, 17 * 60)] for d in range(5)})
    rules = engine.Rules(duration=30, interval=15, max_days_ahead=None)
    days = [START_DAY + timedelta(days=i) for i in range(31)]
    hosts = []
    for h in range(host_count):
        busy = []
        for day in days:
            if day.weekday() < 5:
                for _ in range(3):
                    start = _epoch(day, 9, 0, zone) + rng.randrange(0, 8 * 3600, 900)
                    busy.append((start, start + rng.choice((1800, 3600))))
        hosts.append(engine.HostBusy(host=h, busy=busy))
    first = _epoch(days[0], 0, 0, zone)
    last = _epoch(days[-1] + timedelta(days=1), 0, 0, zone)
    now = first - 86400
    return lambda: engine.compute(
        schedule, rules, hosts, now=now, range_start=first, range_end=last
    ).offered_starts()


SCENARIOS: list[tuple[str, str, Callable[[], Callable[[], Any]]]] = [
    (
        "1",
        "one host, 60 days, 15-min grid, 2,000 busy intervals (target < 3 ms)",
        one_host_scenario,
    ),
    (
        "2",
        "round-robin, 50 hosts, one month, 3 busy blocks/host/day (target < 15 ms)",
        lambda: round_robin_scenario(50),
    ),
    (
        "3",
        "round-robin, 500 hosts, one month, 3 busy blocks/host/day (target < 150 ms)",
        lambda: round_robin_scenario(500),
    ),
]


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    run()  # warm up caches (zoneinfo, bytecode)
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def paired_medians(
    first: Callable[[], Any], second: Callable[[], Any], repeat: int
) -> tuple[float, float]:
    """Median ms of each, timed alternately so a noisy machine slows both alike."""
    first(), second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for run, samples in ((first, a), (second, b)):
            began = time.perf_counter()
            run()
            samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(a), statistics.median(b)
