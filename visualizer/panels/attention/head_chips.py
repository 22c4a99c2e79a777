"""A row of checkable chips, one per attention head, in the head colours.

Clicking a chip shows or hides that head's lines (``sigToggled(head, shown)``);
double-clicking selects it (``sigSelected(head)``; the two clicks of a double-click
toggle twice, so its shown state is unchanged). The selected head's chip is
outlined. Chips are created when first needed and then only shown or hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from visualizer.theme import HEAD_COLORS, TEXT, ui_font


class _Chip(QPushButton):
    sigDoubleClicked = Signal()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        super().mouseDoubleClickEvent(event)
        self.sigDoubleClicked.emit()


class HeadChips(QWidget):
    sigToggled = Signal(int, bool)
    sigSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[_Chip] = []
        self.count = 0
        self.selected = 0
        self.shown: set[int] = set()
        self.label = "H{}"
        self._lay = QHBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(4)

    def set_count(self, n: int) -> None:
        if n == self.count:
            return
        while len(self.chips) < n:
            h = len(self.chips)
            chip = _Chip(self.label.format(h))
            chip.setCheckable(True)
            chip.setChecked(True)
            chip.setFont(ui_font(9, bold=True))
            chip.toggled.connect(lambda on, h=h: self.sigToggled.emit(h, on))
            chip.sigDoubleClicked.connect(lambda h=h: self.sigSelected.emit(h))
            self.chips.append(chip)
            self._lay.addWidget(chip)
        for h, chip in enumerate(self.chips):
            chip.setVisible(h < n)
        self.count = n
        self._style()

    def set_state(self, shown: Iterable[int], selected: int) -> None:
        shown = set(shown)
        if shown == self.shown and selected == self.selected:
            return  # restyling is slow-ish (style sheets): only on a change
        restyle = selected != self.selected
        self.shown, self.selected = shown, selected
        for h, chip in enumerate(self.chips):
            chip.blockSignals(True)
            chip.setChecked(h in shown)
            chip.blockSignals(False)
        if restyle:
            self._style()

    def set_label(self, fmt: str, tooltip: str) -> None:
        self.label = fmt
        for h, chip in enumerate(self.chips):
            chip.setText(fmt.format(h))
            chip.setToolTip(tooltip)

    def _style(self) -> None:
        for h, chip in enumerate(self.chips):
            c = HEAD_COLORS[h % len(HEAD_COLORS)]
            edge = f"3px solid {TEXT}" if h == self.selected else f"2px solid {c}"
            chip.setStyleSheet(
                f"QPushButton {{ border: {edge}; border-radius: 11px; padding: 2px 12px;"
                f" background: white; color: {c}; min-height: 18px; }}"
                f"QPushButton:checked {{ background: {c}; color: white; }}"
            )
