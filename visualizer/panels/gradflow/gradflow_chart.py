"""Horizontal bar chart of gradient norms per block, input at the bottom, output on top.

Two bars per block: the gradient at the block's output activation (dark) and its
parameters' gradient (light), both in the backward phase's colour; linear or log10
x axis. Painted with QPainter; ``sigBlockClicked(i)`` when a row is clicked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visualizer.theme import GRID, HIGHLIGHT, MUTED, PHASE_COLORS, TEXT, ui_font

ACT = QColor(PHASE_COLORS["backward"])
PARAM = QColor(PHASE_COLORS["backward"]).lighter(150)
LABEL_W = 160.0
AXIS_H = 20.0


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
        return QSize(600, 22 * max(1, len(self.values)) + int(AXIS_H))

    def set_data(self, labels: Sequence[str], values: Sequence[tuple[float, float]]) -> None:
        self.labels, self.values = list(labels), list(values)
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
    def _plot(self) -> QRectF:
        return QRectF(
            LABEL_W, 4, max(20.0, self.width() - LABEL_W - 14), self.height() - AXIS_H - 6
        )

    def _row_h(self) -> float:
        return self._plot().height() / max(1, len(self.values))

    def row_rect(self, i: int) -> QRectF:
        """Row i (0 = input block) counts from the bottom."""
        plot, h = self._plot(), self._row_h()
        n = len(self.values)
        return QRectF(0, plot.top() + (n - 1 - i) * h, self.width(), h)

    def row_at(self, y: float) -> int | None:
        plot, n = self._plot(), len(self.values)
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
        plot, h = self._plot(), self._row_h()
        if self.highlight is not None and 0 <= self.highlight < len(self.values):
            r = self.row_rect(self.highlight)
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
            r = self.row_rect(i)
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
