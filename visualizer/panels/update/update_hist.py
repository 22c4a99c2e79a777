"""A small histogram of a parameter's values (the gradient, or the Adam update).

The plot and its step curve are created once; ``set_values`` re-bins in place with
``setData``, so stepping through the update steps never rebuilds widgets. ``counts``
keeps the last bin counts (they add up to the number of values shown).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from visualizer.theme import GRID, TEXT, ui_font

BINS = 40


class UpdateHistogram(QWidget):
    """``set_values(values, title)``: a filled step histogram of all finite values."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts = np.zeros(0, np.int64)
        self.edges = np.zeros(1, np.float64)
        self.title = QLabel(" ")
        self.title.setFont(ui_font(9, bold=True))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.plot = pg.PlotWidget(background="w", enableMenu=False)  # no menu built
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setTextPen(pg.mkPen(TEXT))
            ax.setPen(pg.mkPen(GRID))
            ax.setStyle(tickFont=ui_font(8))
        self.plot.getAxis("left").setWidth(34)
        fill = QColor(color)
        fill.setAlpha(110)
        self.curve = pg.PlotDataItem(
            [0.0, 1.0], [0.0], stepMode="center", fillLevel=0, brush=fill, pen=pg.mkPen(color)
        )
        self.plot.addItem(self.curve)
        self.zero = pg.InfiniteLine(
            0.0, angle=90, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.zero)
        self.cell = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen("#111111", width=2))
        self.plot.addItem(self.cell)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(1)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)

    def set_values(self, values: np.ndarray, title: str) -> None:
        """Bin ``values`` (any shape); non-finite values are left out."""
        v = np.asarray(values, dtype=np.float64).ravel()
        v = v[np.isfinite(v)]
        lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
        if hi <= lo:
            pad = abs(lo) * 0.01 or 1e-12
            lo, hi = lo - pad, hi + pad
        self.counts, self.edges = np.histogram(v, bins=BINS, range=(lo, hi))
        self.curve.setData(self.edges, self.counts.astype(np.float64))
        self.plot.setXRange(lo, hi, padding=0.02)
        self.plot.setYRange(0, max(1, int(self.counts.max(initial=0))), padding=0.05)
        self.zero.setVisible(lo <= 0.0 <= hi)
        self.title.setText(title)

    def mark(self, value: float | None) -> None:
        """A line at the selected cell's value (hidden for None)."""
        self.cell.setVisible(value is not None and bool(np.isfinite(value)))
        if value is not None and np.isfinite(value):
            self.cell.setValue(float(value))
