"""The demo sentence as training goes: its translation and cross-attention, with a slider.

The training process sends a ``Snapshot`` every 50 steps (and one before the first
step); this panel keeps them all and lets the user scrub "the attention after 0, 50,
100 … steps". While a run is live the slider follows the newest snapshot unless the
user has moved it back. The matrix shown is one decoder layer's cross-attention,
averaged over its heads or for one head: rows are the German tokens the model
produced, columns the English ones it read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.theme import ui_font
from visualizer.widgets.heatmap import Heatmap

if TYPE_CHECKING:
    from core.train_messages import Snapshot

STRINGS = {
    "after": {"en": "attention after {step} steps", "zh": "训练 {step} 步后的注意力"},
    "none": {
        "en": "Train to watch the demo sentence's cross-attention form.",
        "zh": "开始训练，观察示例句子的交叉注意力如何形成。",
    },
    "says": {"en": "“{src}” → “{out}”", "zh": "“{src}” → “{out}”"},
    "mean": {"en": "mean of heads", "zh": "各头平均"},
    "head": {"en": "head {h}", "zh": "头 {h}"},
    "layer": {"en": "decoder layer {l}", "zh": "解码器第 {l} 层"},
    "title": {
        "en": "dec.{l} cross-attention (row: output, column: source)",
        "zh": "dec.{l} 交叉注意力（行：输出，列：源）",
    },
}


class SnapshotPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshots: list[Snapshot] = []
        self.lang = "en"
        self.source = ""
        self.follow = True  # track the newest snapshot until the user scrubs back
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider)
        self.caption, self.says = QLabel(), QLabel()
        self.says.setFont(ui_font(11, bold=True))
        self.says.setWordWrap(True)
        self.layer, self.head = QComboBox(), QComboBox()
        for box in (self.layer, self.head):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer.currentIndexChanged.connect(lambda _: self.show_current())
        self.head.currentIndexChanged.connect(lambda _: self.show_current())
        self.map = Heatmap()
        self.caption.setFont(ui_font(10, bold=True))
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.layer)
        top.addWidget(self.head)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.slider)
        lay.addWidget(self.says)
        lay.addWidget(self.map, 1)
        self.relabel("en")

    def clear(self) -> None:
        self.snapshots.clear()
        self.follow = True
        self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(False)
        self.show_current()

    def add(self, snap: Snapshot) -> None:
        self.snapshots.append(snap)
        at_end = self.slider.value() >= self.slider.maximum()
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self.snapshots) - 1)
        if self.follow or at_end:
            self.slider.setValue(len(self.snapshots) - 1)
        self.slider.blockSignals(False)
        if self.layer.count() != len(snap.cross):
            self._fill_choices(snap)
        self.show_current()

    def current(self) -> Snapshot | None:
        if not self.snapshots:
            return None
        return self.snapshots[min(self.slider.value(), len(self.snapshots) - 1)]

    def _on_slider(self, value: int) -> None:
        self.follow = value >= len(self.snapshots) - 1
        self.show_current()

    def _fill_choices(self, snap: Snapshot) -> None:
        for box in (self.layer, self.head):
            box.blockSignals(True)
        self.layer.clear()
        for i in range(len(snap.cross)):
            self.layer.addItem(tr(STRINGS["layer"], self.lang).format(l=i))
        self.layer.setCurrentIndex(max(0, len(snap.cross) - 1))
        self.head.clear()
        self.head.addItem(tr(STRINGS["mean"], self.lang))
        heads = snap.cross[0].shape[0] if snap.cross else 0
        for h in range(heads):
            self.head.addItem(tr(STRINGS["head"], self.lang).format(h=h))
        for box in (self.layer, self.head):
            box.blockSignals(False)

    def matrix(self) -> np.ndarray | None:
        """The matrix on screen: the chosen layer, one head or the mean of all heads."""
        snap = self.current()
        if snap is None or not snap.cross:
            return None
        weights = snap.cross[max(0, min(self.layer.currentIndex(), len(snap.cross) - 1))]
        h = self.head.currentIndex() - 1
        return weights.mean(axis=0) if h < 0 else weights[h]  # (T, S)

    def show_current(self) -> None:
        snap = self.current()
        m = self.matrix()
        if snap is None or m is None:
            self.caption.setText("")
            self.says.setText(tr(STRINGS["none"], self.lang))
            self.map.setVisible(False)
            return
        self.map.setVisible(True)
        self.caption.setText(tr(STRINGS["after"], self.lang).format(step=snap.step))
        self.says.setText(
            tr(STRINGS["says"], self.lang).format(src=self.source, out=snap.translation)
        )
        # row i is the decoder position that predicted token i; the last one said <eos>
        rows = [*snap.tgt_tokens, "<eos>"][: m.shape[0]]
        rows += [""] * (m.shape[0] - len(rows))
        title = tr(STRINGS["title"], self.lang).format(l=self.layer.currentIndex())
        self.map.set_matrix(m, rows, snap.src_tokens, mode="probability", title=title)

    def relabel(self, lang: str) -> None:
        self.lang = lang
        if self.snapshots:
            layer, head = self.layer.currentIndex(), self.head.currentIndex()
            self._fill_choices(self.snapshots[-1])
            self.layer.setCurrentIndex(layer)
            self.head.setCurrentIndex(head)
        self.show_current()
