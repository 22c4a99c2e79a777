"""The inspector's exports: the selection (or everything) as CSV or as a NumPy literal on
the clipboard, and the whole tensor as ``.npy``; every number exact (core.inspector).
A mixin of ``InspectorView`` (it reads the view's table, comparison and session)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from visualizer.panels.inspector.inspector_text import t

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.panels.inspector.inspector_compare import ComparePanel
    from visualizer.panels.inspector.inspector_data import Comparison
    from visualizer.panels.inspector.inspector_layout import InspectorLayout
    from visualizer.panels.inspector.inspector_table import InspectorTable
    from visualizer.widgets.tensor_cut import Shown


class InspectorExport:
    session: Session
    table: InspectorTable
    compare: ComparePanel
    comparison: Comparison | None
    shown: Shown | None
    ui: InspectorLayout

    def copy_csv(self) -> str:
        """The selected cells (or the whole shown matrix) as CSV with labels, exact (as
        the table shows it: a vector is one column)."""
        from core.inspector import to_csv

        sel = self.table.selected()
        rows, cols = sel if sel else (None, None)
        m = self.table.matrix
        text = to_csv(m, rows, cols, row_labels=self.table.rows, col_labels=self.table.cols)
        n = (len(rows) * len(cols)) if rows and cols else m.size
        return self._clip(text, "CSV", n)

    def copy_numpy(self) -> str:
        """The selected cells as a 2-D literal, or (no selection) the whole tensor in its
        own shape, as ``np.array([...], dtype=np.float32)``: exact."""
        from core.inspector import to_numpy_literal

        sel = self.table.selected_cells()
        x = self.table.source[np.ix_(*sel)] if sel else self.whole_tensor()
        return self._clip(to_numpy_literal(x), "NumPy", x.size)

    def whole_tensor(self) -> np.ndarray:
        """The tensor the table shows a slice of (A, B or B − A in full)."""
        c, mode = self.comparison, self.compare.mode
        if c is not None and mode == "a":
            return c.a_tensor
        if c is not None and c.diff is not None and mode == "diff":
            return c.diff.diff
        return self.shown.tensor if self.shown is not None else np.zeros(0, np.float32)

    def _clip(self, text: str, what: str, n: int) -> str:
        QGuiApplication.clipboard().setText(text)
        self.ui.status.setText(t("copied", self.session.lang, what=what, n=n))
        return text

    def save_npy(self, path: str | Path) -> Path | None:
        """Save the whole tensor as ``.npy``; a failure becomes the session's error."""
        from core.inspector import save_npy

        try:
            out = save_npy(path, self.whole_tensor())
        except (OSError, ValueError) as e:
            from core.messages import Msg, message_of  # plain Python: no PyTorch

            self.session.error = Msg("could_not_save_file", path=str(path), reason=message_of(e))
            return None
        self.ui.status.setText(t("saved", self.session.lang, path=out.name))
        return out

    def ask_save_npy(self) -> None:
        """The "Save .npy…" button: a file dialog, then ``save_npy``."""
        from PySide6.QtWidgets import QFileDialog

        name = (self.shown.key if self.shown else "tensor").replace("/", "_") + ".npy"
        owner = self if isinstance(self, QWidget) else None
        path, _ = QFileDialog.getSaveFileName(owner, t("npy", self.session.lang), name, "*.npy")
        if path:
            self.save_npy(path)
