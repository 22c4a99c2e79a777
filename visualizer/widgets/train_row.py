"""The input bar's second row: translate or trace one training step, and the target.

In "train" mode the session traces one training step (forward with teacher forcing,
loss, backward, Adam update) on a copy of the model, learning the target given here
(by default the corpus' translation of a lecture sentence). The row reports the
loss before and after that step, as the trace measured it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from visualizer.i18n import tr
from visualizer.theme import ui_font

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

TEXTS = {
    "translate": {"en": "Translate", "zh": "翻译"},
    "train": {"en": "Train one step", "zh": "训练一步"},
    "target": {
        "en": "Target translation (default: the reference)",
        "zh": "目标译文（默认：参考译文）",
    },
    "loss": {
        "en": "loss {a:.4f} → {b:.4f} after one step ({pct:+.1f}%)",
        "zh": "损失 {a:.4f} → 一步之后 {b:.4f}（{pct:+.1f}%）",
    },
    "unk": {"en": "not in the target vocabulary: {w}", "zh": "不在目标词表中：{w}"},
}
MODES = ("translate", "train")


class TrainRow(QWidget):
    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.mode = QComboBox()
        self.mode.activated.connect(self._on_mode_picked)
        self.target = QLineEdit(session.target)
        self.target.setFont(ui_font(12))
        self.target.setMinimumWidth(160)
        self.target.returnPressed.connect(self._on_target_entered)
        self.loss = QLabel()
        self.loss.setFont(ui_font(11))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.mode)
        lay.addWidget(self.target, 1)
        lay.addWidget(self.loss)
        bridge.sigMode.connect(self._on_mode)
        bridge.sigTarget.connect(self._on_target)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigLang.connect(self._relabel)
        self._relabel()

    def _on_mode_picked(self, index: int) -> None:
        self.session.mode = MODES[index]  # type: ignore[assignment]

    def _on_target_entered(self) -> None:
        if self.target.text() == self.session.target:
            self.session.rerun()
        else:
            self.session.target = self.target.text()

    def _on_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(MODES.index(mode))
        self._on_trace()

    def _on_target(self, text: str) -> None:
        if self.target.text() != text:
            self.target.setText(text)

    def _on_trace(self, _trace: object = None) -> None:
        training = self.session.mode == "train"
        self.target.setVisible(training)
        self.loss.setVisible(training)
        meta = self.session.trace.meta
        if not training or meta.get("kind") != "train_step":
            return
        if not self.target.text():
            self.target.setPlaceholderText(meta.get("target", ""))
        a, b = float(meta["loss"]), float(meta.get("loss_after", meta["loss"]))
        lang = self.session.lang
        text = tr(TEXTS["loss"], lang).format(a=a, b=b, pct=100 * (b - a) / max(a, 1e-12))
        if meta.get("target_unknown"):
            text += " · " + tr(TEXTS["unk"], lang).format(w=", ".join(meta["target_unknown"]))
        self.loss.setText(text)
        self.loss.setStyleSheet("color: #2a9d8f" if b < a else "color: #c1121f")

    def _relabel(self, _lang: str = "") -> None:
        lang = self.session.lang
        self.mode.clear()
        self.mode.addItems([tr(TEXTS[m], lang) for m in MODES])
        self.mode.setCurrentIndex(MODES.index(self.session.mode))
        self.target.setToolTip(tr(TEXTS["target"], lang))
        self._on_trace()
