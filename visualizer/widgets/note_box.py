"""A view's note under its title: a wrapping label in a padded box that turns
highlighted for a preview, with the same box either way (no layout jump).

The padding and the highlight belong to the box, not to the label: a label that
carries its own padding (a style sheet's ``padding``) is laid out a few pixels
narrower than it says it is, so its wrapped height is reckoned for the wrong width and
its last line could be cut at a projector's zoom (issue 16). Here the label's whole
rectangle is its text's, and the box's layout gives it the height its text needs at
the width it has.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from visualizer.theme import HIGHLIGHT, MUTED, TEXT, ui_font

PAD = (6, 2)  # pixels left/right and top/bottom around the text, as the old padding


class NoteBox(QFrame):
    """``label`` (the text), in a box; ``set_note(text, highlighted)``."""

    def __init__(self, pt: float = 9, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("note-box")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.label = QLabel()
        self.label.setFont(ui_font(pt))
        self.label.setWordWrap(True)  # a long note wraps instead of widening the view
        lay = QVBoxLayout(self)
        lay.setContentsMargins(PAD[0], PAD[1], PAD[0], PAD[1])
        lay.setSpacing(0)
        lay.addWidget(self.label)
        self.highlighted: bool | None = None
        self.set_highlight(False)

    def set_note(self, text: str, highlighted: bool = False) -> None:
        self.label.setText(text)
        self.set_highlight(highlighted)

    def set_highlight(self, on: bool) -> None:
        """Highlighted (a preview: dark text on the highlight colour) or muted."""
        if on == self.highlighted:
            return
        self.highlighted = on
        background = f"background: {HIGHLIGHT}; border-radius: 4px;" if on else ""
        self.setStyleSheet(f"#note-box {{ {background} }}")
        self.label.setStyleSheet(f"color: {TEXT if on else MUTED}; background: transparent")
