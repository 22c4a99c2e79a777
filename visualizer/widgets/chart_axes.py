"""The look of a small chart's axes, shared by the rooms' and panels' pyqtgraph charts:
a quiet line, tick numbers in the theme's font.

The tick font is set from ``ui_font``, not left to pyqtgraph's default: the
presentation zoom scales fonts a widget or item sets itself, so ticks left at the
default stayed at their desktop size on a projector at 200 % (the playground's and
the stages room's loss curves, the playground's plane).
"""

from __future__ import annotations

from math import floor, log10
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

from visualizer.theme import GRID, MUTED, ui_font

TICK_PT = 8


def style_axes(plot: Any, text: str = MUTED, sides: tuple[str, ...] = ("left", "bottom")) -> None:
    """``plot`` (a PlotWidget or PlotItem): its axes' lines in the grid colour, tick
    numbers in ``text`` at ``TICK_PT`` points times the zoom of the day."""
    for side in sides:
        axis = plot.getAxis(side)
        axis.setTextPen(pg.mkPen(text))
        axis.setPen(pg.mkPen(GRID))
        axis.setStyle(tickFont=ui_font(TICK_PT))


class FitAxis(pg.AxisItem):
    """A horizontal axis whose numbers never run together: ticks at least as far apart
    as their widest label (and a gap).

    pyqtgraph spaces ticks by the axis' length alone and always labels the first level,
    so a narrow chart at presentation zoom wrote "0.20.40.60.8" (the training charts
    before a run, 180 px wide at 200 %)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        levels: list[tuple[float, float]] = super().tickSpacing(minVal, maxVal, size)
        span = maxVal - minVal
        if not levels or span <= 0 or size <= 0 or self.orientation not in ("bottom", "top"):
            return levels
        font = self.style["tickFont"] or QFont()
        fm = QFontMetricsF(font)
        major = levels[0][0]
        for _ in range(30):  # 1, 2, 5 x 10^k upwards until the labels fit
            labels = self.tickStrings([minVal, maxVal, minVal + major], 1.0, major)
            need = max(fm.horizontalAdvance(s) for s in labels) + fm.averageCharWidth() * 2
            if major * size / span >= need:
                break
            major = _next_nice(major)
        if major == levels[0][0]:
            return levels
        return [(major, 0.0), (major / 5 if _mantissa(major) != 2 else major / 4, 0.0)]


def _mantissa(x: float) -> int:
    return round(x / 10 ** floor(log10(x)))


def _next_nice(x: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50 … after ``x``."""
    k = 10 ** floor(log10(x))
    m = _mantissa(x)
    return (2 if m < 2 else 5 if m < 5 else 10) * k
