"""A slim colour bar: the colour scale of a heatmap with a few labelled values.

pyqtgraph's ColorBarItem is a whole plot (a view box and four axes) per heatmap;
repainting those dominated the cost of a step. This item paints one gradient and a
handful of labels itself, and sits in the heatmap's plot layout right of the cells.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QGraphicsGridLayout

from visualizer.theme import GRID, MUTED, diverging_lut, get_scale, sequential_lut, ui_font
from visualizer.widgets.cell_text import short

BAR = 10  # width of the colour strip in pixels
SWATCH = 26  # height of the "masked" swatch
MASKED_RGB = (190, 190, 196)  # the colour of a -inf cell
LUTS = {"diverging": diverging_lut(), "probability": sequential_lut()}
LUTS["gain"] = LUTS["diverging"]  # a gain (LayerNorm γ): the same colours, centred on 1
WIDTH = 68  # strip + gap + labels


def bar_width() -> int:
    """The bar's width at the current zoom (presentation mode enlarges its numbers)."""
    return round(WIDTH * get_scale())


class ColorBar(pg.GraphicsWidget):
    """``set_scale(lut, lo, hi)``: the strip runs from ``lo`` (bottom) to ``hi`` (top)."""

    def __init__(self) -> None:
        super().__init__()
        self._width = bar_width()
        self.setFixedWidth(self._width)
        self.font = ui_font(8)
        self.metrics = QFontMetrics(self.font)
        self.lo, self.hi = -1.0, 1.0
        self.gradient = QLinearGradient()
        self._key: tuple[str, float, float, bool] | None = None
        self.masked = False  # some cells are -inf: add a grey "−∞" swatch under the strip

    def configure(
        self, layout: QGraphicsGridLayout, mode: str, lo: float, hi: float, masked: bool
    ) -> None:
        """Show the scale of ``mode`` ("ids": no bar, and give its room back to the
        cells in the plot's ``layout``); redraws only when something changed."""
        show = mode != "ids"
        width = bar_width() if show else 0
        if self.isVisible() != show or width != self._width:
            self._width = width
            self.setVisible(show)
            self.setFixedWidth(width)
            layout.setColumnFixedWidth(5, width)
            layout.setColumnFixedWidth(4, 6 if show else 0)
        key = (mode, lo, hi, masked)
        if show and key != self._key:
            self._key = key
            self.set_scale(LUTS[mode], lo, hi, masked)

    def set_scale(self, lut: np.ndarray, lo: float, hi: float, masked: bool = False) -> None:
        self.lo, self.hi, self.masked = lo, hi, masked
        stops = np.linspace(0, len(lut) - 1, 17).astype(int)
        self.gradient = QLinearGradient(0, 1, 0, 0)  # bottom to top, in bounding-box units
        self.gradient.setCoordinateMode(QLinearGradient.CoordinateMode.ObjectBoundingMode)
        for k, i in enumerate(stops):
            r, g, b = (int(x) for x in lut[i][:3])
            self.gradient.setColorAt(k / (len(stops) - 1), QColor(r, g, b))
        self.update()

    def ticks(self, height: float) -> list[float]:
        """Ends and centre; quarters when tall; fewer when short."""
        n = 5 if height >= 160 else 3 if height >= 60 else 2 if height >= 30 else 1
        return [self.hi] if n == 1 else [float(v) for v in np.linspace(self.lo, self.hi, n)]

    def paint(self, p: QPainter, *args: object) -> None:
        rect = self.boundingRect()
        swatch = SWATCH if self.masked and rect.height() > 3 * SWATCH else 0
        strip = QRectF(2, rect.top(), BAR, rect.height() - 1 - swatch)
        if strip.height() < 2:
            return
        if swatch:
            box = QRectF(2, rect.bottom() - 11, BAR, 10)
            p.setPen(QPen(QColor(GRID)))
            p.setBrush(QColor(*MASKED_RGB))
            p.drawRect(box)
            p.setFont(self.font)
            p.setPen(QPen(QColor(MUTED)))
            p.drawText(
                box.adjusted(BAR + 3, -2, 40, 2),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                "−∞",
            )
        p.setPen(QPen(QColor(GRID)))
        p.setBrush(self.gradient)
        p.drawRect(strip)
        p.setFont(self.font)
        p.setPen(QPen(QColor(MUTED)))
        span = self.hi - self.lo or 1.0
        line = self.metrics.height()
        for v in self.ticks(strip.height()):
            y = strip.bottom() - (v - self.lo) / span * strip.height()
            p.drawLine(QPointF(strip.right(), y), QPointF(strip.right() + 3, y))
            text = short(v)
            box = QRectF(strip.right() + 5, y - line / 2, self._width - BAR - 7, line)
            box.moveTop(min(max(box.top(), rect.top() - 6), rect.bottom() - line + 6))
            p.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
