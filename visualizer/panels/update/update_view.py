"""The Update view: what one Adam step did to one parameter of the model.

In a training trace (``session.mode == "train"``) it shows, for the parameter of the
current update step (elsewhere: the parameter picked in the combo, by default one of
the current step's block), four heatmaps side by side: the value before the step,
the gradient Adam used, the update Δ and the value after (= before + Δ), two by two
(a 109×64 matrix four abreast was ~25 px wide). On the parameter's own update step
the centre's tensor view already draws before, gradient and Δ, so this view then
shows only the value after (not the same map twice: issue 16), and says where the
others are. Below, the
histograms of the gradient and of the update, the learning rate in force, the Adam
step worked out for the selected cell with the trace's numbers, and the loss on the
same sentence before and after the step. Every number is read from the trace.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.panels.update.update_hist import UpdateHistogram
from visualizer.panels.update.update_text import adam_html, loss_html, lr_html, t
from visualizer.theme import PHASE_COLORS, ui_font
from visualizer.widgets.heatmap import Heatmap
from visualizer.widgets.hint_stack import HintStack
from visualizer.widgets.whole_label import WholeLabel

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Step, Trace
    from visualizer.bridge import SessionBridge

PANELS = ("before", "grad", "update", "out")  # step roles
GRID = {"before": (0, 0), "out": (0, 1), "grad": (1, 0), "update": (1, 1)}  # (row, column)
IN_CENTRE = ("before", "grad", "update")  # what the tensor view draws on an update step
PANEL_TEXT = {"before": "before", "grad": "grad", "update": "update", "out": "after"}
ROLES = (*PANELS, "m", "v")


class UpdateView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.params: dict[str, int] = {}  # parameter name -> index of its update step
        self.param: str | None = None
        self.values: dict[str, np.ndarray] = {}  # role -> 2-D array of the shown parameter
        self.cell = (0, 0)
        self._trace: Trace | None = None

        self.title = QLabel(" ")
        self.title.setFont(ui_font(11, bold=True))
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.pick_label = QLabel(" ")
        self.pick_label.setFont(ui_font(9))
        self.picker = QComboBox()
        self.picker.setFont(ui_font(9))
        self.picker.setMinimumContentsLength(24)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.activated.connect(self._on_pick)
        head = QHBoxLayout()  # under the title: beside it, the title was cut in a narrow dock
        head.addWidget(self.pick_label)
        head.addWidget(self.picker, 1)

        self.maps = {role: Heatmap() for role in PANELS}
        maps = QGridLayout()
        maps.setSpacing(4)
        for role in PANELS:
            maps.addWidget(self.maps[role], *GRID[role])
            self.maps[role].sigCellClicked.connect(self._on_click)
        self.in_centre = QLabel(" ")  # where the maps this view leaves out are
        self.in_centre.setFont(ui_font(9))
        self.in_centre.setWordWrap(True)
        self.in_centre.hide()
        self.deferred = False  # on the shown parameter's own update step
        self.hist_grad = UpdateHistogram(PHASE_COLORS["backward"])
        self.hist_update = UpdateHistogram(PHASE_COLORS["update"])
        hists = QHBoxLayout()
        hists.addWidget(self.hist_grad, 1)
        hists.addWidget(self.hist_update, 1)
        # wrapped lines whose minimum is their text's: a short dock scrolls rather than
        # squeeze the maps above them below their readable rows
        self.lr_line = WholeLabel(" ")
        self.adam_line = WholeLabel(" ")
        self.loss_line = WholeLabel(" ")
        for label in (self.lr_line, self.adam_line, self.loss_line):
            label.setFont(ui_font(9))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(3)
        body.addWidget(self.in_centre)
        body.addLayout(maps, 5)
        body.addLayout(hists, 3)
        body.addWidget(self.lr_line)
        body.addWidget(self.adam_line)
        body.addWidget(self.loss_line)
        self.stack = HintStack(content)
        self.hint = self.stack.hint

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        lay.addWidget(self.title)
        lay.addLayout(head)
        lay.addWidget(self.stack, 1)

        # bound methods (not lambdas), so Qt drops the connections with the widget
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigMode.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigSelection.connect(self._show_cell)
        bridge.connect_relabel(self._relabel)
        self._on_trace()

    # -- state -------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.session.lang

    def _on_trace(self, *_: object) -> None:
        trace = self.session.trace
        self._trace = trace
        self.params = {
            s.name: s.index for s in trace.steps if s.phase == "update" and "before" in s.tensors
        }
        self.param = None
        self.picker.blockSignals(True)
        self.picker.clear()
        self.picker.addItems(list(self.params))
        self.picker.blockSignals(False)
        self._on_cursor()

    def _on_cursor(self, *_: object) -> None:
        if self.session.trace is not self._trace:
            self._on_trace()
            return
        if not self.params or not self.session.trace.steps:
            self.param = None
            self._relabel()
            return
        name = self.default_param(self.session.step)
        if name != self.param:
            self.show_param(name)
        self._defer(self.session.step.index == self.params.get(name, -1))

    def _defer(self, on: bool) -> None:
        """On the parameter's own update step the tensor view draws before, gradient and
        Δ: only the value after is drawn here (and it gets the room)."""
        self.deferred = on
        for role in IN_CENTRE:
            self.maps[role].setVisible(not on)
        self.in_centre.setVisible(on)

    def default_param(self, step: Step) -> str:
        """The step's own parameter, else the first one in its innermost block."""
        if step.name in self.params:
            return step.name
        for block in reversed(step.block):
            for name in self.params:
                if name.startswith(block + "."):
                    return name
        return self.param if self.param in self.params else next(iter(self.params))

    def _on_pick(self, index: int) -> None:
        name = self.picker.itemText(index)
        if name not in self.params:
            return
        if self.session.trace.steps and self.session.step.phase == "update":
            self.session.seek(self.params[name])  # the cursor follows: it shows that step
        else:
            self.show_param(name)

    def _on_click(self, row: int, col: int) -> None:
        sel = self.session.selection
        self.session.selection = replace(sel, row=row, col=col)

    # -- drawing -----------------------------------------------------------------------
    def show_param(self, name: str) -> None:
        """Draw the update of parameter ``name`` (from its update step's tensors)."""
        trace = self.session.trace
        step = trace.steps[self.params[name]]
        self.param = name
        raw = {role: np.asarray(trace.value(step.tensors[role])) for role in ROLES}
        self.shape = tuple(raw["before"].shape)
        self.values = {role: _two_d(v) for role, v in raw.items()}
        rows, cols = self._labels(name, self.values["before"].shape)
        both = np.concatenate([self.values["before"].ravel(), self.values["out"].ravel()])
        finite = both[np.isfinite(both)]
        shared = float(np.abs(finite).max()) if finite.size else 1.0
        for role in PANELS:
            scale = (shared or 1.0) if role in ("before", "out") else None
            heat = self.maps[role]
            title = t(PANEL_TEXT[role], self.lang)
            heat.set_matrix(self.values[role], rows, cols, "diverging", title=title, scale=scale)
            if self.session.animate:
                heat.fade_in()
        self.picker.blockSignals(True)
        self.picker.setCurrentText(name)
        self.picker.blockSignals(False)
        self._texts(titles=False)

    def _labels(self, name: str, shape: tuple[int, int]) -> tuple[list[str], list[str]]:
        """Token labels where an axis is a vocabulary (embeddings, output head)."""
        bundle = self.session.bundle
        tok = bundle.src_tok if name.startswith("src_embed") else bundle.tgt_tok
        vocab_axis = name.startswith(("src_embed", "tgt_embed", "head."))
        rows = [str(i) for i in range(shape[0])]
        cols = [str(j) for j in range(shape[1])]
        try:
            if vocab_axis and shape[0] > 1:
                rows = [tok.token(i) for i in range(shape[0])]
            elif vocab_axis and len(self.shape) == 1:
                cols = [tok.token(j) for j in range(shape[1])]
        except Exception:  # labels are a nicety; indices still work
            pass
        return rows, cols

    def _relabel(self, *_: object) -> None:
        self._texts(titles=True)

    def _texts(self, titles: bool) -> None:
        """Every string of the view; ``titles``: the heatmaps' too (a language switch)."""
        lang = self.lang
        self.hint.setText(t("hint" if self.session.mode != "train" else "empty", lang))
        self.pick_label.setText(t("param", lang))
        self.in_centre.setText(t("in_centre", lang))
        self.picker.setToolTip(t("pick_tip", lang))
        has = self.param is not None and self.param in self.params
        self.stack.show_content(has)
        self.picker.setVisible(has)
        self.pick_label.setVisible(has)
        if not has:
            self.title.setText(t("title", lang, name="", shape="").strip(" :："))
            return
        shape = "×".join(str(n) for n in self.shape)
        self.title.setText(t("title", lang, name=self.param, shape=f"({shape})"))
        for role in PANELS if titles else ():
            self.maps[role].set_matrix(
                self.maps[role].values,
                self.maps[role].rows,
                self.maps[role].cols,
                "diverging",
                title=t(PANEL_TEXT[role], lang),
                scale=self.maps[role].scale if role in ("before", "out") else None,
            )
        n = self.values["grad"].size
        self.hist_grad.set_values(self.values["grad"], t("hist_grad", lang, n=n))
        self.hist_update.set_values(self.values["update"], t("hist_update", lang, n=n))
        meta = self.session.trace.meta
        self.lr_line.setText(lr_html(meta, lang))
        self.loss_line.setText(loss_html(meta, lang))
        self._show_cell()

    def _show_cell(self, *_: object) -> None:
        if self.param is None or not self.values:
            return
        rows, cols = self.values["before"].shape
        sel = self.session.selection
        r = sel.row if sel.row is not None and 0 <= sel.row < rows else 0
        c = sel.col if sel.col is not None and 0 <= sel.col < cols else 0
        if rows == 1 and sel.row is not None and sel.col is None and 0 <= sel.row < cols:
            c = sel.row  # a 1-D parameter: a lone index names its entry
        self.cell = (r, c)
        for heat in self.maps.values():
            heat.select(self.cell)
        self.hist_grad.mark(float(self.values["grad"][r, c]))
        self.hist_update.mark(float(self.values["update"][r, c]))
        shown = (c,) if len(self.shape) == 1 else (r, c)
        at = {role: float(v[r, c]) for role, v in self.values.items()}
        self.adam_line.setText(adam_html(at, shown, self.lang))


def _two_d(value: np.ndarray) -> np.ndarray:
    """A parameter as drawn: 1-D as one row, more than 2-D folded into columns."""
    v = value.astype(np.float32, copy=False)
    if v.ndim == 0:
        return v.reshape(1, 1)
    if v.ndim == 1:
        return v[None, :]
    return v.reshape(v.shape[0], -1)
