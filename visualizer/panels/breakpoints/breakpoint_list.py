"""The breakpoints panel's list: one row per breakpoint, an enable box, its hit count.

``fill`` rebuilds the rows (the breakpoints or the trace changed: a handful of rows,
never per step); ``set_here`` highlights the rows whose breakpoint hits the current
step (per cursor move: a background and a bold font, nothing rebuilt). Checking a box
emits ``sigEnable(row, on)``; double-clicking a row ``sigActivate(row)``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from visualizer.i18n import tr
from visualizer.panels.breakpoints.breakpoint_text import STRINGS, label
from visualizer.theme import HIGHLIGHT, MUTED, ui_font

if TYPE_CHECKING:
    from core.breakpoints import Breakpoint

HERE_BG = QColor(HIGHLIGHT).lighter(160)


class BreakpointList(QTreeWidget):
    sigEnable = Signal(int, bool)
    sigActivate = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setFont(ui_font(10))
        head = self.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemChanged.connect(self._on_item_changed)
        self.itemDoubleClicked.connect(lambda item, _c: self.sigActivate.emit(self.row(item)))
        self._here: frozenset[int] = frozenset()

    def row(self, item: QTreeWidgetItem) -> int:
        return self.indexOfTopLevelItem(item)

    def selected_rows(self) -> list[int]:
        return sorted(self.row(it) for it in self.selectedItems())

    def fill(self, items: Sequence[Breakpoint], counts: Sequence[int], lang: str) -> None:
        self.blockSignals(True)
        self.clear()
        for bp, n in zip(items, counts, strict=True):
            item = QTreeWidgetItem([label(bp, lang), str(n)])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if bp.enabled else Qt.CheckState.Unchecked)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, tr(STRINGS["row_tip"], lang))
            item.setToolTip(1, tr(STRINGS["hits_tip"], lang))
            if not bp.enabled or not n:
                for c in (0, 1):
                    item.setForeground(c, QBrush(QColor(MUTED)))
            self.addTopLevelItem(item)
        self.blockSignals(False)
        self._here = frozenset()
        self.set_here(())

    def set_here(self, rows: Collection[int]) -> None:
        """Highlight the rows hitting the current step (only the rows that change)."""
        here = frozenset(rows)
        for r in self._here ^ here:
            item = self.topLevelItem(r)
            if item is None:
                continue
            on = r in here
            for c in (0, 1):
                item.setBackground(c, QBrush(HERE_BG) if on else QBrush())
            font = item.font(0)
            font.setBold(on)
            item.setFont(0, font)
        self._here = here

    def set_headers(self, lang: str) -> None:
        self.setHeaderLabels([tr(STRINGS["col_bp"], lang), tr(STRINGS["col_hits"], lang)])
        self.headerItem().setToolTip(1, tr(STRINGS["hits_tip"], lang))

    def counts(self) -> list[int]:
        """The hits column, as numbers."""
        return [int(item.text(1)) for item in self._rows()]

    def checked(self) -> list[bool]:
        return [item.checkState(0) == Qt.CheckState.Checked for item in self._rows()]

    def _rows(self) -> list[QTreeWidgetItem]:
        rows = []
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            assert item is not None  # every index below topLevelItemCount() has an item
            rows.append(item)
        return rows

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self.sigEnable.emit(self.row(item), item.checkState(0) == Qt.CheckState.Checked)
