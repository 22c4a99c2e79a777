"""The neuron room's controls: a slider + spin box per input, weight and bias, and the
training bar (activation, learning rate, seed, Step, Train N, Reset).

Controls only call the lab's methods; they show the lab's values back with their
signals blocked, so a value the lab set (after a training step) never loops back as an
edit. Sliders cover the useful range (±4); the spin boxes accept any typed value in a
wider range, so a weight that training pushed past 4 is still shown exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.rooms.neuron.neuron_text import FEATURES, act_name, t
from visualizer.theme import PHASE_COLORS, get_scale, ui_font

if TYPE_CHECKING:
    from core.basics.neuron_lab import NeuronLab

ACTIVATIONS = ("identity", "step", "sigmoid", "tanh", "relu")
PARAMS = ("w1", "w2", "w3", "b")
Do = Callable[..., Any]  # calls a lab method, turning a ValueError into lab.error

SCALE = 100  # slider ticks per unit


class ParamRow(QWidget):
    """A label, a slider and a spin box for one number; ``sigValue(float)`` on user edits."""

    sigValue = Signal(float)

    def __init__(self, span: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setFont(ui_font(10, True))
        self.label.setMinimumWidth(92)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(int(-span * SCALE), int(span * SCALE))
        self.spin = QDoubleSpinBox()
        self.spin.setRange(-9999.0, 9999.0)  # a diverging run goes further: the figure shows it
        self.spin.setDecimals(3)
        self.spin.setSingleStep(0.01)
        self.spin.setKeyboardTracking(False)
        self.spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.spin.setFixedWidth(round(84 * get_scale()))  # built at the zoom of the day
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.spin)
        self.slider.valueChanged.connect(lambda v: self._edited(v / SCALE))
        self.spin.valueChanged.connect(self._edited)

    def _edited(self, value: float) -> None:
        self.set_value(value)
        self.sigValue.emit(float(value))

    def set_value(self, value: float) -> None:
        for w in (self.slider, self.spin):
            w.blockSignals(True)
        self.slider.setValue(round(max(-1e6, min(1e6, value)) * SCALE) if value == value else 0)
        self.spin.setValue(value if value == value else 0.0)
        for w in (self.slider, self.spin):
            w.blockSignals(False)


class TrainBar(QGroupBox):
    """Activation, learning rate, seed and the Step / Train N / Reset buttons."""

    def __init__(self, activations: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.act_label, self.lr_label, self.seed_label = QLabel(), QLabel(), QLabel()
        self.activation = QComboBox()
        for name in activations:
            self.activation.addItem(name, name)
        self.lr = QDoubleSpinBox()
        self.lr.setRange(0.0, 5.0)
        self.lr.setDecimals(3)
        self.lr.setSingleStep(0.05)
        self.lr.setKeyboardTracking(False)
        self.seed = QSpinBox()
        self.seed.setRange(0, 99_999)
        self.seed.setKeyboardTracking(False)
        self.step = QPushButton()
        self.step.setFont(ui_font(11, True))
        self.step.setMinimumHeight(34)
        self.step.setStyleSheet(
            f"QPushButton {{ background: {PHASE_COLORS['update']}; color: #1d1d1f;"
            " border-radius: 6px; padding: 4px 14px; }"
        )
        self.train = QPushButton()
        self.n = QSpinBox()
        self.n.setRange(1, 5000)
        self.n.setValue(50)
        self.steps_label = QLabel()
        self.reset = QPushButton()
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.addWidget(self.act_label, 0, 0)
        grid.addWidget(self.activation, 0, 1, 1, 3)
        grid.addWidget(self.lr_label, 1, 0)
        grid.addWidget(self.lr, 1, 1)
        grid.addWidget(self.seed_label, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.seed, 1, 3)
        row = QHBoxLayout()
        row.addWidget(self.step, 2)
        row.addWidget(self.train)
        row.addWidget(self.n)
        row.addWidget(self.steps_label)
        row.addWidget(self.reset)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addLayout(row)


class NeuronControls(QWidget):
    """The room's right-hand column: inputs, weights and bias, and the training bar,
    wired to the lab through ``do`` (which reports a refused value in ``lab.error``)."""

    def __init__(self, lab: NeuronLab, do: Do, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.inputs = [ParamRow(2.0) for _ in range(3)]
        self.params = [ParamRow(4.0) for _ in range(4)]
        self.in_box, self.par_box = QGroupBox(), QGroupBox()
        for box, rows in ((self.in_box, self.inputs), (self.par_box, self.params)):
            box_lay = QVBoxLayout(box)
            box_lay.setSpacing(2)
            for r in rows:
                box_lay.addWidget(r)
        self.bar = bar = TrainBar(ACTIVATIONS)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.in_box, self.par_box, bar):
            lay.addWidget(w)
        lay.addStretch(1)
        for i, row in enumerate(self.inputs):
            row.sigValue.connect(lambda v, i=i: do(lab.set_input, i, v))
        for k, row in enumerate(self.params):
            row.sigValue.connect(lambda v, k=k: do(lab.set_param, k, v))
        bar.activation.currentIndexChanged.connect(
            lambda _i: do(lab.set_activation, bar.activation.currentData())
        )
        bar.lr.valueChanged.connect(lambda v: do(lab.set_lr, v))
        bar.seed.valueChanged.connect(lambda v: do(lab.reset, v))
        bar.step.clicked.connect(lambda: do(lab.train_step))
        bar.train.clicked.connect(lambda: do(lab.fit, bar.n.value()))
        bar.reset.clicked.connect(lambda: do(lab.reset, bar.seed.value()))

    def show_lab(self) -> None:
        """Show the lab's values (signals blocked: showing is not editing)."""
        lab, bar = self.lab, self.bar
        for row, v in zip(self.inputs, lab.inputs, strict=True):
            row.set_value(v)
        for row, v in zip(self.params, (*lab.weights, lab.bias), strict=True):
            row.set_value(v)
        for w in (bar.lr, bar.seed):
            w.blockSignals(True)
        bar.lr.setValue(lab.lr)
        bar.seed.setValue(lab.seed)
        for w in (bar.lr, bar.seed):
            w.blockSignals(False)
        bar.activation.blockSignals(True)
        bar.activation.setCurrentIndex(ACTIVATIONS.index(lab.activation))
        bar.activation.blockSignals(False)

    def relabel(self, lang: str) -> None:
        for i, row in enumerate(self.inputs):
            row.label.setText(f"a{i + 1} · {t(FEATURES[i], lang)}")
            row.setToolTip(t(f"{FEATURES[i]}_tip", lang))
        for k, row in enumerate(self.params):
            row.label.setText(PARAMS[k])
        self.in_box.setTitle(t("inputs", lang))
        self.par_box.setTitle(t("params", lang))
        bar = self.bar
        bar.setTitle(t("training", lang))
        bar.act_label.setText(t("activation", lang))
        bar.lr_label.setText(t("lr", lang))
        bar.seed_label.setText(t("seed", lang))
        for k, name in enumerate(ACTIVATIONS):
            bar.activation.setItemText(k, act_name(name, lang))
        for btn, key in ((bar.step, "step"), (bar.train, "train"), (bar.reset, "reset")):
            btn.setText(t(key, lang))
            btn.setToolTip(t(f"{key}_tip", lang))
        bar.steps_label.setText(t("steps", lang))
