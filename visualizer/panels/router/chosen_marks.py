"""Outlines on the heatmap's cells of the experts the router chose (the traced top-k).

The shared ``Heatmap`` outlines one selected cell and highlights one row or column;
the router view needs one outline per token (k per token), so this keeps a small pool
of the heatmap's own outline items in its plot and moves them, never recreating them
on a cursor step.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg

from visualizer.theme import HIGHLIGHT, get_scale
from visualizer.widgets.heatmap_parts import QtRect

WIDTH = 3.0  # pixels at zoom 1 (a cosmetic pen: the same at any cell size)


class ChosenMarks:
    """``set_cells([(row, col), …])`` outlines exactly those cells of ``plot``."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.cells: list[tuple[int, int]] = []
        self._rects: list[QtRect] = []
        self._width = WIDTH

    def set_cells(self, cells: Sequence[tuple[int, int]]) -> None:
        """Outline these cells (and follow the presentation zoom's line width)."""
        self.cells = [(int(r), int(c)) for r, c in cells]
        while len(self._rects) < len(self.cells):
            rect = QtRect(HIGHLIGHT, self._width)
            rect.setZValue(8)  # over the numbers, under the selection outline
            self.plot.addItem(rect)
            self._rects.append(rect)
        width = WIDTH * get_scale()
        if width != self._width:
            self._width = width
            for rect in self._rects:
                pen = rect.pen()
                pen.setWidthF(width)
                rect.setPen(pen)
        for i, rect in enumerate(self._rects):
            if i < len(self.cells):
                r, c = self.cells[i]
                rect.setRect(c + 0.04, r + 0.04, 0.92, 0.92)
                rect.setVisible(True)
            else:
                rect.setVisible(False)
