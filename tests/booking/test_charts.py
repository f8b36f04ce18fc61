"""The SVG charts: labelled for screen readers, every text escaped, bars to scale."""

from __future__ import annotations

import re

import pytest

from booking import charts


def test_a_chart_is_an_image_labelled_by_its_title_and_description():
    svg = charts.columns("c", title="Bookings <per> day", desc="3 & more", labels=["1"], values=[3])

    assert svg.startswith('<svg class="chart" viewBox="0 0 360 ')
    assert 'role="img" aria-labelledby="c-t c-d"' in svg
    assert '<title id="c-t">Bookings &lt;per&gt; day</title>' in svg
    assert '<desc id="c-d">3 &amp; more</desc>' in svg


def test_names_from_the_database_are_escaped():
    rows = [charts.Bar('<script>alert("x")</script>', 1, "1")]
    svg = charts.bars("b", title="t", desc="d", rows=rows, scale=1)
    multiples = charts.small_multiples(
        "m", title="t", desc="d", labels=["a", "b"], series=[("<b>Link</b>", [1, 0])]
    )

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in multiples and "&lt;b&gt;Link&lt;/b&gt;" in multiples


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (40, 50)])
def test_the_value_axis_ends_on_a_round_number(value, top):
    assert charts.nice_max(value) == top


def test_bars_are_drawn_to_scale_with_the_target_marked():
    rows = [charts.Bar("Olga", 75, "75%", target=50), charts.Bar("Tim", 25, "25%", target=50)]
    svg = charts.bars("rr", title="t", desc="d", rows=rows, scale=100)

    widths = [
        float(w) for w in re.findall(rf'width="([\d.]+)" height="16" fill="{charts.BAR}"', svg)
    ]
    assert widths == [pytest.approx(290 * 0.75, abs=0.1), pytest.approx(290 * 0.25, abs=0.1)]
    assert svg.count(f'fill="{charts.TARGET}"') == 3  # the legend and one marker per host
    assert ">target share<" in svg


def test_the_heatmap_writes_each_count_and_shades_the_busiest_darkest():
    grid = [[0] * 24 for _ in range(7)]
    grid[0][9], grid[4][15] = 8, 1
    svg = charts.heatmap("h", title="t", desc="d", days=["Monday"] * 7, grid=grid)

    assert svg.count(f'fill="{charts.HEAT[4]}"') == 1
    assert svg.count(f'fill="{charts.HEAT[1]}"') == 1
    assert ">8</text>" in svg and ">1</text>" in svg
    assert svg.count("<rect") == 7 * 24
