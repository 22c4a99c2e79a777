"""The tensor inspector: one traced tensor's exact values, and how it differs from another.

The current step's output (or another of its tensors, by role) as a paged table of
exact values (``widgets/inspector_table.py``), with its shape, dtype, statistics and
NaN / Inf counts, a histogram, and exports: the selection (or everything) as CSV or
as a NumPy literal on the clipboard, the whole tensor as ``.npy``. Compare: pin a
tensor as A, move anywhere (another step, decoding step, run or training snapshot)
and B − A is shown as numbers and as a heatmap; while interventions are on, A is
the same tensor in the run without them (before / after / difference).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from visualizer.panels.inspector.inspector_data import Comparison, InspectorData, Pinned, pin
from visualizer.panels.inspector.inspector_export import InspectorExport
from visualizer.panels.inspector.inspector_layout import InspectorLayout
from visualizer.panels.inspector.inspector_text import t
from visualizer.widgets.tensor_cut import Shown

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Step
    from visualizer.bridge import SessionBridge


class InspectorView(InspectorExport, QWidget):
    """Public: ``pin()``, ``unpin()``, ``copy_csv()``, ``copy_numpy()``, ``save_npy(path)``,
    ``ask_save_npy()``, ``set_role(role)``, ``set_page(n)``, ``next_page()``,
    ``prev_page()``, ``set_digits(n)`` (0: exact), ``set_table_mode("b"|"a"|"diff")``."""

    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.data = InspectorData()
        self.role = "out"
        self.pinned: Pinned | None = None
        self.shown: Shown | None = None  # B: the tensor at the cursor
        self.comparison: Comparison | None = None
        self.step: Step | None = None
        self._roles: tuple[str, ...] = ()
        self._vocab: tuple[object, list[str]] | None = None
        self._dirty = True
        self.ui = InspectorLayout(self)
        self.table, self.hist, self.compare = self.ui.table, self.ui.hist, self.ui.compare
        self.ui.roles.currentTextChanged.connect(self._on_role)
        self.ui.head.valueChanged.connect(self._on_head)
        self.ui.digits.valueChanged.connect(self.set_digits)
        self.ui.csv.clicked.connect(self.copy_csv)
        self.ui.numpy.clicked.connect(self.copy_numpy)
        self.ui.npy.clicked.connect(self.ask_save_npy)
        self.table.sigCell.connect(self._on_cell)
        self.compare.sigPin.connect(self.pin)
        self.compare.sigUnpin.connect(self.unpin)
        self.compare.sigMode.connect(lambda _m: self.refresh())
        bridge.sigCursor.connect(self._changed)
        bridge.sigTrace.connect(self._changed)
        bridge.sigClean.connect(self._changed)
        bridge.sigSelection.connect(self._on_selection)
        bridge.connect_relabel(self._on_lang)
        self.table.fit_columns(self.ui.digits.value())
        self._on_lang(session.lang)

    # -- session -> widgets ------------------------------------------------------------
    def _changed(self, _value: object = None) -> None:
        self.refresh()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._dirty:
            self.refresh()

    def _on_lang(self, lang: str) -> None:
        self.ui.relabel(lang)
        self.table.relabel(t("page", lang))
        self.compare.relabel(lang)
        self.refresh()

    def _on_selection(self, sel: object) -> None:
        shown = self.shown
        if shown is not None and shown.cut.head is not None and self._head() != shown.cut.head:
            self.refresh()
        else:
            self._select_from_session()

    def _head(self) -> int:
        return self.session.selection.head

    def vocab(self) -> list[str]:
        bundle = self.session.bundle
        if self._vocab is None or self._vocab[0] is not bundle:
            tok = bundle.tgt_tok
            self._vocab = (bundle, [tok.token(i) for i in range(tok.size)])
        return self._vocab[1]

    def refresh(self) -> None:
        if not self.isVisible():
            self._dirty = True  # drawn when shown: a hidden dock costs no stepping time
            return
        self._dirty = False
        try:
            self._refresh()
        except Exception as e:  # a step nobody foresaw must not take the window down
            self.ui.show_message(f"{type(e).__name__}: {e}")

    def _refresh(self) -> None:
        s, lang = self.session, self.session.lang
        if not s.trace.steps:
            self.step = self.shown = None
            self.ui.show_message(t("empty", lang))
            return
        self.data.reset(s.trace)
        step = self.step = s.trace.steps[min(max(s.cursor, 0), len(s.trace.steps) - 1)]
        roles = ("out", *(r for r in step.tensors if r != "out"))
        if roles != self._roles:
            self._roles = roles
            self.ui.set_roles(roles, self.role if self.role in roles else "out")
        role = self.role if self.role in step.tensors else "out"
        key = step.tensors.get(role, step.key)
        b = self.shown = self.data.shown(step, key, self._head(), self.vocab())
        self.ui.show_tensor(step, role, key, b.cut.head, s.bundle.cfg.n_heads, lang)
        self.comparison = self._compare(b, lang)
        c = self.comparison
        mode = self.compare.mode if c is not None else "b"
        values, tensor, tag = b.values, b.tensor, f"now:{key}"
        if mode == "a" and c is not None:
            values, tensor, tag = c.a_matrix, c.a_tensor, ""
        elif mode == "diff" and c is not None and c.diff is not None and c.matrix_diff is not None:
            values, tensor, tag = c.matrix_diff, c.diff.diff, ""
        self.table.model.masked = step.kind == "mask" or ".masked" in key
        self.table.show_matrix(
            np.asarray(values), b.rows, b.cols, mode != "b", value_label=t("value", lang)
        )
        info, hist = self.data.info(tag, tensor), self.data.histogram(tag, tensor)
        showing = self.compare.mode_buttons[mode].text() if mode != "b" else ""
        self.ui.show_info(info, self.table.model.masked, lang, showing)
        note = t("hist_note", lang, nan=hist.nan, inf=hist.inf) if hist else ""
        self.hist.set_histogram(hist, t("hist", lang), note if hist and hist.nan + hist.inf else "")
        self._select_from_session()

    def _compare(self, b: Shown, lang: str) -> Comparison | None:
        from visualizer.panels.inspector.inspector_data import compare_with

        s, panel = self.session, self.compare
        clean = s.clean if s.clean is not None and self.pinned is None else None
        if self.pinned is not None:
            a = self.pinned
            if a.tensor.shape != b.tensor.shape:
                panel.show_none(t("shapes", lang, a=a.tensor.shape, b=b.tensor.shape))
                return None
            c = compare_with(a.tensor, a.matrix, b, a.label)
        elif clean is not None:
            if b.key not in clean.tensors:
                panel.show_none(t("missing", lang, key=b.key))
                return None
            a_tensor = clean.value(b.key)
            if a_tensor.shape != b.tensor.shape:
                panel.show_none(t("shapes", lang, a=a_tensor.shape, b=b.tensor.shape))
                return None
            c = compare_with(a_tensor, b.cut.take(a_tensor), b, "clean")
        else:
            panel.show_none(t("no_ref", lang))
            return None
        if c.diff is None:
            panel.show_none(t("shapes", lang, a=c.a_tensor.shape, b=b.tensor.shape))
            return None
        panel.show_comparison(c, clean is not None, b.rows, b.cols)
        return c

    def _select_from_session(self) -> None:
        sel = self.session.selection
        if self._is_output() and sel.row is not None and sel.col is not None:
            self.table.select_cell(sel.row, sel.col)

    def _is_output(self) -> bool:
        return self.step is not None and (self.role == "out" or self.role not in self.step.tensors)

    # -- widgets -> session ------------------------------------------------------------
    def _on_role(self, role: str) -> None:
        if role and role != self.role:
            self.set_role(role)

    def _on_head(self, head: int) -> None:
        if head != self._head() and self.shown is not None and self.shown.cut.head is not None:
            self.session.selection = replace(self.session.selection, head=head)

    def _on_cell(self, row: int, col: int) -> None:
        if self._is_output() and self.compare.mode == "b":
            self.session.selection = replace(self.session.selection, row=row, col=col)

    # -- public commands ---------------------------------------------------------------
    def set_role(self, role: str) -> None:
        """Show another tensor of the step ("out", "x", "weight", "q", ...)."""
        self.role = role
        self.refresh()

    def set_digits(self, digits: int) -> None:
        """Significant digits in the table; 0 shows every number exactly."""
        if self.ui.digits.value() != digits:
            self.ui.digits.setValue(digits)
        self.table.model.set_digits(digits)
        self.table.fit_columns(digits)

    def set_page(self, number: int) -> None:
        self.table.set_page(number)

    def next_page(self) -> None:
        self.table.set_page(self.table.page + 1)

    def prev_page(self) -> None:
        self.table.set_page(self.table.page - 1)

    def set_table_mode(self, mode: str) -> None:
        """What the table shows while comparing: "b" (now / after), "a" (pinned /
        before) or "diff" (B − A)."""
        self.compare.set_mode(mode)

    def pin(self) -> None:
        """Keep the shown tensor as A; moving on compares B with it."""
        if self.shown is not None and self.step is not None:
            label = f"{self.shown.key} · #{self.step.index + 1}"
            self.pinned = pin(self.shown, label)
            self.compare.set_pinned(True)
            self.refresh()

    def unpin(self) -> None:
        self.pinned = None
        self.compare.set_pinned(False)
        self.refresh()
