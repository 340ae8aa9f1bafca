"""Server-rendered SVG charts: well-formed, escaped, scaled, and an empty state without data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from zedline_web.charts import Bar, BarChart, DayChart, nice_scale, tick_indices

SVG = "{http://www.w3.org/2000/svg}"


def day_chart(bars, line, **kwargs):
    labels = [f"Mar {i + 1}" for i in range(len(bars))]
    return DayChart(
        labels=labels,
        bars=bars,
        line=line,
        bars_name="Created",
        line_name="Closed",
        title="Requests per day",
        desc="Created and closed",
        empty_text="Nothing in this period",
        **kwargs,
    ).render()


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def classed(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def test_a_day_chart_is_well_formed_svg_with_title_and_desc():
    root = parse(day_chart([1, 4, 2], [0, 1, 3]))
    assert (root.tag, root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text) == (
        f"{SVG}svg",
        "Requests per day",
        "Created and closed",
    )


def test_the_svg_is_labelled_by_its_title_and_desc():
    root = parse(day_chart([1], [1], uid="daily"))
    assert (root.get("role"), root.get("aria-labelledby")) == ("img", "daily-title daily-desc")


def test_one_bar_per_day_with_data_and_one_dot_per_day():
    root = parse(day_chart([1, 0, 2], [0, 1, 3]))
    assert (len(classed(root, "chart__bar")) - 1, len(classed(root, "chart__dot")) - 1) == (2, 3)


def test_bars_scale_with_their_values():
    root = parse(day_chart([2, 4], [0, 0]))
    bars = [e for e in classed(root, "chart__bar") if e.find(f"{SVG}title") is not None]
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == pytest.approx(2 * heights[0])


def test_the_tallest_bar_reaches_the_top_gridline_when_the_peak_is_round():
    root = parse(day_chart([4, 1], [0, 0], height=260))
    bars = [e for e in classed(root, "chart__bar") if e.find(f"{SVG}title") is not None]
    grid_tops = [float(g.get("y1")) for g in classed(root, "chart__gridline")]
    assert float(bars[0].get("y")) == pytest.approx(min(grid_tops))


def test_the_line_follows_the_closed_values():
    root = parse(day_chart([1, 1, 1], [0, 2, 4]))
    points = classed(root, "chart__line")[0].get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2])


def test_long_periods_draw_an_area_instead_of_bars():
    root = parse(day_chart([1] * 120, [1] * 120))
    assert (len(classed(root, "chart__area")), len(classed(root, "chart__dot"))) == (1, 1)


def test_day_labels_are_escaped():
    markup = str(
        DayChart(
            labels=["<b>1</b>", "2"],
            bars=[1, 2],
            line=[0, 1],
            bars_name="Cre<ated",
            line_name='Clo"sed',
            title="<script>alert(1)</script>",
            desc="a & b",
            empty_text="none",
        ).render()
    )
    parse(markup)
    assert ("<script>" not in markup, "&lt;script&gt;" in markup, "<b>" not in markup) == (
        True,
        True,
        True,
    )


def test_no_data_renders_an_empty_state_svg():
    root = parse(day_chart([0, 0, 0], [0, 0, 0]))
    texts = [e.text for e in classed(root, "chart__empty-text")]
    assert (root.get("class"), texts, classed(root, "chart__bar")) == (
        "chart chart--empty",
        ["Nothing in this period"],
        [],
    )


def test_no_days_renders_an_empty_state_svg():
    root = parse(day_chart([], []))
    assert "chart--empty" in root.get("class")


def status_chart(rows):
    return BarChart(rows, "Open requests", "by status", "No open requests", uid="open").render()


def test_a_status_label_is_escaped():
    markup = str(status_chart([Bar("<script>alert(1)</script>", 3, "new")]))
    root = parse(markup)
    labels = [e.text for e in classed(root, "chart__row-label")]
    assert ("<script>" in markup, labels) == (False, ["<script>alert(1)</script>"])


def test_bar_lengths_are_proportional_and_coloured_by_category():
    root = parse(status_chart([Bar("New", 2, "new"), Bar("Waiting", 4, "waiting")]))
    bars = classed(root, "chart__bar")
    widths = [float(b.get("width")) for b in bars]
    assert (widths[1] == pytest.approx(2 * widths[0]), bars[1].get("class")) == (
        True,
        "chart__bar chart__bar--waiting",
    )


def test_each_bar_shows_its_count():
    root = parse(status_chart([Bar("New", 2, "new"), Bar("Open", 11, "open")]))
    assert [e.text for e in classed(root, "chart__row-value")] == ["2", "11"]


def test_a_class_suffix_cannot_break_out_of_the_attribute():
    markup = str(status_chart([Bar("New", 1, 'x" onload="alert(1)')]))
    root = parse(markup)
    assert all(e.get("onload") is None for e in root.iter())


def test_a_bar_chart_without_counts_is_an_empty_state():
    root = parse(status_chart([Bar("New", 0, "new")]))
    assert [e.text for e in classed(root, "chart__empty-text")] == ["No open requests"]


@pytest.mark.parametrize(
    ("peak", "expected"),
    [(0, (1, 1)), (3, (3, 1)), (7, (8, 2)), (9, (10, 5)), (41, (60, 20)), (950, (1000, 500))],
)
def test_axis_tops_are_round_numbers_above_the_peak(peak, expected):
    assert nice_scale(peak) == expected


def test_date_ticks_include_the_first_and_the_last_day():
    assert tick_indices(30, 6) == [0, 6, 12, 17, 23, 29]


def test_few_days_get_a_tick_each():
    assert tick_indices(3, 6) == [0, 1, 2]
