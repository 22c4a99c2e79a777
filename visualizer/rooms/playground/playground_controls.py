"""The playground's side panel: Play / Pause, Step, Reset, and every setting.

Controls only emit what the user asked for (``sigConfigure`` with the changed
fields); the room passes it to the lab, and ``show_config`` puts the lab's settings
back into the controls with their signals blocked, so there is one source of truth.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from visualizer.rooms.playground.playground_text import name, t
from visualizer.theme import MUTED, get_scale, ui_font

DATASETS = ["blobs", "xor", "circle", "spiral", "cat_dog"]
MULTI = ("blobs", "spiral")
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear"]
RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
L2S = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1]
SP = QStyle.StandardPixmap
PLAY, PAUSE = SP.SP_MediaPlay, SP.SP_MediaPause


def _slider(lo: int, hi: int, step: int = 1) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(lo, hi)
    slider.setSingleStep(step)
    return slider


class PlaygroundControls(QWidget):
    sigConfigure = Signal(dict)
    sigPlay = Signal()
    sigStep = Signal()
    sigReset = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = "en"
        self.training: bool | None = None  # the state the play button shows (None: none yet)
        z = get_scale()  # fixed sizes are built at the zoom of the day (presentation.scale)
        self.setFixedWidth(round(236 * z))
        self.play = QPushButton()
        self.step = QPushButton()
        self.reset = QPushButton()
        for b, sig in (
            (self.play, self.sigPlay),
            (self.step, self.sigStep),
            (self.reset, self.sigReset),
        ):
            b.setFont(ui_font(10, bold=b is self.play))
            b.setMinimumHeight(30)
            b.clicked.connect(sig.emit)
        self.step.setIcon(self.style().standardIcon(SP.SP_MediaSkipForward))
        self.reset.setIcon(self.style().standardIcon(SP.SP_BrowserReload))
        self.iteration = QLabel("0")
        self.iteration.setFont(ui_font(18, bold=True))
        self.iteration.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.iteration.setFixedWidth(
            round(130 * z)
        )  # a growing number must not lay the panel out again
        self.iteration_label = QLabel()
        self.iteration_label.setStyleSheet(f"color:{MUTED}")
        self.dataset = QComboBox()
        self.classes = QSpinBox(minimum=2, maximum=4)
        self.noise = _slider(0, 50)
        self.noise_value = QLabel()
        self.split = _slider(10, 90, step=5)
        self.split_value = QLabel()
        self.seed = QSpinBox(minimum=0, maximum=9999)
        self.activation = QComboBox()
        self.lr = QComboBox()
        self.batch = QSpinBox(minimum=1, maximum=200)
        self.l2 = QComboBox()
        self.dataset.addItems(DATASETS)
        self.activation.addItems(ACTIVATIONS)
        self.lr.addItems([str(r) for r in RATES])
        self.l2.addItems([str(v) for v in L2S])
        for value in (self.noise_value, self.split_value):
            value.setFixedWidth(round(38 * z))

        self.dataset.activated.connect(lambda i: self._emit(dataset=DATASETS[i]))
        self.classes.valueChanged.connect(lambda v: self._emit(classes=v))
        self.noise.valueChanged.connect(lambda v: self._emit(noise=v / 100))
        self.split.valueChanged.connect(lambda v: self._emit(split=v / 100))
        self.seed.valueChanged.connect(lambda v: self._emit(seed=v))
        self.activation.activated.connect(lambda i: self._emit(activation=ACTIVATIONS[i]))
        self.lr.activated.connect(lambda i: self._emit(lr=RATES[i]))
        self.batch.valueChanged.connect(lambda v: self._emit(batch=v))
        self.l2.activated.connect(lambda i: self._emit(l2=L2S[i]))

        transport = QHBoxLayout()
        transport.setSpacing(4)
        for b in (self.play, self.step, self.reset):
            transport.addWidget(b)
        counter = QHBoxLayout()
        counter.addWidget(self.iteration_label)
        counter.addStretch(1)
        counter.addWidget(self.iteration)
        self.data_box = QGroupBox()
        data = QFormLayout(self.data_box)
        self.train_box = QGroupBox()
        train = QFormLayout(self.train_box)
        self.rows: dict[str, QLabel] = {}
        for form, key, widget in (
            (data, "dataset", self.dataset),
            (data, "classes", self.classes),
            (data, "noise", self._with_value(self.noise, self.noise_value)),
            (data, "split", self._with_value(self.split, self.split_value)),
            (data, "seed", self.seed),
            (train, "activation", self.activation),
            (train, "lr", self.lr),
            (train, "batch", self.batch),
            (train, "l2", self.l2),
        ):
            label = QLabel()
            label.setWordWrap(True)
            self.rows[key] = label
            form.addRow(label, widget)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(transport)
        lay.addLayout(counter)
        lay.addWidget(self.data_box)
        lay.addWidget(self.train_box)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.help.setFont(ui_font(9))
        self.help.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.help, 1)

    @staticmethod
    def _with_value(slider: QSlider, value: QLabel) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(slider, 1)
        row.addWidget(value)
        return box

    def _emit(self, **changes: Any) -> None:
        self.sigConfigure.emit(changes)

    def show_config(self, config: Any, training: bool, iteration: int) -> None:
        widgets: tuple[QWidget, ...] = (self.dataset, self.classes, self.noise, self.split)
        widgets += (self.seed, self.activation, self.lr, self.batch, self.l2)
        for w in widgets:
            w.blockSignals(True)
        self.dataset.setCurrentIndex(DATASETS.index(config.dataset))
        self.classes.setValue(config.classes)
        self.classes.setEnabled(config.dataset in MULTI)
        self.noise.setValue(round(config.noise * 100))
        self.noise_value.setText(f"{config.noise:.2f}")
        self.split.setValue(round(config.split * 100))
        self.split_value.setText(f"{round(config.split * 100)} %")
        self.seed.setValue(config.seed)
        self.activation.setCurrentIndex(ACTIVATIONS.index(config.activation))
        self.lr.setCurrentIndex(min(range(len(RATES)), key=lambda i: abs(RATES[i] - config.lr)))
        self.batch.setValue(config.batch)
        self.l2.setCurrentIndex(min(range(len(L2S)), key=lambda i: abs(L2S[i] - config.l2)))
        for w in widgets:
            w.blockSignals(False)
        self.show_state(training, iteration)

    def show_state(self, training: bool, iteration: int) -> None:
        """Called every frame while playing: touch only what changed (a new text or
        icon would lay out and repaint the whole panel)."""
        self.iteration.setText(f"{iteration:,}".replace(",", " "))
        lang = self.lang
        text = t("pause", lang) if training else t("play", lang)
        if (training, text) != (self.training, self.play.text()):
            self.play.setText(text)
            self.play.setIcon(self.style().standardIcon(PAUSE if training else PLAY))
        self.training = training

    def relabel(self, lang: str) -> None:
        self.lang = lang
        self.step.setText(t("step", lang))
        self.reset.setText(t("reset", lang))
        self.play.setToolTip(t("play_tip", lang))
        self.step.setToolTip(t("step_tip", lang))
        self.reset.setToolTip(t("reset_tip", lang))
        self.iteration_label.setText(t("iteration", lang))
        self.data_box.setTitle(t("data", lang))
        self.help.setText(t("help", lang))
        self.train_box.setTitle(t("network", lang))
        for key, label in self.rows.items():
            label.setText(t(key, lang))
        for combo, keys in ((self.dataset, DATASETS), (self.activation, ACTIVATIONS)):
            for i, k in enumerate(keys):
                combo.setItemText(i, name(k, lang))
        training = bool(self.training)
        self.training = None  # so the play button is relabelled too
        self.show_state(training, int(self.iteration.text().replace(" ", "")))
