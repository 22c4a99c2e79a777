"""A sparkline: one small line of values (a watched tensor's RMS at every
occurrence), points coloured by phase, the current occurrence ringed.

Painted with QPainter from points computed once per ``set_values`` and resize; moving
the current point only repaints. Clicking a point emits ``sigPicked(i)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.theme import GRID, HIGHLIGHT, MUTED, PHASE_COLORS, TEXT

PAD = 5.0


class Sparkline(QWidget):
    sigPicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: list[float] = []
        self.phases: list[str] = []
        self.current: int | None = None
        self._points: list[QPointF | None] = []
        self.setMinimumSize(80, 22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(140, 26)

    def set_values(self, values: Sequence[float], phases: Sequence[str] = ()) -> None:
        self.values = [float(v) for v in values]
        self.phases = list(phases) or ["forward"] * len(self.values)
        self._layout()
        self.update()

    def set_current(self, i: int | None) -> None:
        if i != self.current:
            self.current = i
            self.update()

    def point_count(self) -> int:
        return len(self.values)

    def _layout(self) -> None:
        finite = [v for v in self.values if math.isfinite(v)]
        n = len(self.values)
        if not finite:
            self._points = [None] * n
            return
        lo, hi = min(finite), max(finite)
        span = hi - lo if hi > lo else 1.0
        w, h = max(1.0, self.width() - 2 * PAD), max(1.0, self.height() - 2 * PAD)
        pts: list[QPointF | None] = []
        for i, v in enumerate(self.values):
            if not math.isfinite(v):
                pts.append(None)
                continue
            x = PAD + (w * i / (n - 1) if n > 1 else w / 2)
            y = PAD + h * (1 - (v - lo) / span) if hi > lo else PAD + h / 2
            pts.append(QPointF(x, y))
        self._points = pts

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor(GRID), 1))
        p.drawLine(
            QPointF(PAD, self.height() - PAD), QPointF(self.width() - PAD, self.height() - PAD)
        )
        pts = [q for q in self._points if q is not None]
        if len(pts) > 1:
            p.setPen(QPen(QColor(MUTED), 1.3))
            p.drawPolyline(QPolygonF(pts))
        radius = 2.2 if len(self.values) <= 40 else 1.2
        p.setPen(Qt.PenStyle.NoPen)
        for q, phase in zip(self._points, self.phases, strict=False):
            if q is not None:
                p.setBrush(QColor(PHASE_COLORS.get(phase, TEXT)))
                p.drawEllipse(q, radius, radius)
        c = self.current
        q = self._points[c] if c is not None and 0 <= c < len(self._points) else None
        if q is not None:
            p.setBrush(QColor(HIGHLIGHT))
            p.setPen(QPen(QColor(TEXT), 1.2))
            p.drawEllipse(q, 4.0, 4.0)
        p.end()

    def index_at(self, x: float) -> int | None:
        n = len(self.values)
        if not n:
            return None
        w = max(1.0, self.width() - 2 * PAD)
        return max(0, min(n - 1, round((x - PAD) * (n - 1) / w))) if n > 1 else 0

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().x())
        if i is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigPicked.emit(i)
