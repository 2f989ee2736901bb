"""Line charts drawn as SVG text: the charts of a run while it trains, and of the HTML reports.

Why not Plotly on a live Monitor: it refreshes every few seconds, and the browser's redrawing of
Plotly charts costs CPU that is taken from training when the browser runs beside it
(docs/BENCHMARKS.md, "What the dashboard costs a run"). Swapping in an SVG of a few paths costs
the browser next to nothing. Paused and finished runs keep
the interactive Plotly charts (zoom, hover), where redrawing is rare.

The reports (gancore/report/) use them because an SVG needs no script and no network: the file
opens offline anywhere. Pure: no streamlit. The dashboard shows the text with
`st.markdown(svg, unsafe_allow_html=True)`; every piece of text in it is escaped here.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Sequence

WIDTH, HEIGHT = 560, 300  # the viewBox; the drawing scales to its column's width
MAX_SHOWN_WIDTH = 760  # in a full-width column, not wider: the text would grow with it
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 34, 70  # room for tick labels, title, x title and legend
TEXT = "#31333f"  # Streamlit's text colour
GRID = "#e6e9ef"
FONT = 'font-size="13"'  # no font family: the text inherits the page's, as Streamlit's own text
FAINT_OPACITY = 0.25  # the raw line behind a smoothed one, as TensorBoard draws it
CHAR_WIDTH = 7.0  # average width of a 13 px sans-serif character, for laying out the legend


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    xs: Sequence[float]
    ys: Sequence[float | None]  # None or a non-finite value leaves a gap
    markers: bool = False  # a dot at each point, for sparse series (quality measurements)
    faint: bool = False  # drawn light and left out of the legend: the raw line under a smoothed one


@dataclass(frozen=True)
class Guide:
    """A dotted horizontal reference line with a label, e.g. 0.5: "D cannot tell"."""
    y: float
    label: str = ""
    colour: str = "gray"


def nice_ticks(lo: float, hi: float, count: int = 5, min_step: float = 0.0) -> list[float]:
    """About `count` round values (1, 2 or 5 times a power of ten apart) within [lo, hi], at
    least `min_step` apart (1 for steps: no tick between two whole steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda step: abs((hi - lo) / step - count))
    step = max(step, min_step)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + 1e-9 * step:
        ticks.append(round(k * step, 12))
        k += 1
    return ticks


def _label(value: float, step: float) -> str:
    """A tick label with as many decimals as the tick spacing needs: 0.25, 1.5, 12,000; from a
    million on, short (2.5M, 30B), as Plotly writes them, so the label fits beside the axis."""
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if abs(value) >= scale and step >= 1:
            decimals = min(max(0, -math.floor(math.log10(step / scale) + 1e-9)), 3)
            return f"{value / scale:.{decimals}f}{unit}"
    if step >= 1 and abs(value) < 1e15:
        return f"{value:,.0f}"
    decimals = min(max(0, -math.floor(math.log10(step) + 1e-9)), 10)
    return f"{value:.{decimals}f}"


def _finite(values) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


MOST_LOG_LABELS = 6  # more crowd a 300-pixel axis


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis between lo > 0 and hi, at least two and at most MOST_LOG_LABELS:
    powers of ten, with 2 and 5 between them when the range spans less than two decades; a
    range too narrow for those (40 to 60) gets round values, as a linear axis would."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))

    def within(mantissas) -> list[float]:
        return [m * 10.0 ** e for e in range(first, last + 1) for m in mantissas if lo <= m * 10.0 ** e <= hi]

    ticks = within((1, 2, 5) if last - first <= 2 else (1,))
    if len(ticks) < 2:
        ticks = within((1, 2, 5))
    if len(ticks) < 2:
        return [t for t in nice_ticks(lo, hi, 3) if t > 0] or ticks
    stride = -(-len(ticks) // MOST_LOG_LABELS)  # many decades: every 2nd (3rd, ...) power
    return ticks[::stride]


def log_label(value: float) -> str:
    """A log axis's tick label: 0.05, 2, 40, 10,000."""
    return f"{value:,.0f}" if value >= 1 and value == round(value) else f"{value:g}"


def step_range(xs: Sequence[float]) -> tuple[float, float]:
    """The x range of a chart over steps: the data's, and for a single step (one measurement)
    from 0 to that step, so its axis reads 0 ... 1,000 rather than 1,000.0 ... 1,001.0."""
    lo, hi = min(xs), max(xs)
    if hi > lo:
        return lo, hi
    return (0.0, hi) if hi > 0 else (lo - 1.0, lo + 1.0)


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """A little room above and below the data; a flat line gets a band around it."""
    if hi - lo < 1e-12:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


def _path(line: Line, sx, sy) -> tuple[str, int]:
    """The SVG path data of one line (a gap at every missing value) and its number of points."""
    parts, pen_down, points = [], False, 0
    for x, y in zip(line.xs, line.ys):
        if y is None or not math.isfinite(y) or not math.isfinite(x):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{sx(x):.1f} {sy(y):.1f}")
        pen_down, points = True, points + 1
    return "".join(parts), points


def _legend(lines: Sequence[Line], top: float) -> list[str]:
    """Swatch and name of each line, left to right, wrapping onto a second row when needed."""
    out, x, y = [], LEFT, top
    for line in lines:
        width = 26 + CHAR_WIDTH * len(line.name) + 18
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y = LEFT, y + 16
        out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 20}" y2="{y - 4}" stroke="{line.colour}" '
                   f'stroke-width="2"/><text x="{x + 26}" y="{y}" fill="{TEXT}">{html.escape(line.name)}</text>')
        x += width
    return out


