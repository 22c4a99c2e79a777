"""A small chart of values across a training run's snapshots, one curve per line.

Used twice by the router view: each MoE layer's load-balancing loss (the dashed line
at 1 is the loss of a perfectly even load) and each expert's load in one layer (the
dashed line at 1/E is an even share), so a glance says whether training spread the
tokens over the experts or let a few take them all. Curves are updated in place
with ``setData``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt

from visualizer.theme import GRID, MUTED, TEXT, get_scale, head_color, ui_font

HEIGHT = 120  # pixels at zoom 1
LineData = tuple[str, list[int], list[float]]  # (legend name, training steps, losses)


class AuxChart(pg.PlotWidget):
    """``set_lines([(name, steps, losses), …])``; empty hides nothing (the view does)."""

    def __init__(self) -> None:
        super().__init__(background="w", enableMenu=False)  # no menu built
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.lines: list[LineData] = []
        self._curves: list[pg.PlotDataItem] = []
        item = self.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.2)
        self.legend = item.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.even = pg.InfiniteLine(
            pos=1.0, angle=0, pen=pg.mkPen(MUTED, width=1, style=Qt.PenStyle.DashLine)
        )
        item.addItem(self.even)
        for side in ("left", "bottom"):
            axis = self.getAxis(side)
            axis.setTextPen(pg.mkPen(TEXT))
            axis.setPen(pg.mkPen(GRID))
            axis.setStyle(tickFont=ui_font(8))
            axis.enableAutoSIPrefix(False)
        self.setMinimumHeight(HEIGHT)

    def sizeHint(self) -> QSize:
        return QSize(300, round(HEIGHT * 1.3 * get_scale()))

    def set_lines(
        self, lines: Sequence[LineData], axis: str, even: float = 1.0, top: float | None = None
    ) -> None:
        """One curve per line; ``axis`` names the x axis (training step); the dashed
        line marks ``even``, the value of a perfectly even load. ``top``: the y axis
        runs from 0 to it (a share), with the legend in one row along the top, clear
        of the curves; otherwise it fits the data, legend in the corner."""
        self.even.setValue(even)
        self.legend.setColumnCount(max(len(lines), 1) if top is not None else 1)
        left = self.getAxis("left")
        if top is None:
            self.enableAutoRange(axis="y")
            left.setTicks(None)  # automatic
        else:
            self.setYRange(0.0, top, padding=0.05)
            quarters = [(q / 4, f"{q / 4:g}") for q in range(int(top * 4) + 1)]
            left.setTicks([quarters])  # written in full: 0.25, not pyqtgraph's "0.2"
        self.lines = [(name, list(x), list(y)) for name, x, y in lines]
        zoom = get_scale()  # the presentation zoom: legend and height grow with the text
        self.setMinimumHeight(round(HEIGHT * zoom))
        self.legend.clear()
        self.legend.setLabelTextSize(f"{8 * zoom:.1f}pt")
        while len(self._curves) < len(self.lines):
            self._curves.append(self.plot([], [], symbol="o", symbolSize=4))
        for i, curve in enumerate(self._curves):
            if i < len(self.lines):
                name, x, y = self.lines[i]
                colour = head_color(i)
                curve.setData(x, y)
                curve.setPen(pg.mkPen(colour, width=2))
                curve.setSymbolBrush(pg.mkBrush(colour))
                curve.setSymbolPen(pg.mkPen(colour))
                curve.setVisible(True)
                self.legend.addItem(curve, name)
            else:
                curve.setData([], [])
                curve.setVisible(False)
        self.getAxis("bottom").setLabel(axis, color=MUTED, **{"font-size": f"{9 * zoom:.1f}pt"})
