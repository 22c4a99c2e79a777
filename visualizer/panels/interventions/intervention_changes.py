"""What an intervention changed: the translation before → after, the loss before → after,
how many steps changed and where first, and the biggest changes, each a button that
jumps there. Computed once per run (``core.tracing.changes`` of the clean run and
the intervened one)."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from visualizer.panels.interventions.intervention_text import t
from visualizer.theme import MUTED, ui_font

if TYPE_CHECKING:
    from core.trace import Trace
    from core.tracing import Change

TOP = 5
AFTER = "#d9480f"


def sequence_loss(trace: Trace) -> float | None:
    """The run's loss: ``meta["loss"]`` when it has one, else (a translation) the mean
    −log p of each chosen token, read from its next.probs / next.token steps."""
    if isinstance(trace.meta.get("loss"), float):
        return float(trace.meta["loss"])
    logs = []
    for s in trace.steps:
        if s.name == "next.token" and "probs" in s.tensors:
            probs = trace.value(s.tensors["probs"]).reshape(-1)
            tok = int(trace.value(s.key).reshape(-1)[0])
            p = float(probs[tok]) if 0 <= tok < probs.size else math.nan
            logs.append(-math.log(p) if p > 0 else math.inf)
    return float(np.mean(logs)) if logs else None


def biggest(found: list[Change], n: int = TOP) -> list[Change]:
    """The ``n`` largest changes (infinite and NaN first: the worst), then by step."""

    def size(c: Change) -> float:
        return math.inf if math.isnan(c.max_abs_diff) else c.max_abs_diff

    return sorted(found, key=lambda c: (-size(c), c.step))[:n]


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


class ChangesPanel(QWidget):
    sigJump = Signal(int)  # a step index of the intervened run

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setFont(ui_font(9))
        self.summary.setWordWrap(True)
        self.first = QPushButton()
        self.first.setFlat(True)
        self.first.setStyleSheet("text-align: left; padding: 1px 4px;")
        self.first.clicked.connect(lambda: self.jump(-1))
        self.head = QLabel()
        self.head.setFont(ui_font(9))
        self.head.setStyleSheet(f"color: {MUTED}")
        self.buttons = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.summary)
        lay.addWidget(self.first)
        lay.addWidget(self.head)
        for k in range(TOP):
            b = QPushButton()
            b.setFont(ui_font(9))
            b.setStyleSheet("text-align: left; padding: 1px 4px;")
            b.clicked.connect(lambda _c=False, k=k: self.jump(k))
            lay.addWidget(b)
            self.buttons.append(b)
        lay.addStretch(1)
        self.found: list[Change] = []
        self.top: list[Change] = []

    def jump(self, k: int) -> None:
        if k < 0 and self.found:
            self.sigJump.emit(self.found[0].step)
        elif 0 <= k < len(self.top):
            self.sigJump.emit(self.top[k].step)

    def show_nothing(self, lang: str) -> None:
        self.found, self.top = [], []
        self.summary.setText(
            f"<span style='color:{MUTED}'>{html.escape(t('nothing', lang))}</span>"
        )
        for w in (self.first, self.head, *self.buttons):
            w.setVisible(False)

    def show_changes(self, clean: Trace, after: Trace, found: list[Change], lang: str) -> None:
        self.found, self.top = found, biggest(found)
        before_text = html.escape(str(clean.meta.get("translation", "")))
        after_text = html.escape(str(after.meta.get("translation", "")))
        if after_text == before_text:
            after_text += (
                f" <span style='color:{MUTED}'>({html.escape(t('unchanged', lang))})</span>"
            )
        lb, la = sequence_loss(clean), sequence_loss(after)
        self.summary.setText(
            f"<b>{html.escape(t('translation', lang))}</b>: {before_text} "
            f"→ <b style='color:{AFTER}'>{after_text}</b><br>"
            f"<b>{html.escape(t('loss', lang))}</b>: {_num(lb)} → "
            f"<b style='color:{AFTER}'>{_num(la)}</b>"
        )
        if not found:
            self.first.setText(t("same", lang))
            self.first.setEnabled(False)
        else:
            c = found[0]
            self.first.setText(
                t("count", lang, n=len(found), total=len(after.steps), i=c.step + 1, key=c.key)
            )
            self.first.setEnabled(True)
            self.first.setToolTip(t("jump_tip", lang))
        self.first.setVisible(True)
        self.head.setText(t("biggest", lang))
        self.head.setVisible(bool(found))
        for k, b in enumerate(self.buttons):
            if k < len(self.top):
                c = self.top[k]
                b.setText(f"#{c.step + 1}  {c.key}   Δ {c.max_abs_diff:.4g}")
                b.setToolTip(t("jump_tip", lang))
            b.setVisible(k < len(self.top))
