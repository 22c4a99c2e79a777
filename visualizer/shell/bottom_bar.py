"""A bar across the whole window under the docks (the chapter narration).

It lives in the bottom tool bar area, which spans the window's full width — under the
room in front, between the docks, the narration had a third of the width at
presentation zoom, wrapped to nine lines and pushed the window's minimum height past
the screen (issue 16). The tool bar shows and hides with the widget it holds (the
feature shows and hides its widget as before) and comes back as the widget wants after
a dock layout is restored, which would otherwise restore the tool bar's old visibility.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QToolBar, QVBoxLayout, QWidget


class BottomBar(QToolBar):
    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"bottom-{widget.objectName() or type(widget).__name__}")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not the user's to close
        self.setStyleSheet("QToolBar { border: none; padding: 0px; margin: 0px; spacing: 0px; }")
        self.held = widget
        holder = QWidget()  # the widget hides inside it (a tool bar's own widget cannot)
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(widget)
        self.addWidget(holder)
        widget.installEventFilter(self)
        self.follow()

    def follow(self) -> None:
        """Shown exactly while the held widget is meant to be."""
        self.setVisible(not self.held.isHidden())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.held and event.type() in (
            QEvent.Type.ShowToParent,
            QEvent.Type.HideToParent,
        ):
            self.follow()
        return False
