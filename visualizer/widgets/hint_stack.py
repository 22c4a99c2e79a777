"""A view's two faces: a centred hint ("switch to 'Train one step' …") or its content.

The loss, gradient-flow and update views only have something to show for a traced
training step; this widget holds the hint page and the content page and switches.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from visualizer.theme import MUTED, ui_font


class HintStack(QStackedWidget):
    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setFont(ui_font(12))
        self.hint.setStyleSheet(f"color: {MUTED}; padding: 20px")
        self.addWidget(self.hint)
        self.addWidget(content)

    def show_content(self, on: bool) -> None:
        self.setCurrentIndex(1 if on else 0)
