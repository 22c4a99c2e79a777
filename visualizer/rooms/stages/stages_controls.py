"""The transport of each stage (Run / Pause / Cancel, a progress bar, its state) and the
RL stage's knobs (G, temperature, β, the hackable reward).

Widgets only: they emit what the user asked for and show the state the room gives them;
the room decides what runs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.stages.grpo import GrpoSettings
from visualizer.rooms.stages.stages_text import t
from visualizer.theme import ui_font

HACK_WEIGHT = 0.3  # the hackable reward's pay per answer token past the third (pipeline.Drift)


class StageBox(QGroupBox):
    """One stage's buttons, progress and state line."""

    sigRun = Signal(str)
    sigPause = Signal(str)
    sigCancel = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.run = QPushButton()
        self.pause = QPushButton()
        self.cancel = QPushButton()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.state = QLabel()
        self.state.setFont(ui_font(9))
        self.state.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.run, self.pause, self.cancel):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(3)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.state)
        self.run.clicked.connect(self._on_run)
        self.pause.clicked.connect(self._on_pause)
        self.cancel.clicked.connect(self._on_cancel)
        self.started = False

    def _on_run(self) -> None:
        self.sigRun.emit(self.name)

    def _on_pause(self) -> None:
        self.sigPause.emit(self.name)

    def _on_cancel(self) -> None:
        self.sigCancel.emit(self.name)

    def relabel(self, lang: str) -> None:
        self.setTitle(t(self.name, lang))
        self.run.setText(t("resume" if self.started else "run", lang))
        self.pause.setText(t("pause", lang))
        self.cancel.setText(t("cancel", lang))
        self.run.setToolTip(t("run_tip", lang))
        self.pause.setToolTip(t("pause_tip", lang))
        self.cancel.setToolTip(t("cancel_tip", lang))

    def show_state(
        self, lang: str, step: int, total: int, running: bool, can_run: bool, text: str
    ) -> None:
        """Buttons enabled as the state allows; the bar at ``step`` of ``total``."""
        self.started = 0 < step < total
        self.run.setEnabled(can_run and not running)  # a finished stage: again
        self.pause.setEnabled(running)
        self.cancel.setEnabled(running or step > 0)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(step)
        self.state.setText(text)
        self.relabel(lang)


class RlKnobs(QGroupBox):
    """G, temperature, β (0 allowed) and the hackable reward; ``sigChanged`` with the
    ``GrpoSettings`` fields that changed."""

    sigChanged = Signal(object)  # dict[str, Any]

    def __init__(self, s: GrpoSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QSpinBox()
        self.group.setRange(2, 16)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.1, 3.0)
        self.temperature.setSingleStep(0.1)
        self.beta = QDoubleSpinBox()
        self.beta.setDecimals(3)
        self.beta.setRange(0.0, 5.0)
        self.beta.setSingleStep(0.01)
        self.hack = QCheckBox()
        self.labels = [QLabel() for _ in range(3)]
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        form.addRow(self.labels[0], self.group)
        form.addRow(self.labels[1], self.temperature)
        form.addRow(self.labels[2], self.beta)
        form.addRow(self.hack)
        self.show_settings(s)
        self.group.valueChanged.connect(self._changed)
        self.temperature.valueChanged.connect(self._changed)
        self.beta.valueChanged.connect(self._changed)
        self.hack.toggled.connect(self._changed)

    def show_settings(self, s: GrpoSettings) -> None:
        for w in (self.group, self.temperature, self.beta, self.hack):
            w.blockSignals(True)
        self.group.setValue(s.group)
        self.temperature.setValue(s.temperature)
        self.beta.setValue(s.beta)
        self.hack.setChecked(s.hack_weight > 0)
        for w in (self.group, self.temperature, self.beta, self.hack):
            w.blockSignals(False)

    def values(self) -> dict[str, Any]:
        return {
            "group": self.group.value(),
            "temperature": self.temperature.value(),
            "beta": self.beta.value(),
            "hack_weight": HACK_WEIGHT if self.hack.isChecked() else 0.0,
        }

    def _changed(self, *_: object) -> None:
        self.sigChanged.emit(self.values())

    def relabel(self, lang: str) -> None:
        self.setTitle(t("rl_knobs", lang))
        for label, key in zip(self.labels, ("group", "temperature", "beta"), strict=True):
            label.setText(t(key, lang))
        self.hack.setText(t("hack", lang))
        self.setToolTip(t("knobs_tip", lang, w=HACK_WEIGHT))
