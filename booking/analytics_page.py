"""The sections of the Analytics page: each a heading, a line that says what it shows, its SVG
chart(s), its figures as a table and the name of its CSV."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from booking import analytics, charts
from booking.analytics_tables import TABLES, Report, Table


@dataclass
class Section:
    key: str  # the CSV's name: /calendar/analytics/<key>.csv
    title: str
    summary: str
    charts: list[tuple[str, SafeString]] = field(default_factory=list)  # (subheading, svg)
    empty: str = ""  # said instead of the charts when there is nothing to show

    table: Table | None = None


def sections(report: Report) -> list[Section]:
    out = [
        _over_time(report),
        _series(report, "bookings-by-link", "Bookings by link", report.over_time.by_link),
        _series(report, "bookings-by-host", "Bookings by host", report.over_time.by_host),
        _round_robin(report),
        _days_and_hours(report),
        _lead_time(report),
        _rates(report),
    ]
    for section in out:
        section.table = TABLES[section.key](report)
    return out


def _over_time(report: Report) -> Section:
    figures = report.over_time
    unit = "week" if figures.weekly else "day"
    total = figures.total.total
    summary = f"{total} booked meeting{'s' if total != 1 else ''} in the period, by {unit}."
    svg = charts.columns(
        "over-time",
        title=f"Bookings per {unit}",
        desc=f"{summary} The busiest {unit} had {max(figures.total.counts, default=0)}.",
        labels=[b.short for b in figures.buckets],
        values=figures.total.counts,
    )
    return Section("bookings-over-time", "Bookings over time", summary, [("", svg)])


def _series(report: Report, key: str, title: str, series: list[analytics.Series]) -> Section:
    figures = report.over_time
    unit = "week" if figures.weekly else "day"
    if not series:
        return Section(key, title, "", empty="No bookings in this period.")
    summary = f"Each strip is one {unit} per bar, on one scale; the number is the period's total."
    desc = "; ".join(f"{s.label}: {s.total}" for s in series) + "."
    svg = charts.small_multiples(
        key,
        title=title,
        desc=desc,
        labels=[b.label for b in figures.buckets],
        series=[(s.label, s.counts) for s in series],
    )
    return Section(key, title, summary, [("", svg)])


def _round_robin(report: Report) -> Section:
    title = "Round-robin distribution"
    dists = report.round_robin
    if not dists:
        return Section("round-robin", title, "", empty="No round-robin links to show.")
    summary = (
        "Each host's share of the bookings made in the period (counted as the link's rotation "
        "counts them), against the share the rotation aims at."
    )
    svgs = []
    for i, dist in enumerate(dists):
        rows = [
            charts.Bar(
                label=s.name,
                value=100 * s.share,
                text=f"{100 * s.share:.0f}%",
                target=None if s.target is None else 100 * s.target,
            )
            for s in dist.shares
        ]
        parts = [
            f"{s.name}: {s.bookings} ({100 * s.share:.0f}%"
            + ("" if s.target is None else f", target {100 * s.target:.0f}%")
            + ")"
            for s in dist.shares
        ]
        heading = f"{dist.link.title}: {dist.total} booking{'s' if dist.total != 1 else ''}"
        svg = charts.bars(
            f"rr-{i}",
            title=f"{dist.link.title}: share of bookings by host",
            desc=f"{dist.aims} " + ("; ".join(parts) or "No hosts.") + ".",
            rows=rows,
            scale=100,
        )
        svgs.append((f"{heading}. {dist.aims}", svg))
    return Section("round-robin", title, summary, svgs)


def _days_and_hours(report: Report) -> Section:
    heat = report.heatmap
    title = "Popular days and hours"
    if not heat.total:
        return Section("days-and-hours", title, "", empty="No bookings in this period.")
    summary = (
        f"Meetings by weekday and starting hour, in your time zone. Busiest day: "
        f"{heat.busiest_day}; busiest hour: {heat.busiest_hour}."
    )
    svg = charts.heatmap(
        "days-hours",
        title=title,
        desc=summary,
        days=analytics.WEEKDAYS,
        grid=heat.grid,
    )
    return Section("days-and-hours", title, summary, [("", svg)])


def _lead_time(report: Report) -> Section:
    lead = report.lead_time
    title = "Lead time"
    if not lead.total:
        return Section("lead-time", title, "", empty="No bookings in this period.")
    median = analytics.format_span(lead.median)
    summary = f"How long before the meeting people booked. Median: {median}."
    top = max(n for _, n in lead.counts)
    svg = charts.bars(
        "lead-time",
        title="Bookings by how far ahead they were made",
        desc=f"Median {median}. " + "; ".join(f"{label}: {n}" for label, n in lead.counts) + ".",
        rows=[charts.Bar(label, n, str(n)) for label, n in lead.counts],
        scale=top,
    )
    return Section("lead-time", title, summary, [("", svg)])


def _rates(report: Report) -> Section:
    rates = report.rates
    summary = " ".join(
        f"{r.label}: {_percent(r)} ({r.count} of {r.of} {r.explains})." for r in rates
    )
    svg = charts.bars(
        "rates",
        title="No-show and cancellation rates",
        desc=summary,
        rows=[charts.Bar(r.label, r.percent or 0, _percent(r)) for r in rates],
        scale=100,
    )
    return Section("rates", "No-show and cancellation rates", summary, [("", svg)])


def _percent(rate: analytics.Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent:.0f}%"
