"""Charts drawn on the server as SVG (light, printable, no script, no network): this module computes the
geometry only — numbers and the labels to write — and templates/stats/_charts.html draws it, so every
label (a route's name, a category) reaches the SVG escaped as text."""
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 10, 30
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 18, 8, 190


def nice_top(value: float) -> float:
    """The axis's top: the value rounded up to 1, 2 or 4 times a power of ten (at least 1), so that its
    half is a whole number too."""
    if value <= 1:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    return next(step * power for step in (1, 2, 4, 10) if step * power >= value)


@dataclass
class LineChart:
    """Lines over a sequence of x labels (weeks): each series as SVG polyline points."""

    width: int
    height: int
    top_value: float
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    series: list[tuple[str, str]] = field(default_factory=list)   # (series key, "x,y x,y …")
    plot: tuple[float, float, float, float] = (0, 0, 0, 0)         # left, top, right, bottom


def line_chart(x_labels: list[str], series: dict[str, list[float]], label_every: int = 4,
               percent: bool = False) -> LineChart:
    """A line chart of counts (each series as long as x_labels; the axis in whole numbers), or of shares
    (percent: values 0..1 drawn as 0..100 %)."""
    top = 1.0 if percent else max(2, nice_top(max((v for values in series.values() for v in values), default=0)))
    left, right, plot_top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    step = (right - left) / max(len(x_labels) - 1, 1)

    def y(value):
        return bottom - (bottom - plot_top) * (value / top)

    chart = LineChart(WIDTH, HEIGHT, top, plot=(left, plot_top, right, bottom))
    chart.x_ticks = [(left + i * step, label) for i, label in enumerate(x_labels) if i % label_every == 0]
    chart.y_ticks = [(y(top * f), f"{round(top * f * 100)} %" if percent else f"{top * f:g}") for f in (0, 0.5, 1)]
    chart.series = [(key, " ".join(f"{left + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values)))
                    for key, values in series.items()]
    return chart


@dataclass
class BarRow:
    """One labelled row of stacked horizontal bars: (x, width, segment key, value) per segment; total None
    when the row has no figure at all (drawn as "no data", never as 0)."""

    label: str
    y: float
    bars: list[tuple[float, float, str, float]]
    total: float | None


@dataclass
class BarChart:
    """Horizontal stacked bars, one row per label."""

    width: int
    height: int
    top_value: float
    rows: list[BarRow] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    plot: tuple[float, float, float, float] = (0, 0, 0, 0)


def bar_chart(rows: list[tuple[str, list[float] | None]], segments: list[str], whole: bool = True) -> BarChart:
    """Stacked bars: rows of (label, one value per segment key, or None: no figure); whole: counts (the axis
    in whole numbers)."""
    top = nice_top(max((sum(values) for _, values in rows if values), default=0))
    top = max(2, top) if whole else top
    left, right = LABEL_WIDTH, WIDTH - RIGHT
    height = TOP + len(rows) * (BAR_HEIGHT + BAR_GAP) + BOTTOM
    chart = BarChart(WIDTH, height, top, plot=(left, TOP, right, height - BOTTOM))
    scale = (right - left) / top
    for index, (label, values) in enumerate(rows):
        x, bars = float(left), []
        for key, value in zip(segments, values or [], strict=False):
            bars.append((x, value * scale, key, value))
            x += value * scale
        chart.rows.append(BarRow(label, TOP + index * (BAR_HEIGHT + BAR_GAP), bars,
                                 sum(values) if values is not None else None))
    chart.x_ticks = [(left + (right - left) * f, f"{top * f:g}") for f in (0, 0.5, 1)]
    return chart
