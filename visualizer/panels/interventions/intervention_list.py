"""The list of interventions: one row each with a checkbox (on / off), remove, clear all.

Rows are rebuilt only when the session's list or its switched-off set changes (rare);
ticking a box asks for ``toggle_intervention`` through ``sigToggle``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.theme import MUTED, ui_font

ON = QColor("#d9480f")  # the diagram's intervention colour


class InterventionList(QWidget):
    sigToggle = Signal(int)
    sigRemove = Signal(int)
    sigClear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setFont(ui_font(9))
        self.list.setMaximumHeight(130)
        self.list.itemChanged.connect(self._on_item)
        self.list.currentRowChanged.connect(lambda _r: self._buttons())
        self.empty = QLabel()
        self.empty.setStyleSheet(f"color: {MUTED}")
        self.empty.setFont(ui_font(9))
        self.empty.setWordWrap(True)
        self.remove, self.clear = QPushButton(), QPushButton()
        self.remove.clicked.connect(self._on_remove)
        self.clear.clicked.connect(self.sigClear.emit)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.remove)
        bar.addWidget(self.clear)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(self.empty)
        lay.addWidget(self.list)
        lay.addLayout(bar)
        self.labels: list[str] = []
        self.disabled: frozenset[int] = frozenset()
        self.set_items([], frozenset())

    def set_items(self, labels: Sequence[str], disabled: frozenset[int]) -> None:
        current = self.list.currentRow()
        self.labels, self.disabled = list(labels), disabled
        self.list.blockSignals(True)
        self.list.clear()
        for n, text in enumerate(labels):
            item = QListWidgetItem(text)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            on = n not in disabled
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setForeground(ON if on else QColor(MUTED))
            item.setToolTip(text)
            self.list.addItem(item)
        if 0 <= current < len(labels):
            self.list.setCurrentRow(current)
        self.list.blockSignals(False)
        has = bool(labels)
        self.list.setVisible(has)
        self.empty.setVisible(not has)
        self._buttons()

    def _buttons(self) -> None:
        self.remove.setEnabled(0 <= self.list.currentRow() < len(self.labels))
        self.clear.setEnabled(bool(self.labels))

    def _on_item(self, item: QListWidgetItem) -> None:
        n = self.list.row(item)
        on = item.checkState() == Qt.CheckState.Checked
        if on == (n in self.disabled):  # the box now differs from the session
            self.sigToggle.emit(n)

    def _on_remove(self) -> None:
        n = self.list.currentRow()
        if 0 <= n < len(self.labels):
            self.sigRemove.emit(n)

    def relabel(self, remove: str, clear: str, empty: str) -> None:
        self.remove.setText(remove)
        self.clear.setText(clear)
        self.empty.setText(empty)
