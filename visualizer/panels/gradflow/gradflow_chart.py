"""Horizontal bar chart of gradient norms per block, input at the bottom, output on top.

Two bars per block: the gradient at the block's output activation (dark) and its
parameters' gradient (light), both in the backward phase's colour; linear or log10
x axis. Painted with QPainter; ``sigBlockClicked(i)`` when a row is clicked.

Drawn in design units and scaled as a whole by the presentation zoom (as far as the
widget has room, never below 1), so rows, labels and ticks grow together: zoomed type
in rows of fixed height overlapped at 150 %. Fonts are made at paint time in design
units (the painter applies the zoom); clicks are mapped back from screen units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visualizer.theme import (
    GRID,
    HIGHLIGHT,
    MUTED,
    PHASE_COLORS,
    TEXT,
    design_font,
    fit_scale,
    get_scale,
    ui_font,
)

ACT = QColor(PHASE_COLORS["backward"])
PARAM = QColor(PHASE_COLORS["backward"]).lighter(150)
LABEL_W = 160.0
AXIS_H = 20.0
MIN_ROW = 15.0  # design height a row needs for its 9 pt label
MIN_PLOT_W = 200.0  # design width the bars need beside the labels


def tick_text(v: float) -> str:
    return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e") if v else "0"


class GradFlowChart(QWidget):
    sigBlockClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.values: list[tuple[float, float]] = []  # (activation grad, parameter grad)
        self.highlight: int | None = None
        self.log = True
        self._font = ui_font(9)
        self._bold = ui_font(9, bold=True)

    def sizeHint(self) -> QSize:
        z = get_scale()
        return QSize(round(600 * z), round((22 * max(1, len(self.values)) + AXIS_H) * z))

    def minimumSizeHint(self) -> QSize:
        """While zoomed: room for every row at zoom 1 (not zoomed, so the window never
        outgrows the screen; the dock scrolls). At zoom 1 no minimum, as before."""
        if get_scale() <= 1.0:
            return super().minimumSizeHint()
        return QSize(int(LABEL_W + MIN_PLOT_W), int(self._need_h()))

    def apply_scale(self, _scale: float) -> None:
        """The presentation zoom changed: the minimum and the drawing follow."""
        self.updateGeometry()
        self.update()

    def _need_h(self) -> float:
        return MIN_ROW * max(1, len(self.values)) + AXIS_H + 10

    def drawing_scale(self) -> float:
        """The painter's scale: the zoom, or less where the widget has no room (not
        below 1)."""
        return fit_scale(self.width() / (LABEL_W + MIN_PLOT_W), self.height() / self._need_h())

    def set_data(self, labels: Sequence[str], values: Sequence[tuple[float, float]]) -> None:
        self.labels, self.values = list(labels), list(values)
        self.updateGeometry()
        self.update()

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.update()

    def set_highlight(self, i: int | None) -> None:
        if i != self.highlight:
            self.highlight = i
            self.update()

    def set_log(self, log: bool) -> None:
        self.log = log
        self.update()

    # -- geometry ----------------------------------------------------------------------
    def _design(self) -> tuple[float, float]:
        """The widget's width and height in design units."""
        s = self.drawing_scale()
        return self.width() / s, self.height() / s

    def _plot(self) -> QRectF:
        w, h = self._design()
        return QRectF(LABEL_W, 4, max(20.0, w - LABEL_W - 14), h - AXIS_H - 6)

    def _row_h(self) -> float:
        return self._plot().height() / max(1, len(self.values))

    def design_row_rect(self, i: int) -> QRectF:
        """Row i (0 = input block) counts from the bottom; in design units."""
        plot, h = self._plot(), self._row_h()
        n = len(self.values)
        return QRectF(0, plot.top() + (n - 1 - i) * h, self._design()[0], h)

    def row_rect(self, i: int) -> QRectF:
        """Row i on screen (widget pixels)."""
        r, s = self.design_row_rect(i), self.drawing_scale()
        return QRectF(r.left() * s, r.top() * s, r.width() * s, r.height() * s)

    def row_at(self, y: float) -> int | None:
        """The row under screen height ``y``."""
        plot, n = self._plot(), len(self.values)
        y = y / self.drawing_scale()
        if not n or not plot.top() <= y < plot.bottom():
            return None
        return n - 1 - int((y - plot.top()) // self._row_h())

    def _range(self) -> tuple[float, float]:
        vals = [v for pair in self.values for v in pair if v > 0]
        if not vals:
            return (1e-8, 1.0) if self.log else (0.0, 1.0)
        if self.log:
            lo = 10 ** math.floor(math.log10(min(vals)))
            hi = 10 ** math.ceil(math.log10(max(vals)))
            return lo, hi if hi > lo else lo * 10
        return 0.0, max(vals) * 1.05

    def x_of(self, v: float) -> float:
        plot = self._plot()
        lo, hi = self._range()
        if self.log:
            f = (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            f = (v - lo) / (hi - lo)
        return plot.left() + plot.width() * min(1.0, max(0.0, f))

    def _ticks(self) -> list[float]:
        lo, hi = self._range()
        if self.log:
            return [10.0**e for e in range(round(math.log10(lo)), round(math.log10(hi)) + 1)]
        step = 10 ** math.floor(math.log10(hi / 4)) if hi > 0 else 1.0
        while hi / step > 6:
            step *= 2
        return [k * step for k in range(int(hi / step) + 1)]

    # -- events ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.row_at(event.position().y())
        if i is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigBlockClicked.emit(i)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        s = self.drawing_scale()
        p.scale(s, s)
        self._font, self._bold = design_font(9), design_font(9, bold=True)
        plot, h = self._plot(), self._row_h()
        if self.highlight is not None and 0 <= self.highlight < len(self.values):
            r = self.design_row_rect(self.highlight)
            p.fillRect(r, QColor("#fff3d1"))
            p.fillRect(QRectF(r.left(), r.top(), 4, r.height()), QColor(HIGHLIGHT))
        p.setFont(self._font)
        for v in self._ticks():
            x = self.x_of(v)
            p.setPen(QPen(QColor(GRID), 1))
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            p.setPen(QColor(MUTED))
            p.drawText(
                QRectF(x - 30, plot.bottom() + 2, 60, AXIS_H - 2),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                tick_text(v),
            )
        bh = max(2.0, min(9.0, (h - 4) / 2))
        for i, (act, par) in enumerate(self.values):
            r = self.design_row_rect(i)
            cy = r.center().y()
            hl = i == self.highlight
            p.setFont(self._bold if hl else self._font)
            p.setPen(QColor(TEXT))
            label = self.labels[i] if i < len(self.labels) else ""
            p.drawText(
                QRectF(8, r.top(), LABEL_W - 14, r.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            x0 = plot.left()
            p.fillRect(QRectF(x0, cy - bh, max(1.0, self.x_of(act) - x0), bh - 0.5), ACT)
            p.fillRect(QRectF(x0, cy + 0.5, max(1.0, self.x_of(par) - x0), bh - 0.5), PARAM)
        p.setPen(QPen(QColor(MUTED), 1))
        p.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        p.end()
