"""The input bar's second row: translate or trace one training step, and the target.

In "train" mode the session traces one training step (forward with teacher forcing,
loss, backward, Adam update) on a copy of the model, learning the target given here
(by default the corpus' translation of a lecture sentence). The row reports the
loss before and after that step, as the trace measured it. For a classifier the target
is a label (by default the right label of a lecture sentence or picture, else the
model's own answer) and there is no decoder input to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.input.light_row import LightRow
from visualizer.theme import ui_font
from visualizer.widgets.answer import label_text

if TYPE_CHECKING:
    from core.bundle import Bundle
    from core.session import Mode, Session
    from visualizer.bridge import SessionBridge

STRINGS = {
    "translate": {"en": "Translate", "zh": "翻译"},
    "train": {"en": "Train one step", "zh": "训练一步"},
    "classify": {"en": "Classify", "zh": "分类"},
    "fill": {"en": "Fill in [MASK]", "zh": "填空 [MASK]"},  # a pre-trained BERT
    "continue": {"en": "Continue the text", "zh": "续写文本"},  # a language model (GPT-2)
    "target": {
        "en": "Target translation (default: the reference)",
        "zh": "目标译文（默认：参考译文）",
    },
    "loss": {
        "en": "loss {a:.4f} → {b:.4f} after one step ({pct:+.1f}%)",
        "zh": "损失 {a:.4f} → 一步之后 {b:.4f}（{pct:+.1f}%）",
    },
    "label": {
        "en": "Target label: {labels} (default: the right label of a lecture example)",
        "zh": "目标标签：{labels}（默认：讲课示例的正确标签）",
    },
    "unk": {"en": "not in the target vocabulary: {w}", "zh": "不在目标词表中：{w}"},
    "inputs": {"en": "decoder reads", "zh": "解码器读入"},
    "labels": {"en": "must predict", "zh": "应预测"},
}
MODES: tuple[Mode, ...] = ("translate", "train")


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
        self.strips = QLabel()  # teacher forcing: what the decoder reads vs. must predict
        self.strips.setFont(ui_font(10))
        self.strips.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mode)
        row.addWidget(self.target, 1)
        row.addWidget(self.loss)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.strips)
        self.light = LightRow(session, bridge)  # a large model: the light trace's line
        lay.addWidget(self.light)
        bridge.sigMode.connect(self._on_mode)
        bridge.sigTarget.connect(self._on_target)
        bridge.sigTrace.connect(self._on_trace)
        bridge.connect_relabel(self._relabel)
        self._relabel()

    def _on_mode_picked(self, index: int) -> None:
        self.session.mode = MODES[index]

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
        bundle = self.session.bundle
        classifier = bool(bundle.labels)
        for w in (self.target, self.loss, self.strips):
            w.setVisible(training)
        # an encoder-only model has no decoder that reads anything
        self.strips.setVisible(training and bundle.cfg.arch != "encoder-only")
        lang = self.session.lang
        if self.mode.count() == len(MODES):  # what the first mode does with this model
            self.mode.setItemText(0, tr(STRINGS[_run_word(bundle)], lang))
        if classifier:
            labels = ", ".join(
                f"{label} ({label_text(label, 'zh')})" if lang == "zh" else label
                for label in self.session.bundle.labels
            )
            self.target.setToolTip(tr(STRINGS["label"], lang).format(labels=labels))
        else:
            self.target.setToolTip(tr(STRINGS["target"], lang))
        meta = self.session.trace.meta
        if not training or meta.get("kind") != "train_step":
            return
        if not self.target.text():
            self.target.setPlaceholderText(meta.get("target", ""))
        a, b = float(meta["loss"]), float(meta.get("loss_after", meta["loss"]))
        text = tr(STRINGS["loss"], lang).format(a=a, b=b, pct=100 * (b - a) / max(a, 1e-12))
        if meta.get("target_unknown"):
            text += " · " + tr(STRINGS["unk"], lang).format(w=", ".join(meta["target_unknown"]))
        self.loss.setText(text)
        self.loss.setStyleSheet("color: #2a9d8f" if b < a else "color: #c1121f")
        self.strips.setText(teacher_forcing_html(meta, lang))

    def _relabel(self, _lang: str = "") -> None:
        lang = self.session.lang
        self.mode.clear()
        self.mode.addItems([tr(STRINGS[m], lang) for m in MODES])
        self.mode.setCurrentIndex(MODES.index(self.session.mode))
        self._on_trace()


def _run_word(bundle: Bundle) -> str:
    """The first mode's name: a classifier classifies, a pre-trained BERT fills in its
    masks, a language model (GPT-2) continues the text, a translator translates."""
    if bundle.labels:
        return "classify"
    if bundle.cfg.mlm:
        return "fill"
    return "continue" if continues(bundle) else "translate"


def continues(bundle: Bundle) -> bool:
    """A decoder-only language model (GPT-2) that continues text, not the built-in GPT
    that translates its prompt ``source =``."""
    from core.prompt_task import translates

    return bundle.cfg.arch == "decoder-only" and not translates(bundle)


def teacher_forcing_html(meta: dict[str, Any], lang: str) -> str:
    """Two aligned token strips: the shifted-right decoder input over the labels, so
    position t reads ``<bos> y1 … y(t-1)`` and must predict ``y_t``."""
    inputs = [str(t) for t in meta.get("tgt_in_tokens", [])]
    labels = [str(t) for t in meta.get("tgt_out_tokens", [])]

    def row(title: str, tokens: list[str], color: str) -> str:
        cells = "".join(
            f"<td style='background:{color}; padding:1px 6px'>{_esc(t)}</td>" for t in tokens
        )
        return f"<tr><td style='color:#6e6e73; padding-right:6px'>{title}</td>{cells}</tr>"

    return (
        "<table cellspacing='2'>"
        + row(tr(STRINGS["inputs"], lang), inputs, "#e8eefb")
        + row(tr(STRINGS["labels"], lang), labels, "#fde2d4")
        + "</table>"
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
