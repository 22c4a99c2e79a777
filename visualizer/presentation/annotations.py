"""Lecture annotations: draw or highlight on top of the current view; gone on the next step.

``Annotations(target)`` lays a transparent overlay over ``target`` (the window, its
central area or one dock's view). Modes: ``"pen"`` (freehand strokes, thick and
bright), ``"highlight"`` (drag a translucent rectangle) and ``None`` (the overlay lets
every mouse event through, so hovering and clicking the views work as usual).
``clear()`` removes every mark; the presentation clears on each step (cursor change).
``Blank`` is the black screen of the presentation's B key.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from visualizer import theme

PEN_COLOUR = "#ff2d55"  # reads on white, on dark and on a projector
HIGHLIGHT_COLOUR = QColor(255, 214, 0, 90)
HIGHLIGHT_EDGE = "#ffb703"
PEN_WIDTH = 5.0  # at zoom 1; follows ``theme.get_scale``
MODES = (None, "pen", "highlight")


class Annotations(QWidget):
    """A see-through layer over ``target`` that holds strokes and highlight rectangles."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.target = target
        self.mode: str | None = None
        self.strokes: list[QPainterPath] = []
        self.widths: list[float] = []
        self.highlights: list[QRectF] = []
        self._drag: QPointF | None = None
        self._live: QRectF | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._follower = _Follow(self)
        target.installEventFilter(self._follower)
        self.set_mode(None)

    # -- state -----------------------------------------------------------------------
    def set_mode(self, mode: str | None) -> None:
        """``"pen"``, ``"highlight"`` or None (marks stay; the mouse reaches the views)."""
        self.mode = mode if mode in MODES else None
        drawing = self.mode is not None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not drawing)
        self.setCursor(
            QCursor(Qt.CursorShape.CrossCursor if drawing else Qt.CursorShape.ArrowCursor)
        )
        self._show()

    def _show(self) -> None:
        """On top while drawing or holding marks; out of the way otherwise."""
        if self.mode is not None or self.has_marks():
            self.setGeometry(self.target.rect())
            self.show()
            self.raise_()
        else:
            self.hide()

    def toggle(self, mode: str) -> None:
        self.set_mode(None if self.mode == mode else mode)

    def clear(self) -> None:
        if self.strokes or self.highlights or self._live is not None:
            self.strokes.clear()
            self.widths.clear()
            self.highlights.clear()
            self._live = None
            self.update()
        self._show()

    def has_marks(self) -> bool:
        return bool(self.strokes or self.highlights)

    # -- drawing ---------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.mode is None:
            event.ignore()
            return
        pos = event.position()
        if self.mode == "pen":
            path = QPainterPath(pos)
            path.lineTo(pos + QPointF(0.01, 0.01))  # a click leaves a dot
            self.strokes.append(path)
            self.widths.append(PEN_WIDTH * theme.get_scale())
        else:
            self._drag = pos
            self._live = QRectF(pos, pos)
        self.raise_()
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self.mode == "pen" and self.strokes and event.buttons():
            self.strokes[-1].lineTo(pos)
            self.update()
        elif self.mode == "highlight" and self._drag is not None:
            self._live = QRectF(self._drag, pos).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.mode == "highlight" and self._drag is not None:
            self._live = QRectF(self._drag, event.position()).normalized()
            if self._live.width() > 3 and self._live.height() > 3:
                self.highlights.append(self._live)
            self._live, self._drag = None, None
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not (self.strokes or self.highlights or self._live is not None):
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = QPen(QColor(HIGHLIGHT_EDGE), 2.5 * theme.get_scale())
        for rect in [*self.highlights, *([self._live] if self._live is not None else [])]:
            p.setPen(edge)
            p.setBrush(HIGHLIGHT_COLOUR)
            p.drawRoundedRect(rect, 6, 6)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for path, width in zip(self.strokes, self.widths, strict=True):
            p.setPen(
                QPen(
                    QColor(PEN_COLOUR),
                    width,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
            p.drawPath(path)
        p.end()


class Blank(QWidget):
    """Black over the whole window; a click brings the screen back."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.black)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()


class _Follow(QObject):
    """Keeps the overlay the size of its target, and on top of the target's children."""

    def __init__(self, overlay: Annotations) -> None:
        super().__init__(overlay)
        self.overlay = overlay

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.overlay.setGeometry(self.overlay.target.rect())
        elif kind == QEvent.Type.ChildAdded and self.overlay.has_marks():
            self.overlay.raise_()
        return False