def svg_line_chart(title: str, lines: Sequence[Line], y_title: str, *, x_title: str = "step",
                   y_range: tuple[float, float] | None = None, guides: Sequence[Guide] = (),
                   empty_note: str = "no numbers yet", log_y: bool = False) -> str:
    """One chart as SVG text: title, gridlines, ticks, the lines, dotted guides and a legend.
    `log_y`: a logarithmic y axis (values <= 0 are left out). The root carries `data-points`
    (how many points are drawn) for tests and benchmarks."""
    if log_y:  # draw log10 of everything on a linear axis, label the ticks with the values
        lines = [Line(l.name, l.colour, l.xs, [math.log10(y) if y is not None and y > 0 else None for y in l.ys],
                      l.markers) for l in lines]
        guides = [Guide(math.log10(g.y), g.label, g.colour) for g in guides if g.y > 0]
    xs = _finite(x for line in lines for x in line.xs)
    ys = _finite(y for line in lines for y in line.ys)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_lo, x_hi = step_range(xs) if xs else (0.0, 1.0)
    if y_range is not None:
        y_lo, y_hi = y_range
    else:
        y_lo, y_hi = _padded(min(ys + [g.y for g in guides]), max(ys + [g.y for g in guides])) if ys else (0.0, 1.0)

    def sx(x: float) -> float:
        return LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w

    def sy(y: float) -> float:
        return TOP + (y_hi - min(max(y, y_lo), y_hi)) / (y_hi - y_lo) * plot_h

    parts = [f'<text x="{LEFT}" y="20" fill="{TEXT}" font-size="15" font-weight="600">{html.escape(title)}</text>']
    if log_y:
        y_ticks = [(math.log10(t), log_label(t)) for t in log_ticks(10 ** y_lo, 10 ** y_hi)]
    else:
        ticks = nice_ticks(y_lo, y_hi)
        y_step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
        y_ticks = [(t, _label(t, y_step)) for t in ticks]
    for t, label in y_ticks:
        parts.append(f'<line x1="{LEFT}" y1="{sy(t):.1f}" x2="{WIDTH - RIGHT}" y2="{sy(t):.1f}" stroke="{GRID}"/>'
                     f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" fill="{TEXT}">{label}</text>')
    if xs:
        whole = all(x == round(x) for x in xs)  # steps: no tick between two of them
        x_ticks = nice_ticks(x_lo, x_hi, min_step=1.0 if whole else 0.0)
        x_step = x_ticks[1] - x_ticks[0] if len(x_ticks) > 1 else 1.0
        for t in x_ticks:
            parts.append(f'<text x="{sx(t):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                         f'fill="{TEXT}">{_label(t, x_step)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="{TEXT}"/>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h + 32}" text-anchor="middle" '
                 f'fill="{TEXT}">{html.escape(x_title)}</text>')
    parts.append(f'<text transform="translate(14 {TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                 f'fill="{TEXT}">{html.escape(y_title)}</text>')
    for guide in guides:
        if y_lo <= guide.y <= y_hi:
            parts.append(f'<line x1="{LEFT}" y1="{sy(guide.y):.1f}" x2="{WIDTH - RIGHT}" y2="{sy(guide.y):.1f}" '
                         f'stroke="{guide.colour}" stroke-dasharray="2 3"/>')
            if guide.label:
                parts.append(f'<text x="{WIDTH - RIGHT - 4}" y="{sy(guide.y) + 14:.1f}" text-anchor="end" '
                             f'fill="gray">{html.escape(guide.label)}</text>')
    drawn = 0
    for line in lines:
        d, points = _path(line, sx, sy)
        drawn += points
        if points and line.faint:
            parts.append(f'<path d="{d}" fill="none" stroke="{line.colour}" stroke-width="1" '
                         f'stroke-opacity="{FAINT_OPACITY}"/>')
        elif points:
            latest = next(y for y in reversed(line.ys) if y is not None and math.isfinite(y))
            shown = 10 ** latest if log_y else latest
            # <title>: hovering a line shows its latest value
            parts.append(f'<path d="{d}" fill="none" stroke="{line.colour}" stroke-width="1.6">'
                         f'<title>{html.escape(line.name)}: {shown:.4g} at the latest point</title></path>')
            if line.markers:
                parts += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{line.colour}"/>'
                          for x, y in zip(line.xs, line.ys) if y is not None and math.isfinite(y)]
    if not drawn:
        parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" '
                     f'fill="gray">{html.escape(empty_note)}</text>')
    parts += _legend([line for line in lines if not line.faint], TOP + plot_h + 54)
    # A step axis says where it lies, so a click can be read as a step (the live feed's script:
    # clicking a chart shows that step's picture).
    steps = (f'data-step-lo="{x_lo:g}" data-step-hi="{x_hi:g}" data-width="{WIDTH}" data-plot-left="{LEFT}" '
             f'data-plot-width="{plot_w}" cursor="pointer" ') if x_title == "step" and xs else ""
    # The opening tag alone on the first line: Markdown then passes the whole block through as HTML.
    return (f'<svg class="gs-chart" data-points="{drawn}" {steps}viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
            f'style="max-width: {MAX_SHOWN_WIDTH}px" '
            f'role="img" aria-label="{html.escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT}>\n'
            + "".join(parts) + "</svg>")
