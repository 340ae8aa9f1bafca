"""Charts as server-rendered SVG: readable without JavaScript, coloured by the stylesheet.

Every element carries a `chart__*` class and no inline style (the Content-Security-Policy
forbids it), so light and dark mode come from the CSS custom properties. Every piece of text
that reaches the SVG is escaped here; the result is safe to put in a page as it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Above this many days bars get thinner than a hairline: the created series becomes an area.
MAX_BARS = 92
# Dots on the closed line only while they stay apart.
MAX_DOTS = 31
# About the width of a date label ("Nov 23") in chart units.
LABEL_WIDTH = 40


def _e(text: object) -> str:
    """Text or an attribute value, escaped for XML (quotes too)."""
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate: short, and never in exponent notation."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _id(uid: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]", "-", uid.lower()).strip("-")
    return cleaned or "chart"


def nice_scale(peak: float, *, max_lines: int = 4) -> tuple[int, int]:
    """(top, step) of an axis for counts up to `peak`: whole steps of 1, 2 or 5 × 10^k and at
    most `max_lines` gridlines above zero, the top gridline at or above the peak."""
    if peak <= 0:
        return 1, 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            lines = math.ceil(peak / step)
            if lines <= max_lines:
                return step * lines, step
        magnitude *= 10


def tick_indices(count: int, ticks: int) -> list[int]:
    """About `ticks` evenly spread positions among `count`, always the first and the last."""
    if count <= 0:
        return []
    if count <= ticks:
        return list(range(count))
    spread = {round(k * (count - 1) / (ticks - 1)) for k in range(ticks)}
    return sorted(spread)


def _open(uid: str, width: int, height: int, title: str, desc: str, extra: str = "") -> list[str]:
    cls = "chart" + (f" {extra}" if extra else "")
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" viewBox="0 0 {width} {height}"'
            f' role="img" aria-labelledby="{uid}-title {uid}-desc" focusable="false">'
        ),
        f'<title id="{uid}-title">{_e(title)}</title>',
        f'<desc id="{uid}-desc">{_e(desc)}</desc>',
    ]


def _empty(uid: str, width: int, height: int, title: str, desc: str, text: str) -> Markup:
    parts = _open(uid, width, height, title, desc, "chart--empty")
    base = height - 28
    parts += [
        f'<line class="chart__baseline" x1="8" y1="{base}" x2="{width - 8}" y2="{base}"/>',
        (
            f'<text class="chart__empty-text" x="{width / 2:g}" y="{height / 2:g}"'
            f' text-anchor="middle" dominant-baseline="middle">{_e(text)}</text>'
        ),
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text above went through _e()


@dataclass(frozen=True)
class DayChart:
    """Two series over consecutive days: one as bars (or an area), one as a line."""

    labels: Sequence[str]  # one per day, short ("Mar 3"); shown at a few ticks
    bars: Sequence[int]
    line: Sequence[int]
    bars_name: str
    line_name: str
    title: str
    desc: str
    empty_text: str
    width: int = 720
    height: int = 260
    ticks: int = 6
    uid: str = "days"

    def render(self) -> Markup:
        uid = _id(self.uid)
        if not self.labels or (sum(self.bars) == 0 and sum(self.line) == 0):
            return _empty(uid, self.width, self.height, self.title, self.desc, self.empty_text)
        plot = _Plot(self.width, self.height, len(self.labels), max(*self.bars, *self.line, 0))
        parts = _open(uid, self.width, self.height, self.title, self.desc)
        parts += self._grid(plot)
        parts += self._bars(plot)
        parts += self._line(plot)
        parts += self._axis(plot)
        parts += self._legend(plot)
        parts.append("</svg>")
        return Markup("".join(parts))  # noqa: S704 - every text here went through _e()

    def _grid(self, p: _Plot) -> list[str]:
        parts = ['<g class="chart__grid">']
        for value in range(0, p.peak + 1, p.step):
            cls = "chart__baseline" if value == 0 else "chart__gridline"
            y = _n(p.y(value))
            parts.append(
                f'<line class="{cls}" x1="{p.left}" y1="{y}" x2="{p.right}" y2="{y}"/>'
                f'<text class="chart__label" x="{p.left - 8}" y="{y}"'
                f' text-anchor="end" dominant-baseline="middle">{value}</text>'
            )
        parts.append("</g>")
        return parts

    def _bars(self, p: _Plot) -> list[str]:
        parts = ['<g class="chart__series chart__series--bars">']
        if p.count > MAX_BARS:
            # Long periods: an area, since bars would be thinner than a hairline.
            points = " ".join(f"L{_n(p.x(i))},{_n(p.y(v))}" for i, v in enumerate(self.bars))
            parts.append(
                f'<path class="chart__area" d="M{_n(p.x(0))},{_n(p.bottom)} {points}'
                f' L{_n(p.x(p.count - 1))},{_n(p.bottom)} Z"/>'
            )
        else:
            width = max(p.band * (0.72 if p.count > 1 else 0.4), 1.0)
            radius = min(3.0, width / 3)
            for i, value in enumerate(self.bars):
                if value > 0:
                    top = p.y(value)
                    parts.append(
                        f'<rect class="chart__bar" x="{_n(p.x(i) - width / 2)}" y="{_n(top)}"'
                        f' width="{_n(width)}" height="{_n(p.bottom - top)}" rx="{_n(radius)}">'
                        f"<title>{_e(self.labels[i])}: {_e(self.bars_name)} {value}</title></rect>"
                    )
        parts.append("</g>")
        return parts

    def _line(self, p: _Plot) -> list[str]:
        points = " ".join(f"{_n(p.x(i))},{_n(p.y(v))}" for i, v in enumerate(self.line))
        parts = [
            '<g class="chart__series chart__series--line">',
            f'<polyline class="chart__line" points="{points}"/>',
        ]
        if p.count <= MAX_DOTS:
            parts.extend(
                f'<circle class="chart__dot" cx="{_n(p.x(i))}" cy="{_n(p.y(v))}" r="3">'
                f"<title>{_e(self.labels[i])}: {_e(self.line_name)} {v}</title></circle>"
                for i, v in enumerate(self.line)
            )
        parts.append("</g>")
        return parts

    def _axis(self, p: _Plot) -> list[str]:
        parts = ['<g class="chart__axis">']
        picks = tick_indices(p.count, self.ticks)
        # With narrow days the outer labels would stick out: they start/end at the plot's edge.
        crowded = len(picks) > 1 and p.band < LABEL_WIDTH
        for i in picks:
            x, anchor = _n(p.x(i)), "middle"
            if crowded and i == picks[0]:
                tx, anchor = _n(p.left), "start"
            elif crowded and i == picks[-1]:
                tx, anchor = _n(p.right), "end"
            else:
                tx = x
            parts.append(
                f'<line class="chart__tick" x1="{x}" y1="{_n(p.bottom)}"'
                f' x2="{x}" y2="{_n(p.bottom + 4)}"/>'
                f'<text class="chart__label" x="{tx}" y="{_n(p.bottom + 18)}"'
                f' text-anchor="{anchor}">{_e(self.labels[i])}</text>'
            )
        parts.append("</g>")
        return parts

    def _legend(self, p: _Plot) -> list[str]:
        # The second entry starts after the first one's text (about 7.5 units a character).
        second = p.left + 18 + round(len(self.bars_name) * 7.5) + 28
        return [
            '<g class="chart__legend">',
            f'<rect class="chart__bar" x="{p.left}" y="10" width="12" height="12" rx="3"/>',
            (
                f'<text class="chart__legend-text" x="{p.left + 18}" y="16"'
                f' dominant-baseline="middle">{_e(self.bars_name)}</text>'
            ),
            f'<line class="chart__line" x1="{second}" y1="16" x2="{second + 24}" y2="16"/>',
            f'<circle class="chart__dot" cx="{second + 12}" cy="16" r="3"/>',
            (
                f'<text class="chart__legend-text" x="{second + 30}" y="16"'
                f' dominant-baseline="middle">{_e(self.line_name)}</text>'
            ),
            "</g>",
        ]


@dataclass(frozen=True)
class _Plot:
    """The drawing area of a day chart and its scales."""

    width: int
    height: int
    count: int
    highest: int
    left: int = 40
    top: int = 40
    margin_right: int = 14
    margin_bottom: int = 30

    @property
    def right(self) -> int:
        return self.width - self.margin_right

    @property
    def bottom(self) -> int:
        return self.height - self.margin_bottom

    @property
    def band(self) -> float:
        return (self.right - self.left) / self.count

    @property
    def peak(self) -> int:
        return nice_scale(self.highest)[0]

    @property
    def step(self) -> int:
        return nice_scale(self.highest)[1]

    def x(self, i: int) -> float:
        return self.left + self.band * (i + 0.5)

    def y(self, value: float) -> float:
        return self.bottom - value / self.peak * (self.bottom - self.top)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    kind: str = ""  # a class suffix: chart__bar--<kind> (a status category, "star")


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row: the label above its bar, the count at the right."""

    rows: Sequence[Bar]
    title: str
    desc: str
    empty_text: str
    width: int = 360
    row_height: int = 42
    uid: str = "bars"

    def render(self) -> Markup:
        uid = _id(self.uid)
        if not self.rows or all(r.value <= 0 for r in self.rows):
            return _empty(uid, self.width, 120, self.title, self.desc, self.empty_text)
        height = self.row_height * len(self.rows) + 4
        peak = max(r.value for r in self.rows)
        pw = self.width - 2
        parts = _open(uid, self.width, height, self.title, self.desc, "chart--bars")
        for i, row in enumerate(self.rows):
            top = i * self.row_height
            label_y = top + 14
            bar_y = top + 22
            length = max(row.value / peak * pw, 2.0 if row.value > 0 else 0.0)
            kind = f" chart__bar--{_id(row.kind)}" if row.kind else ""
            parts.append(
                f'<g class="chart__row"><title>{_e(row.label)}: {row.value}</title>'
                f'<text class="chart__row-label" x="1" y="{label_y}">'
                f"{_e(_clip(row.label))}</text>"
                f'<text class="chart__row-value" x="{self.width - 1}" y="{label_y}"'
                f' text-anchor="end">{row.value}</text>'
                f'<rect class="chart__track" x="1" y="{bar_y}" width="{pw}" height="10" rx="5"/>'
                f'<rect class="chart__bar{kind}" x="1" y="{bar_y}"'
                f' width="{_n(length)}" height="10" rx="5"/></g>'
            )
        parts.append("</svg>")
        return Markup("".join(parts))  # noqa: S704 - every text above went through _e()


def _clip(label: str, limit: int = 40) -> str:
    """A label short enough for its line; the full text stays in the row's <title>."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


__all__ = ["Bar", "BarChart", "DayChart", "nice_scale", "tick_indices"]
