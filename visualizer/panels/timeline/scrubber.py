"""A timeline strip over every step: coloured by phase, banded by block, draggable.

One pixel column per step at most (steps are binned when there are more steps than
pixels), painted from a cached image so dragging across hundreds of steps costs one
blit per frame. Seeks are coalesced to one per frame while dragging. Breakpoint hits
(``set_marks``) are small red triangles above the bar and ticks below it, painted
into the same cached image, so they cost nothing per cursor move.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QPointF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.theme import HIGHLIGHT, PHASE_COLORS, ui_font

MARK = "#d62828"
HEIGHT = 34  # px at zoom 1: the bar and its section names (8 pt bold)


class Scrubber(QWidget):
    """``set_steps(phases, bands, labels)``, ``set_cursor(i)``; emits ``sigSeek(i)``."""

    sigSeek = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.phases: list[str] = []
        self.bands: list[int] = []
        self.labels: list[str] = []
        self.current = 0  # the step the cursor is at
        self.marks: list[int] = []  # steps a breakpoint hits (sorted)
        self._mark_set: frozenset[int] = frozenset()
        self.sections: list[tuple[int, str]] = []
        self._cache: QImage | None = None
        self._pending: int | None = None
        self._throttle = QTimer(self, singleShot=True, interval=16)
        self._throttle.timeout.connect(self._flush)

    def set_steps(
        self,
        phases: Sequence[str],
        bands: Sequence[int],
        labels: Sequence[str],
        sections: Sequence[tuple[int, str]] = (),
    ) -> None:
        """Per step: its phase, a band id (alternate shading per block), a hover label;
        ``sections`` name where parts start ("encoder", "t0", ...)."""
        self.phases, self.bands, self.labels = list(phases), list(bands), list(labels)
        self.sections = list(sections)
        self._cache = None
        self.update()

    def set_cursor(self, index: int) -> None:
        self.current = index
        self.update()

    def set_marks(self, marks: Sequence[int]) -> None:
        """Mark the steps a breakpoint hits; repaints only when they changed."""
        marks = sorted(marks)
        if marks == self.marks:
            return
        self.marks, self._mark_set = marks, frozenset(marks)
        self._cache = None
        self.update()

    def rescale(self, scale: float) -> None:
        """The presentation zoom changed (``TimelineView.apply_scale``, before it sizes
        the strip): the section names are drawn at the new size in a bar as much taller
        (the bar's picture is kept until its size changes: a bar of fixed height kept
        its desktop-size names)."""
        self.setMinimumHeight(round(HEIGHT * scale))
        self._cache = None
        self.update()

    # -- geometry ------------------------------------------------------------------
    def _x_of(self, index: int) -> float:
        n = max(1, len(self.phases))
        return (index + 0.5) * self.width() / n

    def index_at(self, x: float) -> int:
        n = len(self.phases)
        if not n:
            return 0
        return max(0, min(n - 1, int(x * n / max(1, self.width()))))

    def section_rects(self) -> list[tuple[QRect, str]]:
        """Where each section's label is written: only those that fit before the next
        label and the end ("损失" was written over "反向" in a short loss section; the
        hover tooltip names every step). The layout check reads these."""
        n, w, h = len(self.phases), max(1, self.width()), max(1, self.height())
        if not n:
            return []
        fm = QFontMetrics(ui_font(8, bold=True))
        out: list[tuple[QRect, str]] = []
        free = 0  # the first x not yet written on
        for start, label in self.sections:
            x = int(start * w / n) + 3
            rect = QRect(x, h // 2 + 4 - fm.ascent(), fm.horizontalAdvance(label), fm.height())
            if x >= free and rect.right() < w:
                out.append((rect, label))
                free = rect.right() + 4
        return out

    # -- painting ------------------------------------------------------------------
    def _render(self) -> QImage:
        w, h = max(1, self.width()), max(1, self.height())
        img = QImage(w, h, QImage.Format.Format_RGB32)
        img.fill(QColor("#f2f2f5"))
        n = len(self.phases)
        if n:
            p = QPainter(img)
            for i in range(n):
                x0, x1 = int(i * w / n), max(int(i * w / n) + 1, int((i + 1) * w / n))
                color = QColor(PHASE_COLORS.get(self.phases[i], "#888888"))
                if self.bands[i] % 2:
                    color = color.lighter(135)
                p.fillRect(QRect(x0, 6, x1 - x0, h - 12), color)
            p.setPen(QColor("#ffffff"))
            p.setFont(ui_font(8, bold=True))
            for start, _label in self.sections:
                x = int(start * w / n)
                p.drawLine(x, 6, x, h - 6)
            for rect, label in self.section_rects():
                p.drawText(rect.x(), h // 2 + 4, label)
            self._paint_marks(p, w, h)
            p.end()
        return img

    def _paint_marks(self, p: QPainter, w: int, h: int) -> None:
        """A red triangle above the bar and a tick below it at each hit (one per pixel
        column when hits are denser than pixels)."""
        if not self.marks:
            return
        color = QColor(MARK)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        columns = sorted({round(self._x_of(m)) for m in self.marks})
        for x in columns:
            p.drawPolygon(QPolygonF([QPointF(x - 3.5, 0), QPointF(x + 3.5, 0), QPointF(x, 6)]))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(QPen(color, 2))
        for x in columns:
            p.drawLine(x, h - 5, x, h - 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._cache is None or self._cache.size() != self.size():
            self._cache = self._render()
        p = QPainter(self)
        p.drawImage(QPoint(0, 0), self._cache)
        if self.phases:
            x = self._x_of(self.current)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor("#1d1d1f"), 3))
            p.drawLine(int(x), 0, int(x), self.height())
            p.setPen(QPen(QColor(HIGHLIGHT), 1))
            p.drawLine(int(x), 2, int(x), self.height() - 2)
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._cache = None
        super().resizeEvent(event)

    # -- interaction ---------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._queue(self.index_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().x())
        if 0 <= i < len(self.labels):
            mark = "  ●" if i in self._mark_set else ""
            self.setToolTip(f"{i}: {self.labels[i]}{mark}")
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._queue(i)

    def _queue(self, index: int) -> None:
        self._pending = index
        if not self._throttle.isActive():
            self._flush()
            self._throttle.start()

    def _flush(self) -> None:
        if self._pending is not None:
            index, self._pending = self._pending, None
            self.sigSeek.emit(index)
