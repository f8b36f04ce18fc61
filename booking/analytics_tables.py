"""The figures of the Analytics tab as tables: the same rows make the page's data tables (what a
screen reader reads beside each chart) and the chart's CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from booking import analytics
from booking.periods import Period
from workestra.models import Membership, User

Cell = str | int


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]


class Report:
    """Every figure of one period for one viewer, each queried only when first read."""

    def __init__(self, membership: Membership, user: User, period: Period, now: datetime):
        self.membership, self.user, self.period, self.now = membership, user, period, now
        self.bookings = analytics.analytics_bookings(membership, user)

    @cached_property
    def over_time(self) -> analytics.OverTime:
        return analytics.over_time(self.bookings, self.period)

    @cached_property
    def round_robin(self) -> list[analytics.Distribution]:
        return analytics.round_robin(self.membership, self.user, self.period)

    @cached_property
    def heatmap(self) -> analytics.Heatmap:
        return analytics.days_and_hours(self.bookings, self.period)

    @cached_property
    def lead_time(self) -> analytics.LeadTime:
        return analytics.lead_time(self.bookings, self.period)

    @cached_property
    def rates(self) -> list[analytics.Rate]:
        return analytics.rates(self.bookings, self.period, self.now)


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _over_time(report: Report) -> Table:
    figures = report.over_time
    rows = [
        (b.first.isoformat(), b.label, n)
        for b, n in zip(figures.buckets, figures.total.counts, strict=True)
    ]
    return Table(("From", "Period", "Bookings"), rows)


def _series_table(what: str, series: list[analytics.Series], report: Report) -> Table:
    buckets = report.over_time.buckets
    rows = [
        (b.first.isoformat(), s.label, n)
        for s in series
        for b, n in zip(buckets, s.counts, strict=True)
    ]
    return Table(("From", what, "Bookings"), rows)


def _by_link(report: Report) -> Table:
    return _series_table("Link", report.over_time.by_link, report)


def _by_host(report: Report) -> Table:
    return _series_table("Host", report.over_time.by_host, report)


def _round_robin(report: Report) -> Table:
    rows = [
        (
            dist.link.title,
            s.name,
            s.bookings,
            percent(100 * s.share),
            "" if s.weight is None else s.weight,
            percent(None if s.target is None else 100 * s.target),
        )
        for dist in report.round_robin
        for s in dist.shares
    ]
    header = ("Link", "Host", "Bookings", "Share (%)", "Weight", "Target share (%)")
    return Table(header, rows)


def _days_and_hours(report: Report) -> Table:
    grid = report.heatmap.grid
    rows: list[list[Cell]] = [
        [f"{hour:02d}:00", *(grid[day][hour] for day in range(7))] for hour in range(24)
    ]
    return Table(("Hour", *analytics.WEEKDAYS), rows)


def _lead_time(report: Report) -> Table:
    return Table(("Booked ahead", "Bookings"), report.lead_time.counts)


def _rates(report: Report) -> Table:
    rows = [(r.label, r.count, r.of, percent(r.percent)) for r in report.rates]
    return Table(("Measure", "Count", "Out of", "Rate (%)"), rows)


TABLES: dict[str, Callable[[Report], Table]] = {
    "bookings-over-time": _over_time,
    "bookings-by-link": _by_link,
    "bookings-by-host": _by_host,
    "round-robin": _round_robin,
    "days-and-hours": _days_and_hours,
    "lead-time": _lead_time,
    "rates": _rates,
}

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows([safe_cell(cell) for cell in row] for row in table.rows)
    return out.getvalue()
