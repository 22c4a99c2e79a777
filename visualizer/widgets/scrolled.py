"""A view in a scroll area that takes the view's place: the view keeps at least its
minimum size (its cells readable, its text whole) and scrolls when the room is
smaller, so no view's minimum size ever becomes the window's (issue 16: at 200 % on a
1366×768 screen the docks' minimums added up to a window of 2000×3000 pixels).

``view_of`` finds the view again from what holds it (a dock's widget).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

# The most of a view's minimum size its scroll area passes on to the window: small
# enough that the docks and the centre of the window fit side by side on a 1366×768
# screen at any zoom, large enough that neither squeezes the other to a sliver.
DOCK_CAP = (380, 160)
CENTRE_CAP = (480, 200)
FLOOR = (220, 140)  # and at least this, whatever the view says (a diagram says nothing)


class ViewScroll(QScrollArea):
    """A frameless, resizable scroll area around one view; its minimum size is the
    view's, up to ``cap``."""

    def __init__(
        self, view: QWidget, cap: tuple[int, int] = DOCK_CAP, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"scroll-{view.objectName() or type(view).__name__}")
        self.cap = cap
        self.setWidget(view)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def minimumSizeHint(self) -> QSize:
        view = self.widget()
        want = view.minimumSizeHint() if view is not None else QSize(0, 0)
        bar = self.verticalScrollBar().sizeHint().width()
        w = max(FLOOR[0], min(want.width() + bar, self.cap[0]))
        h = max(FLOOR[1], min(want.height() + bar, self.cap[1]))
        return QSize(w, h)


def scrolled(view: QWidget, cap: tuple[int, int] = DOCK_CAP) -> ViewScroll:
    return ViewScroll(view, cap)


def view_of(widget: QWidget | None) -> QWidget | None:
    """The view inside a ``ViewScroll`` (any other widget is its own view)."""
    if isinstance(widget, ViewScroll):
        return widget.widget()
    return widget
