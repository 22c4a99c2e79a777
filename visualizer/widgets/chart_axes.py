"""The look of a small chart's axes, shared by the rooms' and panels' pyqtgraph charts:
a quiet line, tick numbers in the theme's font.

The tick font is set from ``ui_font``, not left to pyqtgraph's default: the
presentation zoom scales fonts a widget or item sets itself, so ticks left at the
default stayed at their desktop size on a projector at 200 % (the playground's and
the stages room's loss curves, the playground's plane).
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg

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
