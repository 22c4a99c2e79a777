"""The router view's training part: one MoE layer's routing of the demo sentence over
the last training run.

A chart of each expert's load at every snapshot (``load_history``: counted from the
chosen experts the snapshots carry; the dashed line is an even share, 1/E), then a
step slider over the snapshots and, at the chosen one, which words went to which
expert (``word_table``), each word that changed expert since the snapshot before
marked ``←n`` with the expert it came from. While a run is live the slider follows the
newest snapshot unless the user has moved it back. Hidden when the snapshots route
nothing through the layer (no run yet, a dense model).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from visualizer.panels.router.aux_chart import AuxChart
from visualizer.panels.router.router_text import block_name, t
from visualizer.panels.router.train_routing import (
    LoadHistory,
    RoutingSnapshots,
    WordTable,
    load_history,
    snapshot_count,
    word_table,
)
from visualizer.theme import MUTED, head_color, ui_font

GAP = "padding-right: 12px"  # between the count and the words
LEGEND_TOP = 1.3  # the load axis runs to 1 (one expert takes every token), plus a legend row


class TrainRoutingPanel(QWidget):
    """``show_layer(snapshots, block, lang)``; scrubbing the slider changes the table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snaps: RoutingSnapshots = ()
        self.block: str | None = None
        self.lang = "en"
        self.history: LoadHistory | None = None
        self.table: WordTable | None = None
        self.follow = True  # track the newest snapshot until the user scrubs back
        self.title, self.load_title, self.at, self.changes, self.words = (
            QLabel(),
            QLabel(),
            QLabel(),
            QLabel(),
            QLabel(),
        )
        self.chart = AuxChart()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider)
        for label in (self.title, self.load_title, self.changes, self.words):
            label.setWordWrap(True)  # the step label stays on one line beside the slider
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.changes.setStyleSheet(f"color: {MUTED}")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.at)
        row.addWidget(self.slider, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.load_title)
        lay.addWidget(self.chart)
        lay.addLayout(row)
        lay.addWidget(self.changes)
        lay.addWidget(self.words)
        self._fonts()

    def _fonts(self) -> None:
        """Made anew on a relabel: ``ui_font`` follows the presentation zoom."""
        self.title.setFont(ui_font(10, bold=True))
        for label in (self.load_title, self.at, self.words):
            label.setFont(ui_font(10))
        self.changes.setFont(ui_font(9))

    def show_layer(self, snaps: RoutingSnapshots, block: str | None, lang: str) -> None:
        """Show ``block``'s routing across ``snaps`` (hidden when they hold none)."""
        n = snapshot_count(snaps, block) if block else 0
        same_run = block == self.block and n > self.slider.maximum()  # it only grew
        if same_run and not self.follow:
            index = self.slider.value()  # the user scrubbed back: stay there
        else:
            index, self.follow = n - 1, True
        self.snaps, self.block, self.lang = snaps, block, lang
        self.history = load_history(snaps, block) if block else None
        self.setVisible(self.history is not None)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        self.slider.setValue(max(index, 0))
        self.slider.blockSignals(False)
        self._fonts()
        if self.history is None or block is None:
            self.table = None
            return
        h = self.history
        self.title.setText(t("train_title", lang, layer=block_name(block, lang)))
        self.load_title.setText(t("load_over", lang, e=h.n_experts))
        self.chart.set_lines(
            [(t("expert", lang, e=e), h.steps, h.share[e]) for e in range(h.n_experts)],
            t("step_axis", lang),
            even=1.0 / h.n_experts,
            top=LEGEND_TOP,
        )
        self._show_table()

    def _on_slider(self, value: int) -> None:
        self.follow = value >= self.slider.maximum()
        self._show_table()

    def _show_table(self) -> None:
        lang, block = self.lang, self.block
        self.table = word_table(self.snaps, block, self.slider.value()) if block else None
        tab = self.table
        if tab is None or self.history is None:
            return
        n = len(self.history.steps)
        self.at.setText(t("snap_at", lang, step=tab.step, i=tab.index + 1, n=n))
        if tab.previous is None:
            self.changes.setText(t("first_snap", lang))
        else:
            self.changes.setText(t("moved", lang, m=tab.moved, c=tab.compared, prev=tab.previous))
        self.words.setText(self._html(tab))

    def _html(self, tab: WordTable) -> str:
        lang = self.lang
        head = (
            f"<tr><th align='left'>{t('col_expert', lang)}</th>"
            f"<th align='right' style='{GAP}'>{t('col_n', lang)}</th>"
            f"<th align='left'>{t('col_words', lang)}</th></tr>"
        )
        rows = [head]
        for e, placed in enumerate(tab.rows):
            colour = head_color(e).name()
            words = []
            for p in placed:
                word = _escape(p.token)
                if p.was is not None:
                    word = f"<u>{word}</u><sup style='color:{MUTED}'>←{p.was}</sup>"
                words.append(word)
            shown = " · ".join(words) if words else t("nothing", lang)
            rows.append(
                f"<tr><td style='color:{colour}'><b>{_escape(t('expert', lang, e=e))}</b></td>"
                f"<td align='right' style='{GAP}'>{len(placed)}</td><td>{shown}</td></tr>"
            )
        return f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
