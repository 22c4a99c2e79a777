"""The loss view: how wrong the model was at every target position of one training step.

For each position t (teacher forcing) a compact row shows the model's top-5 guesses
(``probs``), the true token (``tgt.target``) with its probability and rank, and its
traced loss −log p (``loss.per_token``). Above, the mean loss (``loss``), the loss after
the update when the trace holds it, and what would lower it: raising p(true token) at
the worst position. The row of the selected position is highlighted; clicking a row
sets ``session.selection``. A translation trace has no loss: a hint says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.loss.loss_data import LossData, loss_data
from visualizer.panels.loss.loss_rows import LossRows, row_h
from visualizer.theme import MUTED, PHASE_COLORS, ui_font
from visualizer.widgets.hint_stack import HintStack
from visualizer.widgets.numbers import percent, significant

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

LOSS_NAMES = ("loss.per_token", "tgt.target")
PROB_NAMES = ("logits", "probs")
STRINGS = {
    "title": {"en": "Loss of this training step", "zh": "本训练步的损失"},
    "mean": {
        "en": "Mean loss L = mean over {n} positions of −log p(true token) = <b>{v}</b>",
        "zh": "平均损失 L = {n} 个位置上 −log p(正确词元) 的平均 = <b>{v}</b>",
    },
    "prompt": {
        "en": " — the answer's positions only: the {k} prompt positions do not count",
        "zh": " —— 只算答案的位置：提示的 {k} 个位置不计入",
    },
    "after": {"en": " · after this update: {v}", "zh": " · 本次更新之后：{v}"},
    "lower": {
        "en": "What would lower it: raise p(“{tok}”) at position t={t} (now {p}, rank {r}): "
        "its −log p = {v} is the largest term.",
        "zh": "怎样降低它：提高位置 t={t} 上 p(“{tok}”)（现在为 {p}，第 {r} 名）："
        "它的 −log p = {v} 是最大的一项。",
    },
    "legend": {
        "en": "Per position: the true next token · the model's top 5 guesses · its loss −log p",
        "zh": "每个位置：正确的下一个词元 · 模型的前 5 个猜测 · 该位置的损失 −log p",
    },
    "mismatch": {
        "en": "⚠ −log p from probs differs from the traced loss by {v}",
        "zh": "⚠ 由 probs 算出的 −log p 与轨迹中的损失相差 {v}",
    },
    "hint": {
        "en": "Switch to 'Train one step' to see the loss.",
        "zh": "切换到“训练一步”即可查看损失。",
    },
    "hint_classifier": {
        "en": "A classifier's loss is one number, −log p of the target label: "
        "the Classification head view shows it before → after the step.",
        "zh": "分类器的损失只有一个数，即目标标签的 −log p：“分类头”视图显示这一步前 → 后的损失。",
    },
}


class LossView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.data: LossData | None = None
        self._picked: int | None = None
        self._trace: object = None
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(10, 8, 10, 4)
        lay.setSpacing(4)
        self.title = QLabel()
        self.title.setFont(ui_font(12, bold=True))
        self.title.setStyleSheet(f"color: {PHASE_COLORS['loss']}")
        self.mean = QLabel()
        self.advice = QLabel()
        self.legend = QLabel()
        for w in (self.mean, self.advice, self.legend):
            w.setWordWrap(True)
            w.setFont(ui_font(10))
        self.legend.setStyleSheet(f"color: {MUTED}")
        self.rows = LossRows()
        self.rows.sigRowClicked.connect(self._on_row)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.rows)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for w in (self.title, self.mean, self.advice, self.legend):
            lay.addWidget(w)
        lay.addWidget(self.scroll_area, 1)
        self.stack = HintStack(page)
        self.hint = self.stack.hint
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigSelection.connect(self._on_cursor)
        bridge.connect_relabel(lambda _: self._relabel(), owner=self)
        self._on_trace()

    # -- state -------------------------------------------------------------------------
    def _on_trace(self) -> None:
        trace = self.session.trace
        self._trace = trace
        self._picked = None
        try:
            self.data = loss_data(trace, self.session.bundle.tgt_tok.token)
        except Exception:  # a malformed trace shows the hint rather than raising
            self.data = None
        self.rows.set_data(self.data)
        self.stack.show_content(bool(self.data))
        self._relabel()

    def selected_position(self) -> int | None:
        """The position the cursor points at, if any: the selected column of loss.per_token,
        the selected row of logits / probs, else the row last clicked here."""
        if not self.data:
            return None
        try:
            name = self.session.step.name
        except (IndexError, AttributeError):
            return None
        sel = self.session.selection
        t = sel.col if name in LOSS_NAMES else sel.row if name in PROB_NAMES else self._picked
        return t if t is not None and 0 <= t < len(self.data.rows) else None

    def _on_cursor(self) -> None:
        if self.session.trace is not self._trace:
            self._on_trace()
            return
        t = self.selected_position()
        self.rows.set_selected(t)
        if t is not None:
            h = round(row_h())
            self.scroll_area.ensureVisible(0, t * h + h // 2, 0, h)

    def _on_row(self, t: int) -> None:
        if not self.data:
            return
        self._picked = t
        try:
            name = self.session.step.name
        except (IndexError, AttributeError):
            name = ""
        sel = self.session.selection
        if name in LOSS_NAMES:
            new = replace(sel, row=0, col=t)
        elif name in PROB_NAMES:
            new = replace(sel, row=t, col=self.data.rows[t].true_id)
        else:
            new = replace(sel, row=t)
        if new != sel:
            self.session.selection = new
        else:
            self._on_cursor()

    # -- text --------------------------------------------------------------------------
    def _relabel(self) -> None:
        lang = self.session.lang
        classifier = self.session.bundle.cfg.arch == "encoder-only"  # no per-token loss
        hint = "hint_classifier" if classifier and self.session.mode == "train" else "hint"
        self.hint.setText(tr(STRINGS[hint], lang))
        self.rows.set_lang(lang)
        d = self.data
        if not d or not d.rows:
            self._on_cursor() if d else None
            return
        self.title.setText(tr(STRINGS["title"], lang))
        mean = tr(STRINGS["mean"], lang).format(n=d.counted, v=significant(d.mean))
        if d.counted < len(d.rows):
            mean += tr(STRINGS["prompt"], lang).format(k=len(d.rows) - d.counted)
        if d.after is not None:
            mean += tr(STRINGS["after"], lang).format(v=significant(d.after))
        if d.mismatch > 1e-4:
            mean += "<br><span style='color:#d62828'>"
            mean += tr(STRINGS["mismatch"], lang).format(v=significant(d.mismatch)) + "</span>"
        self.mean.setText(mean)
        w = d.rows[d.worst]
        self.advice.setText(
            tr(STRINGS["lower"], lang).format(
                tok=w.true_label, t=w.t, p=percent(w.p_true), r=w.rank, v=significant(w.loss)
            )
        )
        self.legend.setText(tr(STRINGS["legend"], lang))
        self._on_cursor()
