"""Attention view: who attends to whom, per head, for the attention at the cursor.

Left, the head view: query tokens linked to key tokens by lines whose thickness
and opacity are the traced weights, one colour per head (chips toggle heads,
hovering a token isolates its lines and marks its row or column in the heatmap).
Right, the selected head as a heatmap (rows are queries, columns keys) and below
it the model view: every layer × head of the same kind of attention at the same
decoding step; clicking a cell seeks the cursor to that layer's weights and
selects the head. Which weights are shown, and how they relate to the cursor
(this step, earlier, or a preview of later), is decided by ``AttentionIndex`` and
said under the title.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from core.prompt_task import translates
from visualizer.panels.attention.attention_index import AttentionIndex, Resolved
from visualizer.panels.attention.attention_lines import AttentionLines
from visualizer.panels.attention.attention_text import describe, t
from visualizer.panels.attention.head_chips import HeadChips
from visualizer.panels.attention.head_grid import HeadGrid
from visualizer.theme import ui_font
from visualizer.widgets.heatmap import Heatmap
from visualizer.widgets.note_box import NoteBox
from visualizer.widgets.whole_label import WholeLabel

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Trace
    from visualizer.bridge import SessionBridge


class AttentionView(QWidget):
    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.index: AttentionIndex | None = None
        self.resolved: Resolved | None = None
        self.shown: set[int] = set(range(64))  # heads whose lines are drawn (view-local)
        self._key: str | None = None  # weights shown in the head view
        self._grid_key: tuple[str, int | None] | None = None
        self._head = -1  # head shown in the heatmap

        self.title = QLabel()
        self.title.setFont(ui_font(13, bold=True))
        self.note_box = NoteBox(9)  # highlighted for a preview, same box either way
        self.note = self.note_box.label
        self.chips = HeadChips()
        self.chips.sigToggled.connect(self._on_toggle)
        self.chips.sigSelected.connect(self.select_head)
        self.combo_label = QLabel()
        self.combo = QComboBox()
        self.combo.activated.connect(self.select_head)
        self.hint_box = NoteBox(8)
        self.hint = self.hint_box.label
        self.lines = AttentionLines()
        self.lines.sigHovered.connect(self._on_hover)
        self.heatmap = Heatmap()
        self.heatmap.sigCellClicked.connect(self._on_cell)
        self.grid_title = WholeLabel()  # its wrapped lines whole under a short splitter pane
        self.grid_title.setFont(ui_font(9, bold=True))
        self.grid = HeadGrid()
        self.grid.sigCellClicked.connect(self.open_cell)
        for label in (self.title, self.grid_title):
            label.setWordWrap(True)  # long titles wrap instead of widening the view

        controls = QHBoxLayout()
        controls.addWidget(self.chips)
        controls.addStretch(1)
        controls.addWidget(self.combo_label)
        controls.addWidget(self.combo)
        bottom = QWidget()
        blay = QVBoxLayout(bottom)
        blay.setContentsMargins(0, 4, 0, 0)
        blay.addWidget(self.grid_title)
        blay.addWidget(self.grid, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.heatmap)
        right.addWidget(bottom)
        right.setSizes([550, 450])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.lines)
        split.addWidget(right)
        split.setSizes([500, 500])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(4)
        lay.addWidget(self.title)
        lay.addWidget(self.note_box)
        lay.addLayout(controls)
        lay.addWidget(self.hint_box)
        lay.addWidget(split, 1)

        # bound methods (not lambdas): Qt disconnects them when this view is deleted
        bridge.sigCursor.connect(self._on_change)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigSelection.connect(self._on_change)
        bridge.connect_relabel(self._on_lang)
        self._on_trace(session.trace)

    # -- updates ---------------------------------------------------------------------
    def _on_trace(self, trace: Trace | None) -> None:
        self.index = AttentionIndex(trace) if trace is not None else None
        self._key = self._grid_key = None
        self.refresh(relabel=True)

    def _on_change(self, _: object) -> None:
        self.refresh()

    def _on_lang(self, _: str) -> None:
        self.refresh(relabel=True)

    def refresh(self, relabel: bool = False) -> None:
        """Bring every part up to date with the session; cheap when nothing changed."""
        s, lang = self.session, self.session.lang
        steps = s.trace.steps
        cursor = max(0, min(s.cursor, len(steps) - 1))
        res = self.index.resolve(steps[cursor]) if self.index and steps else None
        self.resolved = res
        if relabel:
            self._relabel()
        if res is None or self.index is None:
            self._show_nothing()
            return
        ws = res.weights
        w = self.index.weights(ws)
        head = max(0, min(s.selection.head, w.shape[0] - 1))
        if ws.key != self._key:
            self._show_weights(res, w)
        if (res.kind, res.t) != self._grid_key or relabel:
            layers = self.index.layers(res.kind, res.t)
            self.grid.set_data(
                [x.layer or 0 for x in layers],
                [self.index.weights(x) for x in layers],
                [t("layer", lang, n=x.layer) for x in layers],
            )
            self._grid_key = (res.kind, res.t)
        if head != self._head or relabel:
            from core.display import as_matrix

            m = as_matrix(s.trace, ws, ws.key, head)
            title = t("heat_title", lang, h=head)
            self.heatmap.set_matrix(m.values, m.rows, m.cols, mode="probability", title=title)
            self._on_hover(*(self.lines.hovered or ("", -1)))  # set_matrix clears the mark
            self._head = head
        sel = s.selection
        if sel.row is not None and sel.col is not None:
            self.heatmap.select((sel.row, sel.col))
        self.lines.set_heads(self.shown, head)
        self.chips.set_state(self.shown, head)
        self.combo.setCurrentIndex(head)
        self.grid.set_current(res.layer, head)
        cfg = s.bundle.cfg
        lm = cfg.arch == "decoder-only" and not translates(s.bundle)  # GPT-2 continues text
        texts = describe(res, cursor, s.bundle.pair or s.pair, lang, cfg.arch, cfg.inputs, lm)
        self.title.setText(texts.title)
        self.note_box.set_note(texts.note, texts.preview)
        self.lines.set_headers(texts.left, texts.right)
        self.lines.set_preview(texts.preview)
        self.grid_title.setText(texts.grid)

    def _show_weights(self, res: Resolved, w: np.ndarray) -> None:
        """New weights in the head view (fading in when animating) and the head controls."""
        from core.display import axis_labels

        s, ws = self.session, res.weights
        rows = axis_labels(s.trace, ws, ws.axes[2], w.shape[1], [])
        cols = axis_labels(s.trace, ws, ws.axes[3], w.shape[2], [])
        animate = s.animate and self._key is not None
        self.lines.set_data(w, rows, cols, animate=animate)
        if animate:
            self.heatmap.fade_in()
        self.chips.set_count(w.shape[0])
        if self.combo.count() != w.shape[0]:
            self.combo.clear()
            self.combo.addItems([t("chip", s.lang).format(h) for h in range(w.shape[0])])
        self._key, self._head = ws.key, -1

    def _show_nothing(self) -> None:
        lang = self.session.lang
        self.title.setText(t("none_title", lang))
        self.note_box.set_note(t("none", lang))
        self.lines.set_data(np.zeros((0, 0, 0), np.float32), [], [])
        self.grid.set_data([], [], [])
        self.heatmap.set_matrix(np.zeros((1, 1), np.float32), [""], [""], mode="probability")
        self._key = self._grid_key = None
        self._head = -1

    def _relabel(self) -> None:
        lang = self.session.lang
        self.chips.set_label(t("chip", lang), t("chip_tip", lang))
        self.combo_label.setText(t("heat_head", lang))
        for h in range(self.combo.count()):
            self.combo.setItemText(h, t("chip", lang).format(h))
        self.hint.setText(t("hint", lang))
        self.lines.budget_text = t("budget", lang)
        self.grid.set_labels(t("chip", lang))

    # -- controls (they only set session fields, or this view's shown heads) ---------
    def _on_toggle(self, head: int, shown: bool) -> None:
        (self.shown.add if shown else self.shown.discard)(head)
        self.lines.set_heads(self.shown, self.lines.selected)

    def select_head(self, head: int) -> None:
        """Show ``head`` in the heatmap (and make sure its lines are shown)."""
        self.shown.add(head)
        self.session.selection = replace(self.session.selection, head=head)
        self.refresh()

    def _on_cell(self, row: int, col: int) -> None:
        self.session.selection = replace(self.session.selection, row=row, col=col)

    def _on_hover(self, side: str, index: int) -> None:
        if side == "q":
            self.heatmap.mark(row=index)
        elif side == "k":
            self.heatmap.mark(col=index)
        else:
            self.heatmap.mark()

    def open_cell(self, layer: int, head: int) -> None:
        """Model-view click: that layer's weights (same kind, same t) in the big views."""
        res = self.resolved
        found = None
        if res is not None and self.index is not None:
            found = self.index.by_key.get((res.kind, layer, res.t))
        self.shown.add(head)
        self.session.selection = replace(self.session.selection, head=head)
        if found is not None:
            self.session.seek(found.index)
