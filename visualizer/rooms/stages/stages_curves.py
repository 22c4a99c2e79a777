"""A titled pyqtgraph plot of one or more curves over the steps, with its latest numbers.

Curves are updated in place (``set_curves``); pyqtgraph thins them to the pixels, so a
redraw per training step stays cheap. NaN points (no value at that step) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from visualizer.theme import GRID, ui_font
from visualizer.widgets.chart_axes import style_axes
from visualizer.widgets.numbers import significant
from visualizer.widgets.whole_label import WholeLabel

Curve = tuple[Sequence[float], Sequence[float], str, str]  # (x, y, colour, label)


class CurvePlot(QWidget):
    """``set_curves([(xs, ys, colour, label), ...])``; the title via ``set_title``."""

    def __init__(self, parent: QWidget | None = None, height: int = 110) -> None:
        super().__init__(parent)
        # wrapped, never widening the page (zoom, Chinese), and never squeezed below
        # their text where the page is short (a 2 × 2 grid of plots at 200 %)
        self.title = WholeLabel()
        self.title.setFont(ui_font(9, bold=True))
        self.numbers = WholeLabel(" ")
        self.numbers.setFont(ui_font(9))
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.plot = pg.PlotWidget(background="w", enableMenu=False)  # no menu built
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(height)
        self.plot.getViewBox().setBorder(pg.mkPen(GRID))
        style_axes(self.plot)
        self.items: list[pg.PlotDataItem] = []
        self.data: list[tuple[np.ndarray, np.ndarray]] = []  # what is drawn (tests read it)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(self.title)
        lay.addWidget(self.numbers)
        lay.addWidget(self.plot, 1)

    def hasHeightForWidth(self) -> bool:
        """No: its wrapped texts keep their height as their minimum (``WholeLabel``)
        and the plot takes what is left. (A box layout takes a widget's height-for-width
        as its *least* height, and this one's holds the plot's preferred height: a
        short page then squeezed every text on it.)"""
        return False

    def set_title(self, text: str) -> None:
        self.title.setText(text)

    def set_curves(self, curves: Sequence[Curve]) -> None:
        while len(self.items) < len(curves):
            self.items.append(self.plot.plot())
        self.data = []
        parts = []
        for item, (xs, ys, colour, label) in zip(self.items, curves, strict=False):
            x, y = np.asarray(xs, float), np.asarray(ys, float)
            keep = np.isfinite(y)
            x, y = x[keep], y[keep]
            self.data.append((x, y))
            item.setPen(pg.mkPen(colour, width=2))
            item.setSymbol("o" if len(x) < 12 else None)
            item.setSymbolSize(4)
            item.setSymbolBrush(colour)
            item.setSymbolPen(colour)
            item.setData(x, y)
            if len(y):
                last = significant(float(y[-1]))
                parts.append(f"<span style='color:{colour}'>■ {label} <b>{last}</b></span>")
        for item in self.items[len(curves) :]:
            item.setData([], [])
        self.numbers.setText(" &nbsp; ".join(parts) or " ")
