"""Numbers written inside heatmap cells, when the cells are big enough to hold them.

One graphics item paints every label in a single ``paint`` call (no per-cell items),
in device pixels so the text stays crisp whatever the view's scale. Text is dark on
light cells and white on dark ones; a masked score reads "−∞".
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter

from visualizer.theme import ui_font

MAX_CELLS = 2500  # above this many cells numbers are never drawn (they could not fit)


def format_value(x: float, mode: str) -> str:
    """A short label for one cell: integers for ids, two decimals for probabilities."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "−∞" if x < 0 else "∞"
    if mode == "ids":
        return str(int(x))
    if mode == "probability":
        return f"{x:.2f}"
    a = abs(x)
    if a >= 100:
        text = f"{x:.0f}"
    elif a >= 10:
        text = f"{x:.1f}"
    else:
        text = f"{x:.2f}"
    return text.replace("-", "−")


class CellText(pg.GraphicsObject):
    """Paints ``format_value`` of every cell of a (rows, cols) array on top of an image."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[list[str]] = []
        self.dark: np.ndarray = np.zeros((0, 0), bool)
        self.shape = (0, 0)
        self.font = ui_font(8)
        self.metrics = QFontMetrics(self.font)
        self.setZValue(5)

    def set_values(self, values: np.ndarray, rgba: np.ndarray, mode: str) -> None:
        """Remember the labels and which cells are dark (for white text); repaints."""
        self.prepareGeometryChange()
        self.shape = values.shape
        if values.size > MAX_CELLS:
            self.texts, self.dark = [], np.zeros((0, 0), bool)
        else:
            self.texts = [[format_value(float(x), mode) for x in row] for row in values]
            lum = rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114
            self.dark = lum < 140
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.shape[1], self.shape[0])

    def paint(self, painter: QPainter, *args: object) -> None:
        if not self.texts:
            return
        t = painter.transform()
        cell = t.mapRect(QRectF(0, 0, 1, 1))
        widest = max(
            (self.metrics.horizontalAdvance(s) for row in self.texts for s in row), default=0
        )
        if cell.width() < widest + 4 or cell.height() < self.metrics.height() + 1:
            return
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        light, dark = QColor("#ffffff"), QColor("#1d1d1f")
        for r, row in enumerate(self.texts):
            for c, text in enumerate(row):
                painter.setPen(light if self.dark[r, c] else dark)
                painter.drawText(t.mapRect(QRectF(c, r, 1, 1)), Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
