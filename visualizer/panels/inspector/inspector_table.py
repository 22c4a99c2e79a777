"""The inspector's table: a matrix's exact values, a page of rows at a time.

``MatrixModel`` (a ``QAbstractTableModel``) holds one page: rows ``first ..`` of the
shown matrix, labelled by index and token. Cells show the value at a chosen number
of significant digits, or (digits 0, "exact") the shortest text that reads back to
the very same number; ``Qt.UserRole`` gives the number itself. NaN and ±Inf cells
are tinted. ``InspectorTable`` adds page buttons and tells which cells are selected;
a one-row matrix (a vector, a row of probabilities over the vocabulary) is shown as
one column, so it pages and scrolls like any other (cells are still reported in the
matrix's own (row, col)).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.theme import MUTED, ui_font

ROWS_PER_PAGE = 200
NONFINITE = QColor("#ffd8d3")
MASKED = QColor("#ececf0")
_Index = QModelIndex | QPersistentModelIndex


def cell_text(v: object, digits: int) -> str:
    """``digits`` significant digits, or 0: the shortest exact text (core.inspector)."""
    if isinstance(v, np.floating) and not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if digits <= 0 or not isinstance(v, np.floating):
        from core.inspector import number_text

        return number_text(v)
    return f"{float(v):.{digits}g}"


class MatrixModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.values = np.zeros((0, 0), np.float32)
        self.first = 0
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.digits = 6
        self.masked = False  # -inf is a mask here, not an error

    def set_page(
        self, values: np.ndarray, first: int, rows: Sequence[str], cols: Sequence[str]
    ) -> None:
        self.beginResetModel()
        self.values, self.first, self.rows, self.cols = values, first, list(rows), list(cols)
        self.endResetModel()

    def set_digits(self, digits: int) -> None:
        self.digits = digits
        if self.values.size:
            end = self.index(self.values.shape[0] - 1, self.values.shape[1] - 1)
            self.dataChanged.emit(self.index(0, 0), end, [Qt.ItemDataRole.DisplayRole])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else int(self.values.shape[0])

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self.values.shape[1])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        v = self.values[index.row(), index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(v, self.digits)
        if role == Qt.ItemDataRole.UserRole:
            return v
        if role == Qt.ItemDataRole.ToolTipRole:
            r, c = self.first + index.row(), index.column()
            where = ", ".join(x for x in (self._label(self.rows, index.row()), self.cols[c]) if x)
            return f"[{r}, {c}]  {where}\n{cell_text(v, 0)}"
        if role == Qt.ItemDataRole.BackgroundRole and isinstance(v, np.floating):
            if np.isneginf(v) and self.masked:
                return MASKED
            return None if np.isfinite(v) else NONFINITE
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _label(self, labels: list[str], i: int) -> str:
        return labels[i] if i < len(labels) else ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            label = self._label(self.cols, section)
            return f"{section}\n{label}" if label and label != str(section) else str(section)
        i = self.first + section
        label = self._label(self.rows, section)
        return f"{i}  {label}" if label and label != str(i) else str(i)


class InspectorTable(QWidget):
    """A paged table of a matrix; ``sigCell(row, col)`` when the user picks a cell."""

    sigCell = Signal(int, int)  # (row, col) of the matrix, not of the (transposed) table

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = np.zeros((0, 0), np.float32)  # the matrix as given
        self.transposed = False  # a one-row matrix shown as one column
        self.matrix = np.zeros((0, 0), np.float32)  # what the table shows
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.page = 0
        self.page_count = 1
        self.rows_per_page = ROWS_PER_PAGE
        self.model = MatrixModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.horizontalHeader().setDefaultSectionSize(84)
        self.view.horizontalHeader().setFont(ui_font(9))
        self.view.verticalHeader().setFont(ui_font(9))
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.clicked.connect(
            lambda ix: self.sigCell.emit(self.page_first + ix.row(), ix.column())
        )
        self.prev, self.next = QToolButton(), QToolButton()
        self.prev.setText("◀")
        self.next.setText("▶")
        self.prev.clicked.connect(lambda: self.set_page(self.page - 1))
        self.next.clicked.connect(lambda: self.set_page(self.page + 1))
        self.where = QLabel()
        self.where.setFont(ui_font(9))
        self.where.setStyleSheet(f"color: {MUTED}")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.prev)
        bar.addWidget(self.next)
        bar.addWidget(self.where, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.view, 1)
        lay.addLayout(bar)
        self.page_text = "rows {a}–{b} of {n} · page {p}/{q}"

    def _on_clicked(self, ix: QModelIndex) -> None:
        self.sigCell.emit(*self._flip(self.page_first + ix.row(), ix.column()))

    def _flip(self, r: int, c: int) -> tuple[int, int]:
        return (c, r) if self.transposed else (r, c)

    def fit_columns(self, digits: int) -> None:
        """Columns wide enough for a number at ``digits`` significant digits (0: exact)."""
        fm = self.view.fontMetrics()
        sample = "-" + "8" * (9 if digits <= 0 else max(digits, 1)) + ".e-08"
        self.view.horizontalHeader().setDefaultSectionSize(fm.horizontalAdvance(sample) + 14)

    @property
    def page_first(self) -> int:
        return self.page * self.rows_per_page

    def show_matrix(
        self,
        values: np.ndarray,
        rows: Sequence[str],
        cols: Sequence[str],
        keep_page: bool = False,
        value_label: str = "value",
    ) -> None:
        """A new matrix (page 0 unless ``keep_page`` and the page still exists);
        ``value_label`` names the one column of a vector whose row has no name."""
        self.source = values
        self.transposed = values.shape[0] == 1 and values.shape[1] > 1
        if self.transposed:
            label = rows[0] if rows and rows[0] not in ("", "0") else value_label
            self.matrix, self.rows, self.cols = values.T, list(cols), [label]
        else:
            self.matrix, self.rows, self.cols = values, list(rows), list(cols)
        self.set_page(self.page if keep_page else 0)

    def set_page(self, number: int) -> None:
        from core.inspector import page

        pg = page(self.matrix, number, self.rows_per_page)
        self.page, self.page_count = pg.number, pg.count
        end = pg.first + pg.values.shape[0]
        self.model.set_page(pg.values, pg.first, self.rows[pg.first : end], self.cols)
        self.prev.setEnabled(pg.number > 0)
        self.next.setEnabled(pg.number < pg.count - 1)
        self.prev.setVisible(pg.count > 1)
        self.next.setVisible(pg.count > 1)
        self.relabel(self.page_text)

    def relabel(self, page_text: str) -> None:
        self.page_text = page_text
        n = self.matrix.shape[0]
        first = self.page_first
        self.where.setText(
            page_text.format(
                a=min(first + 1, n),
                b=min(first + self.rows_per_page, n),
                n=n,
                p=self.page + 1,
                q=self.page_count,
            )
        )

    def selected(self) -> tuple[list[int], list[int]] | None:
        """Rows (of all pages) and columns of the table the selection spans, or None."""
        ixs = self.view.selectionModel().selectedIndexes()
        if not ixs:
            return None
        rows = sorted({self.page_first + ix.row() for ix in ixs})
        cols = sorted({ix.column() for ix in ixs})
        return rows, cols

    def selected_cells(self) -> tuple[list[int], list[int]] | None:
        """The same, as rows and columns of the matrix given to ``show_matrix``."""
        sel = self.selected()
        if sel is None:
            return None
        return (sel[1], sel[0]) if self.transposed else sel

    def select_cell(self, row: int, col: int) -> None:
        """Turn to the page of matrix cell (row, col) and select it (no ``sigCell``)."""
        row, col = self._flip(row, col)
        if not (0 <= row < self.matrix.shape[0] and 0 <= col < self.matrix.shape[1]):
            self.view.clearSelection()
            return
        if row // self.rows_per_page != self.page:
            self.set_page(row // self.rows_per_page)
        ix = self.model.index(row - self.page_first, col)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.view.selectionModel().setCurrentIndex(ix, flags)
        self.view.scrollTo(ix)
