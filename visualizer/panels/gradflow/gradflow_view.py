"""The gradient-flow view: how large the gradient is in every block for one training step.

For each block, from the source embedding (bottom) up to the output head (top): the L2
norm of the gradient at the block's output activation (``d/enc.0.ffn.out``,
``d/logits``, ...) and of the gradient of its parameters (all its ``d/<param>`` tensors
together), as bars in the backward colour, on a linear or log scale. The block holding
the cursor is highlighted; clicking a bar seeks to the block's first backward step.
Above, the total gradient norm before clipping and the clip threshold from the trace.
A translation trace has no gradients: a hint says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.gradflow.gradflow_chart import ACT, PARAM, GradFlowChart
from visualizer.panels.gradflow.gradflow_data import GradFlow, block_label, block_of, grad_flow
from visualizer.theme import PHASE_COLORS, ui_font
from visualizer.widgets.hint_stack import HintStack
from visualizer.widgets.numbers import significant

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

STRINGS = {
    "title": {"en": "Gradient flow of this training step", "zh": "本训练步的梯度流动"},
    "norm": {
        "en": "Gradient norm ‖g‖ over all parameters (before clipping) = <b>{g}</b> · "
        "clip threshold {c}: {state}",
        "zh": "全部参数的梯度范数 ‖g‖（裁剪前）= <b>{g}</b> · 裁剪阈值 {c}：{state}",
    },
    "clipped": {"en": "scaled down ×{f}", "zh": "缩小为 ×{f}"},
    "unclipped": {"en": "not clipped", "zh": "未裁剪"},
    "lr": {"en": " · learning rate {v}", "zh": " · 学习率 {v}"},
    "act": {"en": "gradient at the block's output ‖∂L/∂out‖", "zh": "模块输出处的梯度 ‖∂L/∂out‖"},
    "param": {"en": "its parameters' gradient ‖∂L/∂θ‖", "zh": "模块参数的梯度 ‖∂L/∂θ‖"},
    "log": {"en": "log scale", "zh": "对数刻度"},
    "none": {
        "en": "Bottom: input, top: output. Click a bar to jump to that block's backward step.",
        "zh": "下方是输入，上方是输出。点击条形可跳到该模块的反向传播步骤。",
    },
    "detail": {
        "en": "<b>{b}</b>: ‖∂L/∂out‖ = {a} ({k}) · ‖∂L/∂θ‖ = {p} ({n} tensors)",
        "zh": "<b>{b}</b>：‖∂L/∂out‖ = {a}（{k}）· ‖∂L/∂θ‖ = {p}（{n} 个参数张量）",
    },
    "hint": {
        "en": "Switch to 'Train one step' to see how the gradient flows back through the layers.",
        "zh": "切换到“训练一步”即可查看梯度如何逐层反向流动。",
    },
}


class GradFlowView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.flow: GradFlow | None = None
        self._trace: object = None
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(10, 8, 10, 6)
        lay.setSpacing(4)
        self.title = QLabel()
        self.title.setFont(ui_font(12, bold=True))
        self.title.setStyleSheet(f"color: {PHASE_COLORS['backward']}")
        self.summary, self.legend, self.detail = QLabel(), QLabel(), QLabel()
        for w in (self.summary, self.legend, self.detail):
            w.setWordWrap(True)
            w.setFont(ui_font(10))
        self.chart = GradFlowChart()
        self.chart.sigBlockClicked.connect(self._on_click)
        self.log_box = QCheckBox()
        self.log_box.setChecked(True)
        self.log_box.toggled.connect(lambda on: self.chart.set_log(on))
        row = QHBoxLayout()
        row.addWidget(self.legend, 1)
        row.addWidget(self.log_box, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addLayout(row)
        lay.addWidget(self.detail)
        lay.addWidget(self.chart, 1)
        self.stack = HintStack(page)
        self.hint = self.stack.hint
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(lambda _: self._relabel(), owner=self)
        self._on_trace()

    def _on_trace(self) -> None:
        self._trace = self.session.trace
        try:
            self.flow = grad_flow(self.session.trace)
        except Exception:  # a malformed trace shows the hint rather than raising
            self.flow = None
        blocks = self.flow.blocks if self.flow else ()
        self.chart.set_data([], [(b.act_norm, b.param_norm) for b in blocks])
        self.stack.show_content(bool(self.flow))
        self._relabel()

    def cursor_block(self) -> int | None:
        """Index of the block the cursor's step belongs to (forward, backward or update)."""
        if not self.flow:
            return None
        try:
            name = self.session.step.name
        except (IndexError, AttributeError):
            return None
        return self.flow.index(block_of(name))

    def _on_cursor(self) -> None:
        if self.session.trace is not self._trace:
            self._on_trace()
            return
        i = self.cursor_block()
        self.chart.set_highlight(i)
        self._set_detail(i)

    def _on_click(self, i: int) -> None:
        if self.flow and 0 <= i < len(self.flow.blocks):
            target = self.flow.blocks[i].first_backward
            if target is not None:
                self.session.seek(target)

    def _set_detail(self, i: int | None) -> None:
        lang = self.session.lang
        if not self.flow or i is None:
            self.detail.setText(tr(STRINGS["none"], lang))
            return
        b = self.flow.blocks[i]
        self.detail.setText(
            tr(STRINGS["detail"], lang).format(
                b=block_label(b.id, lang),
                a=significant(b.act_norm),
                k=b.act_key or "—",
                p=significant(b.param_norm),
                n=b.n_params,
            )
        )

    def _relabel(self) -> None:
        lang = self.session.lang
        self.hint.setText(tr(STRINGS["hint"], lang))
        self.log_box.setText(tr(STRINGS["log"], lang))
        f = self.flow
        if not f:
            return
        self.title.setText(tr(STRINGS["title"], lang))
        self.chart.set_labels([block_label(b.id, lang) for b in f.blocks])
        g, c = f.grad_norm, f.clip
        if g is not None and c is not None:
            state = (
                tr(STRINGS["clipped"], lang).format(f=f"{c / g:.3g}")
                if g > c
                else tr(STRINGS["unclipped"], lang)
            )
            text = tr(STRINGS["norm"], lang).format(g=significant(g), c=f"{c:g}", state=state)
        else:
            text = ""
        if f.lr is not None:
            text += tr(STRINGS["lr"], lang).format(v=f"{f.lr:g}")
        self.summary.setText(text)
        self.legend.setText(
            f"<span style='color:{ACT.name()}'>■</span> {tr(STRINGS['act'], lang)} &nbsp; "
            f"<span style='color:{PARAM.name()}'>■</span> {tr(STRINGS['param'], lang)}"
        )
        self._on_cursor()
