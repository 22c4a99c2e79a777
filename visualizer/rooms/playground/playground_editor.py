"""The inline weight editor: a small spin box that opens where a link was clicked.

Not a dialog: the network stays in view while the number changes, Enter (or leaving
the box) applies it, Escape cancels.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from visualizer.rooms.playground.playground_geometry import Link
from visualizer.theme import get_scale


class WeightEditor(QDoubleSpinBox):
    sigCommit = Signal(object, float)  # the Link, its new weight

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setRange(-10.0, 10.0)
        self.setDecimals(3)
        self.setSingleStep(0.1)
        self.setFixedWidth(round(96 * get_scale()))  # built at the zoom of the day
        self.hide()
        self.link: Link | None = None
        self.editingFinished.connect(self._commit)

    def open_at(self, link: Link, value: float, x: int, y: int) -> None:
        """Show the weight of ``link`` next to (x, y) in the parent, selected for typing."""
        self.link = link
        self.setValue(value)
        parent = self.parentWidget()
        assert parent is not None  # made with a parent (the canvas), never reparented
        self.move(min(x + 8, parent.width() - self.width()), max(0, y - self.height() - 4))
        self.show()
        self.setFocus()
        self.selectAll()

    def close_editor(self) -> None:
        self.link = None
        self.hide()

    def _commit(self) -> None:
        link, self.link = self.link, None
        if link is not None and self.isVisible():
            self.hide()
            self.sigCommit.emit(link, self.value())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_editor()
            return
        super().keyPressEvent(event)
