"""The "add an intervention at the cursor" controls: zero or scale the selected head, ablate
the sublayer, set the selected cell, patch from sentence A. Each button says what it
will do here ("Zero head 2", "Ablate dec.1.ffn", "Set cell (0, 2, 3, 4) to") and is
disabled where it cannot act; the view turns a click into an intervention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from visualizer.panels.interventions.intervention_text import t
from visualizer.theme import MUTED, ui_font

if TYPE_CHECKING:
    from core.trace import Step
    from visualizer.panels.interventions.intervention_build import Cell


class AddControls(QWidget):
    sigZero = Signal()
    sigScale = Signal(float)
    sigAblate = Signal()
    sigSet = Signal(str)  # the value as typed
    sigPatch = Signal(str)  # sentence A

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.where = QLabel()
        self.where.setFont(ui_font(9))
        self.where.setStyleSheet(f"color: {MUTED}")
        self.where.setWordWrap(True)
        self.only_t = QCheckBox()
        self.zero, self.scale = QPushButton(), QPushButton()
        self.factor = QDoubleSpinBox()
        self.factor.setRange(-1000.0, 1000.0)
        self.factor.setDecimals(3)
        self.factor.setSingleStep(0.5)
        self.factor.setValue(2.0)
        self.factor.setMaximumWidth(96)
        self.ablate = QPushButton()
        self.set = QPushButton()
        self.sentence = QLineEdit()
        self.value = QLineEdit("0")
        self.value.setMaximumWidth(120)
        self.sentence.setMinimumWidth(80)
        self.patch = QPushButton()
        self.zero.clicked.connect(self.sigZero.emit)
        self.scale.clicked.connect(lambda: self.sigScale.emit(self.factor.value()))
        self.ablate.clicked.connect(self.sigAblate.emit)
        self.set.clicked.connect(lambda: self.sigSet.emit(self.value.text()))
        self.value.returnPressed.connect(lambda: self.sigSet.emit(self.value.text()))
        self.patch.clicked.connect(lambda: self.sigPatch.emit(self.sentence.text()))
        self.sentence.returnPressed.connect(lambda: self.sigPatch.emit(self.sentence.text()))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.where, 0, 0, 1, 3)
        grid.addWidget(self.zero, 1, 0)
        grid.addWidget(self.scale, 1, 1)
        grid.addWidget(self.factor, 1, 2)
        grid.addWidget(self.ablate, 2, 0, 1, 3)
        grid.addWidget(self.only_t, 3, 0, 1, 3)
        grid.addWidget(self.set, 4, 0, 1, 2)
        grid.addWidget(self.value, 4, 2)
        grid.addWidget(self.patch, 5, 0)
        grid.addWidget(self.sentence, 5, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        self._cell: tuple[str, tuple[int, ...]] | None = None

    def show_context(
        self,
        step: Step | None,
        allowed: bool,
        head: int,
        block: str | None,
        sub: str | None,
        cell: Cell | None,
        lang: str,
    ) -> None:
        """Relabel and enable each control for the step at the cursor (``allowed``: a
        translation's step, where interventions act)."""
        ok = step is not None and allowed
        if step is None:
            self.where.setText("")
        elif not ok:
            self.where.setText(t("train", lang))
        else:
            at = t("at", lang, i=step.index + 1, key=step.key)
            self.where.setText(
                at + (f" · {t('at_t', lang, t=step.t)}" if step.t is not None else "")
            )
        has_t = ok and step is not None and step.t is not None
        self.only_t.setEnabled(has_t)
        when = step.t if step is not None else None
        self.only_t.setText(t("only_t", lang, t=when) if has_t else t("only_t_off", lang))
        self.only_t.setToolTip(t("only_tip", lang))
        self.zero.setText(t("zero", lang, h=head))
        self.scale.setText(t("scale", lang, h=head))
        tip = t("head_tip", lang, h=head, block=block) if block else t("no_attn", lang)
        for w in (self.zero, self.scale, self.factor):
            w.setEnabled(ok and block is not None)
            w.setToolTip(tip)
        self.ablate.setText(t("ablate", lang, sub=sub) if sub else t("ablate_none", lang))
        self.ablate.setEnabled(ok and sub is not None)
        self.ablate.setToolTip(t("ablate_tip", lang))
        if cell is not None:
            index = "[" + ", ".join(str(i) for i in cell.index) + "]"
            self.set.setText(t("set", lang, cell=index))
            self.set.setToolTip(t("set_tip", lang, key=cell.key, index=index, value=cell.text))
            if (cell.key, cell.index) != self._cell:  # a new cell: start from its value
                self._cell = (cell.key, cell.index)
                self.value.setText(cell.text)
        else:
            self.set.setText(t("set_none", lang))
            self.set.setToolTip(t("no_cell", lang))
        self.set.setEnabled(ok and cell is not None)
        self.value.setEnabled(ok and cell is not None)
        self.patch.setText(t("patch", lang))
        self.patch.setEnabled(ok)
        self.sentence.setEnabled(ok)
        self.sentence.setPlaceholderText(t("patch_hint", lang))
        if step is not None:
            self.patch.setToolTip(t("patch_tip", lang, key=step.key))
