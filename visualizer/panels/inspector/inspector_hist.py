"""The inspector's histogram: counts of the finite values in equal bins, with the NaN and
±Inf counts written beside it (they are never binned: core.inspector.histogram)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.theme import GRID, MUTED, TEXT, ui_font

if TYPE_CHECKING:
    from core.inspector import Histogram

BAR = "#3b7dd8"


class HistogramPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setFont(ui_font(9, bold=True))
        self.plot = pg.PlotWidget(background="w", enableMenu=False)  # no menu built
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(90)
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setTextPen(pg.mkPen(TEXT))
            ax.setPen(pg.mkPen(GRID))
            ax.setStyle(tickFont=ui_font(8), tickLength=0)
            ax.enableAutoSIPrefix(False)
        self.bars = pg.BarGraphItem(x0=[0], x1=[1], height=[0], brush=BAR, pen=pg.mkPen("w"))
        self.plot.addItem(self.bars)
        self.note = QLabel(" ")
        self.note.setFont(ui_font(9))
        self.note.setStyleSheet(f"color: {MUTED}")
        self.counts = np.zeros(0, np.int64)
        self.edges = np.zeros(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.note)

    def set_histogram(self, h: Histogram | None, title: str, note: str) -> None:
        """Draw ``h`` (None: nothing to bin, e.g. no finite value)."""
        self.title.setText(title)
        self.note.setText(note or " ")
        if h is None or not h.counts.size:
            self.counts, self.edges = np.zeros(0, np.int64), np.zeros(1)
            self.bars.setOpts(x0=[0], x1=[1], height=[0])
            return
        self.counts, self.edges = h.counts, h.edges
        lo, hi = float(h.edges[0]), float(h.edges[-1])
        x0, x1 = h.edges[:-1], h.edges[1:]
        if hi == lo:  # every value equal: one visible bar around it
            x0, x1 = np.array([lo - 0.5]), np.array([lo + 0.5])
            heights = np.array([h.counts.sum()])
        else:
            heights = h.counts
        self.bars.setOpts(x0=x0, x1=x1, height=heights.astype(np.float64))
        self.plot.setXRange(float(x0[0]), float(x1[-1]), padding=0.02)
        self.plot.setYRange(0, max(1.0, float(heights.max())), padding=0.05)
