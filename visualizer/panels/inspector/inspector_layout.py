"""The inspector's widgets, built once: the header (step, tensor role, head), the info
line (shape, dtype, statistics, NaN / Inf), the export bar, and the body (the table
on the left; the histogram and the comparison panel on the right)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.panels.inspector.inspector_compare import ComparePanel
from visualizer.panels.inspector.inspector_hist import HistogramPlot
from visualizer.panels.inspector.inspector_table import InspectorTable
from visualizer.panels.inspector.inspector_text import t
from visualizer.theme import MUTED, PHASE_COLORS, TEXT, ui_font

if TYPE_CHECKING:
    from core.inspector import TensorInfo
    from core.trace import Step

BAD = "#c0392b"


def num(x: float) -> str:
    return f"{x:.6g}"


class InspectorLayout:
    def __init__(self, owner: QWidget) -> None:
        self.title = QLabel()
        self.title.setFont(ui_font(10, bold=True))
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.roles_label, self.head_label, self.digits_label = QLabel(), QLabel(), QLabel()
        self.roles = QComboBox()
        self.roles.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.head = QSpinBox()
        self.digits = QSpinBox()
        self.digits.setRange(0, 17)
        self.digits.setValue(6)
        self.info = QLabel()
        self.info.setFont(ui_font(9))
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setWordWrap(True)
        self.csv, self.numpy, self.npy = QPushButton(), QPushButton(), QPushButton()
        self.status = QLabel()
        self.status.setFont(ui_font(9))
        self.status.setStyleSheet(f"color: {MUTED}")
        self.message = QLabel()
        self.message.setFont(ui_font(11))
        self.message.setStyleSheet(f"color: {MUTED}")
        self.message.setWordWrap(True)
        self.table = InspectorTable()
        self.hist = HistogramPlot()
        self.compare = ComparePanel()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.hist)
        right.addWidget(self.compare)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 2)
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.addWidget(self.table)
        self.body.addWidget(right)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)
        self.body.setSizes([600, 400])
        right.setSizes([180, 400])

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        head: list[QWidget] = [self.roles_label, self.roles, self.head_label, self.head]
        for w in head:
            top.addWidget(w)
        bar = QHBoxLayout()
        tools: list[QWidget] = [self.digits_label, self.digits, self.csv, self.numpy, self.npy]
        for w in tools:
            bar.addWidget(w)
        bar.addWidget(self.status, 1)
        lay = QVBoxLayout(owner)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(3)
        lay.addLayout(top)
        lay.addWidget(self.info)
        lay.addLayout(bar)
        lay.addWidget(self.message)
        lay.addWidget(self.body, 1)
        self.message.setVisible(False)

    def relabel(self, lang: str) -> None:
        self.roles_label.setText(t("role", lang))
        self.head_label.setText(t("head", lang))
        self.digits_label.setText(t("digits", lang))
        self.digits.setSpecialValueText(t("exact", lang))
        self.digits.setToolTip(t("digits_tip", lang))
        for b, key in ((self.csv, "csv"), (self.numpy, "numpy"), (self.npy, "npy")):
            b.setText(t(key, lang))
            b.setToolTip(t(key + "_tip", lang))

    def set_roles(self, roles: Sequence[str], current: str) -> None:
        self.roles.blockSignals(True)
        self.roles.clear()
        self.roles.addItems(list(roles))
        self.roles.setCurrentText(current)
        self.roles.blockSignals(False)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self.body.setVisible(False)

    def show_tensor(
        self, step: Step, role: str, key: str, head: int | None, n_heads: int, lang: str
    ) -> None:
        self.message.setVisible(False)
        self.body.setVisible(True)
        color = PHASE_COLORS.get(step.phase, MUTED)
        what = html.escape(key if role == "out" else f"{step.key} · {role} = {key}")
        self.title.setText(
            f"<span style='color:{color}'>#{step.index + 1} {html.escape(tr(step.phase, lang))}"
            "</span>"
            f"&nbsp;&nbsp;<span style='color:{TEXT}'>{what}</span>"
        )
        self.title.setToolTip(key)
        self.roles.setCurrentText(role)
        per_head = head is not None
        self.head.setVisible(per_head)
        self.head_label.setVisible(per_head)
        if per_head:
            self.head.blockSignals(True)
            self.head.setRange(0, max(0, n_heads - 1))
            self.head.setValue(int(head or 0))
            self.head.blockSignals(False)

    def show_info(self, info: TensorInfo | None, masked: bool, lang: str, showing: str) -> None:
        """The info line; ``showing``: what the table shows instead of B ("B − A")."""
        if info is None:
            self.info.setText(f"<span style='color:{MUTED}'>{t('no_stats', lang)}</span>")
            return
        parts = [f"{t('shape', lang)} {tuple(info.shape)}", info.dtype]
        if info.size and info.nan + info.inf < info.size:
            stats = t(
                "stats",
                lang,
                min=num(info.min),
                max=num(info.max),
                mean=num(info.mean),
                std=num(info.std),
            )
            parts.append(html.escape(stats))
        for key, n in (("nan", info.nan), ("inf", info.inf)):
            text = html.escape(t(key, lang, n=n))
            bad = n and not (key == "inf" and masked)
            parts.append(f"<b style='color:{BAD}'>{text}</b>" if bad else text)
        if masked and info.inf:
            parts[-1] += " " + html.escape(t("masked", lang))
        if showing:
            what = html.escape(t("showing", lang, what=showing))
            parts.insert(0, f"<b style='color:{PHASE_COLORS['loss']}'>{what}</b>")
        self.info.setText(" · ".join(parts))
