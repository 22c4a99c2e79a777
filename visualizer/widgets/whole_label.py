"""A wrapping label that a crowded layout cannot squeeze below its text.

A word-wrapped ``QLabel`` asks for the height its text needs at its width only through
height-for-width, which a layout honours while there is room; where the room is short
(a page at presentation zoom, under a chapter's narration bar) the layout shares out
what there is by the widgets' *minimum* heights, and a wrapped label's minimum is a
guess of one or two lines: its last lines were cut (issue 16). This label's minimum
height is the height its text needs at the width it has, so the page it is on grows
and its scroll area scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class WholeLabel(QLabel):
    """A word-wrapped label whose minimum height is its wrapped text's."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._width = -1  # the width the minimum was last reckoned for

    def minimumSizeHint(self) -> QSize:
        base = super().minimumSizeHint()
        if self.width() <= 0 or not self.text():
            return base
        return QSize(base.width(), max(base.height(), self.heightForWidth(self.width())))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:  # another width: another height
            self._width = event.size().width()
            self.updateGeometry()
