"""A wrapping rich-text label in the app's font: the paragraphs of the answer views."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from visualizer.theme import ui_font


def rich_label(pt: int, bold: bool = False) -> QLabel:
    """A label of ``pt`` points that wraps and reads its text as rich text (numbers in
    bold, colours)."""
    lab = QLabel()
    lab.setFont(ui_font(pt, bold))
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText)
    return lab
