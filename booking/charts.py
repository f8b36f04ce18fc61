"""Small server-rendered SVG charts: no script, readable on a phone, described for screen readers.

Each chart is an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``; the page puts the
same figures in a table beside it. A fixed ``viewBox`` 360 units wide scales to the column, so a
390-pixel screen shows the text at about its design size. Colours meet WCAG contrast on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
INK = "#1d2330"
MUTED = "#4b5563"  # 7.6:1 on white
BAR = "#1e40af"  # 8.7:1 on white
GRID = "#d0d5dd"
TARGET = "#b42318"  # 6.5:1 on white
# Heatmap steps, light to dark; the numbers on the two darkest are white.
HEAT = ("#ffffff", "#dbe4ff", "#91a7ff", "#3b5bdb", "#1e3a8a")
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the bar's end: "12", "40%"
    target: float | None = None  # a marker on the same scale (round-robin target share)


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> SafeString:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" {FONT} font-size="13" fill="{INK}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every text is escaped above


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(text)}</text>'


def nice_max(value: float) -> int:
    """The axis top: at least ``value``, a 1, 2 or 5 times a power of ten (and at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def columns(
    chart_id: str, *, title: str, desc: str, labels: Sequence[str], values: Sequence[int]
) -> SafeString:
    """Vertical bars over time, with a labelled value axis and sparse labels below."""
    left, top, plot_h = 34, 14, 150
    plot_w = WIDTH - left - 6
    top_value = nice_max(max(values, default=0))
    slot = plot_w / max(len(values), 1)
    every = max(1, round(len(values) / 10 + 0.49))
    body = []
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        body.append(f'<line x1="{left}" x2="{WIDTH - 6}" y1="{y:g}" y2="{y:g}" stroke="{GRID}"/>')
        tick = top_value * fraction
        if fraction != 0.5 or tick == int(tick):
            body.append(_text(left - 6, y + 4, f"{tick:g}", text_anchor="end", fill=MUTED))
    for i, value in enumerate(values):
        h = plot_h * value / top_value
        x = left + i * slot + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"/>'
        )
        if i % every == 0:
            mid = left + (i + 0.5) * slot
            body.append(_text(mid, top + plot_h + 16, labels[i], text_anchor="middle", fill=MUTED))
    return _svg(chart_id, title, desc, top + plot_h + 24, body)


def bars(chart_id: str, *, title: str, desc: str, rows: Sequence[Bar], scale: float) -> SafeString:
    """Horizontal bars, each with its label above it (room for long names on a phone) and its
    value at its end; a target, where given, is a red tick with its own legend."""
    row_h, label_h, bar_h, text_w = 44, 16, 16, 70
    plot_w = WIDTH - text_w
    body = []
    has_target = any(r.target is not None for r in rows)
    y = 4
    if has_target:
        body.append(f'<rect x="0" y="{y + 2}" width="3" height="14" fill="{TARGET}"/>')
        body.append(_text(8, y + 14, "target share", fill=MUTED))
        y += 24
    for row in rows:
        width = plot_w * row.value / scale if scale else 0
        body.append(_text(0, y + 12, row.label))
        body.append(
            f'<rect x="0" y="{y + label_h + 2}" width="{plot_w:g}" height="{bar_h}" fill="#eef2ff"/>'
        )
        body.append(
            f'<rect x="0" y="{y + label_h + 2}" width="{width:.1f}" height="{bar_h}" fill="{BAR}"/>'
        )
        body.append(_text(plot_w + 6, y + label_h + 15, row.text, font_weight="600"))
        if row.target is not None:
            tx = plot_w * row.target / scale if scale else 0
            body.append(
                f'<rect x="{max(tx - 1.5, 0):.1f}" y="{y + label_h - 2}" width="3" '
                f'height="{bar_h + 8}" fill="{TARGET}"/>'
            )
        y += row_h
    return _svg(chart_id, title, desc, max(y, 20), body)


def small_multiples(
    chart_id: str,
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
) -> SafeString:
    """One strip of bars per series on a shared scale, so the busiest stands out at a glance;
    the series' name and total above its strip, the first and last of ``labels`` (one per bar)
    under the chart."""
    strip_h, name_h = 30, 18
    top_value = max((max(values, default=0) for _, values in series), default=0) or 1
    slot = WIDTH / max(len(labels), 1)
    body = []
    y = 0
    for name, values in series:
        body.append(_text(0, y + 13, name))
        body.append(_text(WIDTH, y + 13, f"{sum(values)}", text_anchor="end", font_weight="600"))
        base = y + name_h + strip_h
        body.append(f'<line x1="0" x2="{WIDTH}" y1="{base}" y2="{base}" stroke="{GRID}"/>')
        for i, value in enumerate(values):
            if value:
                h = max(strip_h * value / top_value, 2)
                body.append(
                    f'<rect x="{i * slot + slot * 0.1:.1f}" y="{base - h:.1f}" '
                    f'width="{slot * 0.8:.1f}" height="{h:.1f}" fill="{BAR}"/>'
                )
        y = base + 10
    if labels:
        body.append(_text(0, y + 10, labels[0], fill=MUTED))
        body.append(_text(WIDTH, y + 10, labels[-1], fill=MUTED, text_anchor="end"))
    return _svg(chart_id, title, desc, y + 16, body)


def heatmap(
    chart_id: str,
    *,
    title: str,
    desc: str,
    days: Sequence[str],
    grid: Sequence[Sequence[int]],
) -> SafeString:
    """Hours down, weekdays across (it fits a phone upright), the count written in each
    non-empty cell over a shade of its size."""
    left, top, cell_w, cell_h = 44, 20, (WIDTH - 44) / 7, 18
    top_value = max((max(row) for row in grid), default=0)
    body = [
        _text(left + (i + 0.5) * cell_w, 14, day[:3], text_anchor="middle", font_weight="600")
        for i, day in enumerate(days)
    ]
    for hour in range(24):
        y = top + hour * cell_h
        body.append(_text(left - 6, y + 13, f"{hour:02d}:00", text_anchor="end", fill=MUTED))
        for day in range(7):
            n = grid[day][hour]
            step = 0 if not n else 1 + min(3, int(3.999 * n / top_value))
            x = left + day * cell_w
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{cell_w:.1f}" height="{cell_h}" '
                f'fill="{HEAT[step]}" stroke="{GRID}" stroke-width="0.5"/>'
            )
            if n:
                colour = "#ffffff" if step >= 3 else INK
                body.append(
                    _text(x + cell_w / 2, y + 13, str(n), text_anchor="middle", fill=colour)
                )
    return _svg(chart_id, title, desc, top + 24 * cell_h + 2, body)
