"""The inspector's comparison panel: pin tensor A, then see B (the shown tensor) against
it, as numbers (core.inspector.compare over the whole tensors) and as a diverging
heatmap of B − A over the shown slice. A is a pinned tensor, or, while interventions
are on, the same tensor in the run without them (before / after / difference)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.panels.inspector.inspector_text import t
from visualizer.theme import MUTED, ui_font
from visualizer.widgets.heatmap import Heatmap

if TYPE_CHECKING:
    from visualizer.panels.inspector.inspector_data import Comparison

MODES = ("b", "a", "diff")  # what the table shows: B, A, or B − A


SEGMENT = (
    "QToolButton { padding: 2px 10px; border: 1px solid #c9c9d0; background: white; }"
    "QToolButton:checked { background: #3b7dd8; color: white; border-color: #3b7dd8; }"
)


def num(x: float) -> str:
    return f"{x:.6g}"


class ComparePanel(QWidget):
    sigPin = Signal()
    sigUnpin = Signal()
    sigMode = Signal(str)  # one of MODES

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = "en"
        self.pin = QPushButton()
        self.unpin = QPushButton()
        self.pin.clicked.connect(self.sigPin.emit)
        self.unpin.clicked.connect(self.sigUnpin.emit)
        self.which = QLabel()
        self.which.setFont(ui_font(9, bold=True))
        self.which.setWordWrap(True)
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[str, QToolButton] = {}
        seg = QHBoxLayout()
        seg.setSpacing(0)
        for m in MODES:
            b = QToolButton()
            b.setCheckable(True)
            b.setStyleSheet(SEGMENT)
            b.setAutoRaise(False)
            self.modes.addButton(b)
            self.mode_buttons[m] = b
            b.toggled.connect(lambda on, m=m: self._on_toggled(on, m))
            seg.addWidget(b)
        seg.addStretch(1)
        self.mode_buttons["b"].setChecked(True)
        self.numbers = QLabel()
        self.numbers.setFont(ui_font(9))
        self.numbers.setWordWrap(True)
        self.heatmap = Heatmap()
        self.heatmap.setMinimumHeight(120)
        top = QHBoxLayout()
        top.addWidget(self.pin)
        top.addWidget(self.unpin)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addLayout(top)
        lay.addWidget(self.which)
        lay.addLayout(seg)
        lay.addWidget(self.numbers)
        lay.addWidget(self.heatmap, 1)
        lay.addStretch(0)  # takes the room while the heatmap is hidden
        self._lay = lay
        self.comparison: Comparison | None = None
        self.clean = False  # A is the run without interventions
        self.set_pinned(False)
        self.relabel("en")

    def _on_toggled(self, on: bool, mode: str) -> None:
        if on:
            self.sigMode.emit(mode)

    def _show_heatmap(self, on: bool) -> None:
        self.heatmap.setVisible(on)
        self._lay.setStretch(self._lay.count() - 1, 0 if on else 1)

    def set_pinned(self, pinned: bool) -> None:
        self.unpin.setEnabled(pinned)

    @property
    def mode(self) -> str:
        return next(m for m, b in self.mode_buttons.items() if b.isChecked())

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    def relabel(self, lang: str) -> None:
        self.lang = lang
        self.pin.setText(t("pin", lang))
        self.pin.setToolTip(t("pin_tip", lang))
        self.unpin.setText(t("unpin", lang))
        keys = ("show_after", "show_before", "show_diff") if self.clean else MODES_TEXT
        for m, key in zip(MODES, keys, strict=True):
            self.mode_buttons[m].setText(t(key, lang))

    def show_none(self, message: str) -> None:
        """No comparison: say why (nothing pinned, shapes differ, ...)."""
        self.comparison = None
        self.which.setText("")
        self.numbers.setText(f"<span style='color:{MUTED}'>{message}</span>")
        for b in self.mode_buttons.values():
            b.setVisible(False)
        self._show_heatmap(False)
        if self.mode != "b":
            self.set_mode("b")

    def show_comparison(self, c: Comparison, clean: bool, rows: list[str], cols: list[str]) -> None:
        self.comparison, self.clean = c, clean
        self.relabel(self.lang)
        lang = self.lang
        self.which.setText(t("a_clean", lang) if clean else t("a_pinned", lang, label=c.label))
        if c.diff is None or c.matrix_diff is None:
            self.numbers.setText(t("shapes", lang, a=tuple(c.a_tensor.shape), b="?"))
            self._show_heatmap(False)
            return
        for b in self.mode_buttons.values():
            b.setVisible(True)
        d = c.diff
        if d.changed == 0:
            self.numbers.setText(t("equal", lang))
        else:
            where = "(" + ", ".join(str(i) for i in d.where) + ")"
            self.numbers.setText(
                t(
                    "numbers",
                    lang,
                    max=num(d.max_abs),
                    where=where,
                    mean=num(d.mean_abs),
                    rel=num(d.rel),
                    changed=d.changed,
                    n=d.diff.size,
                )
            )
        self._show_heatmap(True)
        m = np.asarray(c.matrix_diff)
        self.heatmap.set_matrix(m, rows, cols, "diverging", title=t("diff_title", lang))


MODES_TEXT = ("show_b", "show_a", "show_d")
