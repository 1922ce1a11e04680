"""Statistics tables charted at build time as inline SVG (no script, no library in the page)."""

from __future__ import annotations

import math
import re
from html import escape


def numeric_columns(columns: list[str], rows: list[list]) -> list[int]:
    """Indexes of the columns whose every cell is a number (charted)."""
    return [i for i in range(1, len(columns)) if rows and all(isinstance(r[i], (int, float)) for r in rows)]


# ---------------------------------------------------------------- charts drawn at build time (inline SVG)

# Every colour keeps ≥ 3:1 against white (WCAG 1.4.11 for graphics).
PALETTE = ("#b3161b", "#1a5fb4", "#a35200", "#2e7d32", "#6a1b9a", "#00737a", "#5d4037", "#ad1457")
WIDTH, HEIGHT = 520, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 36, 36
FONT = 13
_YEAR = re.compile(r"^\d{4}$")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering [low, high], e.g. 0, 500, 1000 … (steps of 1, 2, 2.5, 5 × 10^k)."""
    if high <= low:
        high = low + 1
    raw_step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def chart_html(slug: str, title: str, unit: str, columns: list[str], rows: list[list]) -> str | None:
    """A legend (HTML, so it wraps on a phone) and an SVG chart of the table: a line over years when rows
    are years, else grouped bars; None if nothing is numeric."""
    series = numeric_columns(columns, rows)
    if not series:
        return None
    labels = [str(r[0]) for r in rows]
    is_timeline = len(rows) > 1 and all(_YEAR.match(label) for label in labels)
    values = [r[i] for r in rows for i in series]
    low = min(0, min(values)) if not is_timeline else min(values) - (max(values) - min(values)) * 0.2
    ticks = nice_ticks(max(0, low) if min(values) >= 0 else low, max(values))
    kind = "折线图" if is_timeline else "柱状图"
    unit_text = f"，单位：{unit}" if unit else ""
    desc = (
        f"{kind}：{title}{unit_text}。"
        + "；".join(
            f"{columns[i]}：{labels[0]} {_label(rows[0][i])}，{labels[-1]} {_label(rows[-1][i])}" for i in series
        )
        + "。完整数据见下表。"
    )
    plot = _Plot(ticks)
    parts = [
        _legend([columns[i] for i in series]),
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}（{kind}）" '
        f'aria-describedby="chart-desc-{slug}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}（{kind}）</title>",
        f'<desc id="chart-desc-{slug}">{escape(desc)}</desc>',
        plot.axes(unit),
        (_lines if is_timeline else _bars)(plot, labels, rows, series, columns, unit),
        "</svg>",
    ]
    return "".join(parts)


class _Plot:
    def __init__(self, ticks: list[float]):
        self.ticks = ticks
        self.low, self.high = ticks[0], ticks[-1]
        self.x0, self.x1 = LEFT, WIDTH - RIGHT
        self.y0, self.y1 = HEIGHT - BOTTOM, TOP

    def y(self, value: float) -> float:
        return round(self.y0 - (value - self.low) / (self.high - self.low) * (self.y0 - self.y1), 1)

    def axes(self, unit: str) -> str:
        lines = [f'<g class="axis" font-size="{FONT}" fill="#333">']
        for tick in self.ticks:
            y = self.y(tick)
            lines.append(
                f'<line x1="{self.x0}" x2="{self.x1}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                f'<text x="{self.x0 - 6}" y="{y + 4}" text-anchor="end">{_label(tick)}</text>'
            )
        if unit:
            lines.append(f'<text x="{self.x0 - 6}" y="{self.y1 - 16}" text-anchor="end">{escape(unit)}</text>')
        lines.append(f'<line x1="{self.x0}" x2="{self.x1}" y1="{self.y0}" y2="{self.y0}" stroke="#555"/></g>')
        return "".join(lines)


def _legend(names: list[str]) -> str:
    """Decorative for screen readers: the SVG's <desc> and the table below carry the same names.

    Each swatch is a tiny SVG whose colour is a `fill` attribute: a style="…" attribute would need the
    page's Content Security Policy to allow 'unsafe-inline' (site/csp.py)."""
    items = "".join(
        f'<li><svg class="swatch" viewBox="0 0 1 1" focusable="false"><rect width="1" height="1" '
        f'fill="{PALETTE[i % len(PALETTE)]}"/></svg>{escape(name)}</li>'
        for i, name in enumerate(names)
    )
    return f'<ul class="chart-legend" aria-hidden="true">{items}</ul>'


def _x_labels(plot: _Plot, labels: list[str], centre) -> str:
    size = FONT if len(labels) <= 10 else 10
    return "".join(
        f'<text x="{centre(i)}" y="{plot.y0 + 18}" text-anchor="middle" font-size="{size}" '
        f'fill="#333">{escape(label)}</text>'
        for i, label in enumerate(labels)
    )


def _bars(plot: _Plot, labels, rows, series, columns, unit) -> str:
    band = (plot.x1 - plot.x0) / len(rows)
    bar = band * 0.8 / len(series)
    shapes = []
    for r, row in enumerate(rows):
        for s, column in enumerate(series):
            x = round(plot.x0 + r * band + band * 0.1 + s * bar, 1)
            top, base = plot.y(row[column]), plot.y(max(plot.low, 0))
            y, height = min(top, base), abs(base - top)
            shapes.append(
                f'<rect class="bar" x="{x}" y="{y}" width="{round(bar, 1)}" height="{round(height, 1)}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(labels[r])} {escape(columns[column])}：'
                f"{_label(row[column])}{escape(unit)}</title></rect>"
            )
    return "".join(shapes) + _x_labels(plot, labels, lambda i: round(plot.x0 + (i + 0.5) * band, 1))


def _lines(plot: _Plot, labels, rows, series, columns, unit) -> str:
    step = (plot.x1 - plot.x0) / len(rows)
    x = lambda i: round(plot.x0 + (i + 0.5) * step, 1)  # noqa: E731
    shapes = []
    for s, column in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = " ".join(f"{x(i)},{plot.y(row[column])}" for i, row in enumerate(rows))
        shapes.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        shapes.extend(
            f'<circle cx="{x(i)}" cy="{plot.y(row[column])}" r="4" fill="{colour}"><title>'
            f"{escape(labels[i])} {escape(columns[column])}：{_label(row[column])}{escape(unit)}</title></circle>"
            for i, row in enumerate(rows)
        )
    return "".join(shapes) + _x_labels(plot, labels, x)
