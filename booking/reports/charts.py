"""PNG charts of the statistics with matplotlib's object API (Agg), never pyplot's global state.

Each request builds its own ``Figure`` and canvas, so concurrent requests in threaded servers
share nothing. Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies) and every bar carries its number, so no figure depends on colour alone; fonts are
DejaVu Sans, which ships with matplotlib (Latin, Cyrillic, Arabic script; matplotlib shapes
right-to-left text with libraqm).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

# Okabe & Ito (2008), "Color Universal Design".
STATUS_COLOURS = {"attended": "#009E73", "no_show": "#D55E00", "cancelled": "#999999",
                  "confirmed": "#0072B2"}
ACCENT = "#0072B2"
INK = "#1a1a1a"
WIDTH_INCHES = 8.0
DPI = 100
FONT = "DejaVu Sans"  # matplotlib's default font, named so a changed default cannot surprise


@dataclass(frozen=True)
class Series:
    key: str  # a status for stacked charts; colours follow it
    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartSpec:
    """What to draw. ``kind``: ``columns_by_status`` (months), ``bars_by_status`` (places,
    services, languages …), ``rate`` (a share per month) or ``columns`` (one series)."""

    kind: str
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    note: str = ""  # one line under the plot, e.g. the median

    @property
    def size_inches(self) -> tuple[float, float]:
        if self.kind == "bars_by_status":
            return WIDTH_INCHES, max(2.6, 1.5 + 0.42 * len(self.labels))
        return WIDTH_INCHES, 4.2

    @property
    def size_pixels(self) -> tuple[int, int]:
        width, height = self.size_inches
        return round(width * DPI), round(height * DPI)


def render_png(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes."""
    figure = Figure(figsize=spec.size_inches, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _DRAW[spec.kind](axes, spec)
    _style(axes)
    # Title above and legend below the plot, laid out by the figure so nothing overlaps.
    figure.suptitle(spec.title, x=0.01, ha="left", fontsize=13, fontweight="bold",
                    fontfamily=FONT, color=INK)
    if spec.kind.endswith("_by_status") and axes.get_legend_handles_labels()[0]:
        figure.legend(loc="outside lower left", ncols=4, frameon=False, handlelength=1.2,
                      prop={"family": FONT, "size": 10})
    if spec.note:
        figure.text(0.01, 0.01, spec.note, fontsize=10, color=INK, fontfamily=FONT)
    if not spec.labels or not any(any(v for v in s.values if v) for s in spec.series):
        axes.text(0.5, 0.5, _("No appointments in this period"), transform=axes.transAxes,
                  ha="center", va="center", fontsize=12, fontfamily=FONT, color=INK)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _style(axes) -> None:
    """Style set on the artists themselves: rcParams are process-wide, and changing them (even
    in ``rc_context``) would race between requests served by threads."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#666666")
    axes.tick_params(colors=INK, labelsize=10)
    for label in (axes.xaxis.label, axes.yaxis.label):
        label.set(fontsize=11, color=INK, fontfamily=FONT)
    for tick in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        tick.set_fontfamily(FONT)


def _columns_by_status(axes, spec: ChartSpec) -> None:
    positions = range(len(spec.labels))
    bottom = [0.0] * len(spec.labels)
    for series in _drawn(spec):
        values = [v or 0 for v in series.values]
        axes.bar(positions, values, bottom=bottom, label=series.label, width=0.75,
                 color=STATUS_COLOURS.get(series.key, ACCENT), edgecolor="white", linewidth=0.6)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if len(spec.labels) <= 18:  # totals above the columns while they still fit
        for x, total in zip(positions, bottom, strict=True):
            if total:
                axes.annotate(_number(total), (x, total), xytext=(0, 3), textcoords="offset points",
                              ha="center", va="bottom", fontsize=9)
    axes.set_xticks(list(positions), spec.labels, rotation=0 if len(spec.labels) <= 8 else 45,
                    ha="center" if len(spec.labels) <= 8 else "right",
                    rotation_mode="anchor", fontsize=10)
    _thin_ticks(axes, spec.labels)
    axes.set_ylabel(_("Appointments"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(bottom, default=0) * 1.12 or 1)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)


def _bars_by_status(axes, spec: ChartSpec) -> None:
    positions = range(len(spec.labels))
    left = [0.0] * len(spec.labels)
    for series in _drawn(spec):
        values = [v or 0 for v in series.values]
        axes.barh(positions, values, left=left, label=series.label, height=0.7,
                  color=STATUS_COLOURS.get(series.key, ACCENT), edgecolor="white", linewidth=0.6)
        left = [b + v for b, v in zip(left, values, strict=True)]
    for y, total in zip(positions, left, strict=True):
        axes.annotate(_number(total), (total, y), xytext=(4, 0), textcoords="offset points",
                      ha="left", va="center", fontsize=10)
    axes.set_yticks(list(positions), [_shorten(label) for label in spec.labels])
    axes.set_ylim(max(len(spec.labels), 1) - 0.5, -0.5)  # largest first, at the top
    axes.set_xlabel(_("Appointments"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(0, max(left, default=0) * 1.12 or 1)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)


def _rate(axes, spec: ChartSpec) -> None:
    positions = list(range(len(spec.labels)))
    for series in spec.series:
        values = [math.nan if v is None else v for v in series.values]
        axes.plot(positions, values, marker="o", color=STATUS_COLOURS.get(series.key, ACCENT),
                  linewidth=2, label=series.label)
        for x, value in zip(positions, values, strict=True):
            if not math.isnan(value) and len(positions) <= 18:
                axes.annotate(format_percent(value), (x, value), xytext=(0, 6),
                              textcoords="offset points", ha="center", fontsize=9)
    axes.set_xticks(positions, spec.labels, rotation=0 if len(spec.labels) <= 8 else 45,
                    ha="center" if len(spec.labels) <= 8 else "right", rotation_mode="anchor",
                    fontsize=10)
    _thin_ticks(axes, spec.labels)
    highest = max((v for s in spec.series for v in s.values if v is not None), default=0)
    axes.set_ylim(0, max(0.25, highest * 1.25))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_ylabel(_("No-show rate"))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_xlim(-0.5, len(positions) - 0.5)


def _columns(axes, spec: ChartSpec) -> None:
    positions = list(range(len(spec.labels)))
    for series in spec.series:
        values = [v or 0 for v in series.values]
        bars = axes.bar(positions, values, width=0.65, color=ACCENT, label=series.label)
        axes.bar_label(bars, labels=[_number(v) for v in values], padding=3, fontsize=10)
        axes.set_ylim(0, max(values, default=0) * 1.15 or 1)
    axes.set_xticks(positions, spec.labels)
    axes.set_xlabel(_("Days from booking to appointment"))
    axes.set_ylabel(_("Appointments"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)


def _drawn(spec: ChartSpec) -> list[Series]:
    """The series with something to show: an empty status would only clutter the legend."""
    return [s for s in spec.series if any(s.values)] or list(spec.series[:1])


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0")


def _thin_ticks(axes, labels) -> None:
    """Over two years of months, label every third one so the labels never overlap."""
    if len(labels) > 24:
        for index, tick in enumerate(axes.get_xticklabels()):
            tick.set_visible(index % 3 == 0)


def _shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


_DRAW = {"columns_by_status": _columns_by_status, "bars_by_status": _bars_by_status,
         "rate": _rate, "columns": _columns}
