"""The tensor view's header: which step, what op, the output's shape, axes and statistics,
plus the head selector and the parameter toggle.

Built once; ``show_step`` only sets texts. The head buttons are rebuilt only when the
number of heads changes (a different model), never per step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.theme import MUTED, PHASE_COLORS, TEXT, head_color, ui_font


class TensorHeader(QWidget):
    """Three lines of text on the left, controls on the right."""

    sigHead = Signal(int)
    sigParams = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chip = QLabel()
        self.chip.setFont(ui_font(9, bold=True))
        self.chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel()
        self.name.setFont(ui_font(13, bold=True))
        self.name.setStyleSheet(f"color: {TEXT}")
        self.title = QLabel()
        self.title.setFont(ui_font(11))
        self.title.setStyleSheet(f"color: {MUTED}")
        self.meta = QLabel()
        self.meta.setFont(ui_font(9))
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.stats = QLabel()
        self.stats.setFont(ui_font(9))
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.head_label = QLabel()
        self.head_label.setFont(ui_font(9))
        self.heads = QButtonGroup(self)
        self.heads.setExclusive(True)
        self.heads.idClicked.connect(self.sigHead.emit)
        self.head_box = QWidget()
        self.head_lay = QHBoxLayout(self.head_box)
        self.head_lay.setContentsMargins(0, 0, 0, 0)
        self.head_lay.setSpacing(3)
        self.head_lay.addWidget(self.head_label)
        self.params = QCheckBox()
        self.params.setFont(ui_font(9))
        self.params.setChecked(True)
        self.params.toggled.connect(self.sigParams.emit)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.chip)
        top.addWidget(self.name)
        top.addWidget(self.title, 1)
        top.addWidget(self.head_box)
        top.addSpacing(10)
        top.addWidget(self.params)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 4)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.meta)
        lay.addWidget(self.stats)

    def set_heads(self, n: int, current: int, visible: bool) -> None:
        """Show ``n`` head buttons (rebuilt only when ``n`` changes), ``current`` checked."""
        buttons = self.heads.buttons()
        if len(buttons) != n:
            for b in buttons:
                self.heads.removeButton(b)
                b.deleteLater()
            for h in range(n):
                b = QToolButton()
                b.setText(str(h))
                b.setCheckable(True)
                b.setFont(ui_font(9, bold=True))
                b.setFixedSize(26, 22)
                c = head_color(h).name()
                b.setStyleSheet(
                    f"QToolButton {{ border: 1px solid {c}; border-radius: 4px; color: {c};"
                    f" background: white; }} QToolButton:checked {{ background: {c};"
                    " color: white; }"
                )
                self.heads.addButton(b, h)
                self.head_lay.addWidget(b)
        button = self.heads.button(current)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self.head_box.setVisible(visible and n > 0)

    def set_phase(self, text: str, phase: str) -> None:
        color = PHASE_COLORS.get(phase, MUTED)
        self.chip.setText(f" {text} ")
        self.chip.setStyleSheet(
            f"background: {color}; color: white; border-radius: 4px; padding: 2px 6px;"
        )
