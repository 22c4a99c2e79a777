"""The train row's line for a large model: what a full trace would take, and the light trace.

A traced training step of a large model (GPT-2 small: 124 M parameters) would record
gigabytes if every parameter's before, gradient, moments, update and after were kept,
so the engine plans a light trace instead (``core.light_trace``): one block and the
output parts in full, every other parameter as norms. This line says so with the
model's own numbers (its parameters, the bytes of a full trace and of the light one; the
step's own working memory in the tooltip) and lets the user choose the block
(``session.light_block``). It is hidden for a model whose full trace fits, and outside
the train mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.theme import ui_font

if TYPE_CHECKING:
    from core.light_trace import TracePlan
    from core.session import Session
    from visualizer.bridge import SessionBridge

STRINGS = {
    "line": {
        "en": "Large model: {params:,} parameters. A full training-step trace would record "
        "{full} (limit {limit}); this light trace records the chosen block and the output "
        "parts in full, every other parameter as norms: {light}.",
        "zh": "大模型：{params:,} 个参数。完整的训练步追踪需要记录 {full}（上限 {limit}）；"
        "轻量追踪只完整记录选中的块和输出部分，其余参数只记录范数：{light}。",
    },
    "pick": {"en": "Record in full:", "zh": "完整记录："},
    "tip": {
        "en": "The block whose update (before, gradient, Adam's moments, change, after) is "
        "recorded in full; every other parameter keeps four norms. The step itself needs "
        "{step} of working memory (a copy of the model, its gradients, Adam's moments).",
        "zh": "完整记录其更新（更新前、梯度、Adam 的动量、改变量、更新后）的块；"
        "其余每个参数只保留四个范数。这一步本身还需要 {step} 的工作内存"
        "（模型的副本、梯度、Adam 的动量）。",
    },
}


class LightRow(QWidget):
    """A line and a block picker, shown in the train mode when the model is large."""

    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.line = QLabel()
        self.line.setFont(ui_font(10))
        self.line.setWordWrap(True)
        self.line.setStyleSheet("color: #8a5a00")
        self.pick_label = QLabel()
        self.pick_label.setFont(ui_font(10))
        self.block = QComboBox()
        self.block.activated.connect(self._on_pick)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.pick_label)
        row.addWidget(self.block)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.line)  # its own row: the whole width to wrap in
        self.plan: TracePlan | None = None
        bridge.sigMode.connect(self.refresh)
        bridge.sigTrace.connect(self.refresh)
        bridge.connect_relabel(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        """Plan the model's training-step trace (sizes only, nothing copied) and show it."""
        from core.light_trace import plan_trace
        from core.limits import PARAM_TRACE_BYTES, size_text

        s = self.session
        try:
            plan = plan_trace(s.bundle.model, s.light_block)
        except ValueError as e:  # even the light trace is past the ceiling, a stale block
            self.plan = None
            self.setVisible(s.mode == "train")
            self.line.setText(str(e))
            self.block.setVisible(False)
            self.pick_label.setVisible(False)
            return
        self.plan = plan
        self.setVisible(s.mode == "train" and plan.light)
        if not plan.light:
            return
        lang = s.lang
        self.line.setText(
            tr(STRINGS["line"], lang).format(
                params=plan.params,
                full=size_text(plan.full_bytes),
                limit=size_text(PARAM_TRACE_BYTES),
                light=size_text(plan.bytes),
            )
        )
        self.pick_label.setText(tr(STRINGS["pick"], lang))
        tip = tr(STRINGS["tip"], lang).format(step=size_text(plan.step_bytes))
        self.block.setToolTip(tip)
        self.line.setToolTip(tip)
        self.block.setVisible(True)
        self.pick_label.setVisible(True)
        self.block.blockSignals(True)
        self.block.clear()
        self.block.addItems(list(plan.blocks))
        self.block.setCurrentIndex(plan.blocks.index(plan.block))
        self.block.blockSignals(False)

    def _on_pick(self, index: int) -> None:
        if self.plan is not None and 0 <= index < len(self.plan.blocks):
            self.session.light_block = self.plan.blocks[index]
