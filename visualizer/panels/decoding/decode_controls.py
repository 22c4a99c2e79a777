"""Decoding strategy controls: greedy / beam / sampling, and their settings.

The widget never decodes anything: it emits ``sigChanged(dict)`` with the fields of
``DecodeSettings`` to change (the view passes them to ``session.set_decode``, which
re-runs the model) and shows whatever settings it is given with ``set_settings``.
Only the controls of the chosen strategy are shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.theme import ui_font

STRATEGIES = ("greedy", "beam", "sample")
STRINGS = {
    "strategy": {"en": "Strategy", "zh": "策略"},
    "greedy": {"en": "Greedy", "zh": "贪心"},
    "beam": {"en": "Beam search", "zh": "束搜索"},
    "sample": {"en": "Sampling", "zh": "采样"},
    "width": {"en": "Beam", "zh": "束宽"},
    "max_len": {"en": "Max len", "zh": "最大长度"},
    "temperature": {"en": "T", "zh": "温度"},
    "top_k": {"en": "top-k", "zh": "top-k"},
    "top_p": {"en": "top-p", "zh": "top-p"},
    "seed": {"en": "Seed", "zh": "种子"},
    "tip_temperature": {
        "en": "Temperature: below 1 sharpens, above 1 flattens the distribution",
        "zh": "温度：小于 1 使分布更尖锐，大于 1 使分布更平坦",
    },
    "tip_top_k": {
        "en": "Keep only the k most likely tokens (0: no limit)",
        "zh": "只保留概率最高的 k 个词元（0：不限制）",
    },
    "tip_top_p": {
        "en": "Keep the most likely tokens until their mass reaches p",
        "zh": "保留概率最高的词元，直到累计概率达到 p",
    },
}


def _spin(lo: float, hi: float, step: float, decimals: int | None = None) -> Any:
    box: QSpinBox | QDoubleSpinBox
    if decimals is None:
        box = QSpinBox()
        box.setRange(int(lo), int(hi))
    else:
        box = QDoubleSpinBox()
        box.setDecimals(decimals)
        box.setRange(lo, hi)
        box.setSingleStep(step)
    box.setKeyboardTracking(False)  # typing "12" re-runs once, not for "1" and "12"
    box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
    box.setFont(ui_font(10))
    return box


class DecodeControls(QWidget):
    sigChanged = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setFont(ui_font(10))
        self.combo.addItems(list(STRATEGIES))
        self.beam = _spin(2, 8, 1)
        self.max_len = _spin(1, 200, 1)
        self.temperature = _spin(0.05, 5.0, 0.1, 2)
        self.top_k = _spin(0, 200, 1)
        self.top_p = _spin(0.05, 1.0, 0.05, 2)
        self.seed = _spin(0, 99999, 1)
        self.temperature.setValue(1.0)
        self.top_p.setValue(1.0)
        self.labels: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for key, w, row in (
            ("strategy", self.combo, row1),
            ("width", self.beam, row1),
            ("max_len", self.max_len, row1),
            ("temperature", self.temperature, row2),
            ("top_k", self.top_k, row2),
            ("top_p", self.top_p, row2),
            ("seed", self.seed, row2),
        ):
            lab = QLabel()
            lab.setFont(ui_font(10))
            lab.setBuddy(w)
            self.labels[key] = lab
            row.addWidget(lab)
            row.addSpacing(4)  # a label never touches its box
            row.addWidget(w)
            row.addSpacing(12)
        row1.addStretch(1)
        row2.addStretch(1)
        grid.addLayout(row1, 0, 0)
        grid.addLayout(row2, 1, 0)
        self.combo.currentIndexChanged.connect(self._on_strategy)
        self.beam.valueChanged.connect(lambda v: self.sigChanged.emit({"beam": int(v)}))
        self.max_len.valueChanged.connect(lambda v: self.sigChanged.emit({"max_len": int(v)}))
        self.temperature.valueChanged.connect(
            lambda v: self.sigChanged.emit({"temperature": float(v)})
        )
        self.top_k.valueChanged.connect(lambda v: self.sigChanged.emit({"top_k": int(v)}))
        self.top_p.valueChanged.connect(lambda v: self.sigChanged.emit({"top_p": float(v)}))
        self.seed.valueChanged.connect(lambda v: self.sigChanged.emit({"seed": int(v)}))
        self.relabel("en")

    @property
    def strategy(self) -> str:
        return STRATEGIES[self.combo.currentIndex()]

    def relabel(self, lang: str) -> None:
        with QSignalBlocker(self.combo):
            for i, s in enumerate(STRATEGIES):
                self.combo.setItemText(i, tr(STRINGS[s], lang))
        for key, lab in self.labels.items():
            lab.setText(tr(STRINGS[key], lang))
        for key in ("temperature", "top_k", "top_p"):
            tip = tr(STRINGS[f"tip_{key}"], lang)
            self.labels[key].setToolTip(tip)
            getattr(self, key).setToolTip(tip)

    def set_settings(self, settings: Any) -> None:
        """Show ``DecodeSettings`` without emitting anything."""
        boxes = (
            self.combo,
            self.beam,
            self.max_len,
            self.temperature,
            self.top_k,
            self.top_p,
            self.seed,
        )
        blockers = [QSignalBlocker(b) for b in boxes]
        self.combo.setCurrentIndex(STRATEGIES.index(settings.strategy))
        self.beam.setValue(max(2, settings.beam))
        self.max_len.setValue(settings.max_len)
        if settings.temperature > 0:
            self.temperature.setValue(settings.temperature)
        self.top_k.setValue(settings.top_k)
        self.top_p.setValue(settings.top_p)
        self.seed.setValue(settings.seed)
        for b in blockers:
            b.unblock()
        self._show_for(self.strategy)

    def _show_for(self, strategy: str) -> None:
        self.beam.setVisible(strategy == "beam")
        self.labels["width"].setVisible(strategy == "beam")
        for key in ("temperature", "top_k", "top_p", "seed"):
            getattr(self, key).setVisible(strategy == "sample")
            self.labels[key].setVisible(strategy == "sample")

    def _on_strategy(self, index: int) -> None:
        strategy = STRATEGIES[index]
        self._show_for(strategy)
        if strategy == "greedy":
            self.sigChanged.emit({"beam": 1, "temperature": 0.0})
        elif strategy == "beam":
            self.sigChanged.emit({"beam": max(2, self.beam.value()), "temperature": 0.0})
        else:
            self.sigChanged.emit({"beam": 1, "temperature": float(self.temperature.value())})
