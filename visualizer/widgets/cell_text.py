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


def short(x: float, digits: int = 2) -> str:
    """A compact number: 3 significant digits, or "4.4e-4" for tiny / huge magnitudes."""
    a = abs(x)
    if x == 0:
        return "0"
    if a < 0.01 or a >= 1e4:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        return f"{mantissa}e{int(exponent)}".replace("-", "−")
    return f"{x:.3g}".replace("-", "−")


def power_of_ten(exponent: int) -> str:
    """ "×10⁻⁴" for -4."""
    return "×10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


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
    else:  # tiny matrices are scaled by a common power of ten before they get here
        text = f"{x:.2f}" if x else "0"
    return text.replace("-", "−")


class CellText(pg.GraphicsObject):
    """Paints ``format_value`` of every cell of a (rows, cols) array on top of an image."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[list[str]] = []
        self.widest = [0, 0, 0]  # the longest label's width in each font
        self.dark: np.ndarray = np.zeros((0, 0), bool)
        self.dims = (0, 0)
        self._pending: tuple[np.ndarray, np.ndarray, str] | None = None
        self.exponent = 0
        self.fonts = [(ui_font(size), QFontMetrics(ui_font(size))) for size in (8, 9, 11)]
        self.setZValue(5)

    def set_values(self, values: np.ndarray, rgba: np.ndarray, mode: str) -> int:
        """Remember the values and colours; the labels are made on the first paint that
        has room for them (most large matrices never do). Tiny or huge values are written
        as multiples of a common power of ten; returns that exponent (0: none)."""
        self.prepareGeometryChange()
        self.dims = values.shape
        finite = np.abs(values[np.isfinite(values)])
        top = float(finite.max()) if finite.size else 0.0
        self.exponent = 0
        if mode == "diverging" and top and (top < 0.01 or top >= 1e4):
            self.exponent = int(np.floor(np.log10(top)))
        self._pending = (values, rgba, mode) if values.size <= MAX_CELLS else None
        self.texts = []
        self.update()
        return self.exponent

    def _make_texts(self) -> None:
        assert self._pending is not None  # paint() calls this only while labels are pending
        values, rgba, mode = self._pending
        self._pending = None
        scale = 10.0**-self.exponent
        self.texts = [[format_value(float(x) * scale, mode) for x in row] for row in values]
        flat = sorted({s for row in self.texts for s in row}, key=len)[-4:]  # the longest
        self.widest = [
            max((m.horizontalAdvance(s) for s in flat), default=0) for _, m in self.fonts
        ]
        lum = rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114
        self.dark = lum < 140

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.dims[1], self.dims[0])

    def paint(self, painter: QPainter, *args: object) -> None:
        t = painter.transform()
        cell = t.mapRect(QRectF(0, 0, 1, 1))
        if self._pending is not None and cell.width() >= 14 and cell.height() >= 12:
            self._make_texts()
        if not self.texts:
            return
        widest, font, metrics = self.widest[0], *self.fonts[0]
        for k in (2, 1):  # the biggest font that fits the cells comfortably
            f, m = self.fonts[k]
            if cell.width() >= self.widest[k] + 6 and cell.height() >= 2.2 * m.height():
                widest, font, metrics = self.widest[k], f, m
                break
        if cell.width() < widest + 4 or cell.height() < metrics.height() + 1:
            return
        painter.save()
        painter.resetTransform()
        painter.setFont(font)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        light, dark = QColor("#ffffff"), QColor("#1d1d1f")
        for r, row in enumerate(self.texts):
            for c, text in enumerate(row):
                painter.setPen(light if self.dark[r, c] else dark)
                painter.drawText(t.mapRect(QRectF(c, r, 1, 1)), Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
