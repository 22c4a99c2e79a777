"""The sunflower table: every sample's three features, its true height and the neuron's
current prediction; the sample in use is highlighted, a click picks another.

Rows are created once per data set; a weight change only rewrites the prediction
column. Test rows are shown (so the learner sees what the neuron predicts for plants
it never trained on) but greyed and not clickable: steps only ever use training rows.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from visualizer.rooms.neuron.neuron_text import FEATURES, num, t
from visualizer.theme import HIGHLIGHT, MUTED, ui_font

FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


ROW_H = 20  # px at zoom 1


class DataTable(QTableWidget):
    """Rows of (#, sun, water, compost, height y, output z); ``cell`` never returns None
    for a filled table."""

    sigPick = Signal(int)  # a training row was clicked

    def __init__(self) -> None:
        super().__init__(0, 6)
        self.n_train = 0
        self.current: int | None = None
        self.setFont(ui_font(9))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(ROW_H)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setFont(ui_font(9, True))
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cellClicked.connect(self._clicked)

    def set_data(self, x: np.ndarray, y: np.ndarray, n_train: int, lang: str) -> None:
        """Fill the rows once: x (N, 3), y (N,)."""
        self.n_train = n_train
        self.setRowCount(len(y))
        grey = QBrush(QColor(MUTED))
        for r in range(len(y)):
            cells = ["", *(num(v, 2) for v in x[r]), num(y[r], 2), ""]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setFlags(FLAGS)
                if r >= n_train:
                    item.setForeground(grey)
                self.setItem(r, c, item)
        self.relabel(lang)

    def relabel(self, lang: str) -> None:
        heads = [
            t("col_index", lang),
            *(t(f, lang) for f in FEATURES),
            t("col_y", lang),
            t("col_z", lang),
        ]
        self.setHorizontalHeaderLabels(heads)
        for c, f in enumerate(FEATURES, start=1):
            head = self.horizontalHeaderItem(c)
            if head is not None:
                head.setToolTip(t(f"{f}_tip", lang))
        for r in range(self.rowCount()):
            label = str(r) if r < self.n_train else f"{r} {t('test_row', lang)}"
            self.cell(r, 0).setText(label)

    def set_predictions(self, z: np.ndarray) -> None:
        """The neuron's output per row, (N,)."""
        for r in range(min(len(z), self.rowCount())):
            self.cell(r, 5).setText(num(z[r], 2))

    def apply_scale(self, scale: float) -> None:
        """The presentation zoom changed: rows as much taller, and the cells' own fonts
        (the current row's is bold) at the new size; the table's and the header's fonts
        are zoomed with every widget's."""
        self.verticalHeader().setDefaultSectionSize(round(ROW_H * scale))
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                item = self.item(r, c)
                if item is not None:
                    item.setFont(ui_font(9, r == self.current))

    def set_current(self, sample: int | None) -> None:
        if sample == self.current:
            return
        for r in (self.current, sample):
            if r is None or r >= self.rowCount():
                continue
            on = r == sample
            for c in range(self.columnCount()):
                item = self.cell(r, c)
                item.setBackground(QBrush(QColor(HIGHLIGHT)) if on else QBrush())
                item.setFont(ui_font(9, on))
        self.current = sample
        if sample is not None:
            self.scrollToItem(self.cell(sample, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    def cell(self, row: int, col: int) -> QTableWidgetItem:
        item = self.item(row, col)
        assert item is not None, "set_data fills every cell"
        return item

    def _clicked(self, row: int, _col: int) -> None:
        if 0 <= row < self.n_train:
            self.sigPick.emit(row)
