"""The watch list: pinned tensors whose numbers stay in view while you move.

One row per pinned step name (``session.watches``): the tensor's shape, min / max /
mean / std of its finite values and how many NaN / Inf it holds (``TensorInfo``), at
the occurrence that belongs to the cursor (the same decoding step t, else the nearest;
in a training step the same phase), and a sparkline of its RMS √mean(x²) across every
occurrence in the run (t0 … tN, or forward / backward / update) with the shown one
ringed. "Pin current step" pins the step under the cursor; ✕ unpins. Clicking a
sparkline point or double-clicking a row seeks there. Pins are session fields
(``watch`` / ``unwatch``), so they are saved with the session.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.panels.watches.watch_data import Occurrence, WatchData
from visualizer.panels.watches.watch_sparkline import Sparkline
from visualizer.theme import MUTED, PHASE_COLORS, TEXT, ui_font
from visualizer.widgets.hint_stack import HintStack

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

COLUMNS = ("name", "at", "shape", "min", "max", "mean", "std", "bad", "spark", "train", "x")
NAME, AT, SHAPE, MIN, MAX, MEAN, STD, BAD, SPARK, TRAIN, X = range(len(COLUMNS))
STRINGS = {
    "name": {"en": "Name", "zh": "名称"},
    "at": {"en": "At", "zh": "位置"},
    "shape": {"en": "Shape", "zh": "形状"},
    "min": {"en": "min", "zh": "最小"},
    "max": {"en": "max", "zh": "最大"},
    "mean": {"en": "mean", "zh": "均值"},
    "std": {"en": "std", "zh": "标准差"},
    "bad": {"en": "NaN / Inf", "zh": "NaN / Inf"},
    "spark": {"en": "RMS over the run", "zh": "均方根走势"},
    "train": {"en": "RMS over training", "zh": "训练中的均方根"},
    "train_tip": {
        "en": "{n}: its RMS for the demo sentence at each snapshot of the last training run "
        "(steps {a} to {b})",
        "zh": "{n}：上次训练各快照（第 {a} 到 {b} 步）中示例句子的均方根",
    },
    "x": {"en": "", "zh": ""},
    "pin": {"en": "+ Pin current step", "zh": "+ 固定当前步骤"},
    "pin_tip": {
        "en": "Keep this step's tensor ({n}) in the watch list",
        "zh": "把此步骤的张量（{n}）加入监视列表",
    },
    "legend": {
        "en": "Statistics at the cursor's decoding step (or the nearest); sparkline: "
        "RMS √mean(x²) at every occurrence in this run, the shown one ringed; over "
        "training: the demo sentence's RMS at each snapshot of the last training run.",
        "zh": "统计量取自光标所在的解码步骤（或最近的一步）；迷你图：本次运行中每次出现时的"
        "均方根 √mean(x²)，圈出的是当前显示的那次；训练中：上次训练每个快照里示例句子的均方根。",
    },
    "hint": {
        "en": "No watches yet. Move to a step and press “Pin current step” to keep its "
        "numbers in view while you move.",
        "zh": "还没有监视项。移到某个步骤后点击“固定当前步骤”，移动时它的数值会一直可见。",
    },
    "missing": {"en": "not in this run", "zh": "本次运行中没有"},
    "unpin": {"en": "Unpin {n}", "zh": "取消固定 {n}"},
    "spark_tip": {
        "en": "RMS √mean(x²) of {n} at each of its {k} occurrences (click a point to go there)",
        "zh": "{n} 在 {k} 次出现时的均方根 √mean(x²)（点击某点可跳转）",
    },
}
BAD_COLOR = "#d62828"


def fmt(v: float) -> str:
    return "—" if not math.isfinite(v) else f"{v:.4g}"


class WatchesView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.data = WatchData(session.trace)
        self.names: list[str] = []
        self.sparks: list[Sparkline] = []
        self.trained: list[Sparkline] = []  # across training snapshots
        self.shown: list[Occurrence | None] = []  # per row: what the row shows now
        self.pin_btn = QPushButton()
        self.pin_btn.clicked.connect(self.pin_current)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setFont(ui_font(9))
        self.legend.setStyleSheet(f"color: {MUTED}")
        top = QHBoxLayout()
        top.addWidget(self.pin_btn, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.legend, 1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setFont(ui_font(10))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        head = self.table.horizontalHeader()
        for c in range(len(COLUMNS)):
            mode = QHeaderView.ResizeMode
            head.setSectionResizeMode(c, mode.Stretch if c == SPARK else mode.ResizeToContents)
        self.table.cellDoubleClicked.connect(lambda r, _c: self.seek_row(r))
        self.stack = HintStack(self.table)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.stack, 1)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigWatches.connect(self._rebuild)
        bridge.sigSnapshots.connect(self._fill_training)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(lambda _: self._relabel(), owner=self)
        self._rebuild()
        self._relabel()

    # -- commands ----------------------------------------------------------------------
    def pin_current(self) -> None:
        """Pin the step under the cursor (bind a key or menu item to this)."""
        if len(self.session):
            self.session.watch(self.session.step.name)

    def unpin(self, name: str) -> None:
        self.session.unwatch(name)

    def seek_row(self, row: int, position: int | None = None) -> None:
        """Go to the row's shown occurrence, or to occurrence ``position`` of its name."""
        if not 0 <= row < len(self.names):
            return
        steps = self.data.steps(self.names[row])
        occ = self.shown[row]
        if position is not None and 0 <= position < len(steps):
            self.session.seek(steps[position].index)
        elif occ is not None:
            self.session.seek(occ.step.index)

    # -- state -------------------------------------------------------------------------
    def _on_trace(self) -> None:
        self.data = WatchData(self.session.trace)
        self._rebuild()

    def _rebuild(self) -> None:
        """One row per pinned name (pins or the trace changed: rare, never per step).
        Row widgets (sparkline, ✕) are kept and reused; only new rows get new ones."""
        if self.data.trace is not self.session.trace:
            self.data = WatchData(self.session.trace)
        lang = self.session.lang
        self.names = list(self.session.watches)
        n = len(self.names)
        self.table.setRowCount(n)  # dropping rows deletes their widgets
        del self.sparks[n:]
        del self.trained[n:]
        for r in range(len(self.sparks), n):
            self._new_row(r)
        for r, name in enumerate(self.names):
            self._item(r, NAME).setText(name)
            steps = self.data.steps(name)
            spark = self.sparks[r]
            spark.set_values(self.data.sparkline(name), [s.phase for s in steps])
            spark.setToolTip(tr(STRINGS["spark_tip"], lang).format(n=name, k=len(steps)))
            self.table.cellWidget(r, X).setToolTip(tr(STRINGS["unpin"], lang).format(n=name))
        self._fill_training()
        self.table.resizeRowsToContents()
        self.stack.show_content(bool(self.names))
        self._on_cursor()

    def _new_row(self, r: int) -> None:
        for c in range(SPARK):
            item = QTableWidgetItem()
            if c >= MIN:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, c, item)
        spark = Sparkline()
        spark.sigPicked.connect(lambda i, row=r: self.seek_row(row, i))
        self.table.setCellWidget(r, SPARK, spark)
        self.sparks.append(spark)
        trained = Sparkline()
        self.table.setCellWidget(r, TRAIN, trained)
        self.trained.append(trained)
        x = QToolButton()
        x.setText("✕")
        x.setAutoRaise(True)
        x.clicked.connect(lambda _=False, row=r: self.unpin(self.names[row]))
        self.table.setCellWidget(r, X, x)

    def _fill_training(self, _snapshots: object = None) -> None:
        """Each pinned name's RMS across the last training run's snapshots."""
        snaps = getattr(self.session, "snapshots", ())
        lang = self.session.lang
        for r, name in enumerate(self.names):
            values = [rms.get(name, math.nan) for _step, rms in snaps]
            self.trained[r].set_values(values, ["update"] * len(values))
            self.trained[r].set_current(len(values) - 1 if values else None)
            if snaps:
                tip = tr(STRINGS["train_tip"], lang).format(n=name, a=snaps[0][0], b=snaps[-1][0])
                self.trained[r].setToolTip(tip)

    def _on_cursor(self) -> None:
        s = self.session
        current = s.step if len(s) else None
        self.shown = [self.data.pick(name, current) for name in self.names]
        lang = s.lang
        for r, occ in enumerate(self.shown):
            self._fill_row(r, occ, lang)
        name = current.name if current else ""
        self.pin_btn.setEnabled(bool(name) and name not in self.names)
        self.pin_btn.setToolTip(tr(STRINGS["pin_tip"], lang).format(n=name))

    def _fill_row(self, r: int, occ: Occurrence | None, lang: str) -> None:
        cells = [self._item(r, c) for c in range(SPARK)]
        if occ is None:
            cells[AT].setText(tr(STRINGS["missing"], lang))
            for c in range(SHAPE, SPARK):
                cells[c].setText("")
            self.sparks[r].set_current(None)
            return
        step, info = occ.step, occ.info
        cells[AT].setText(f"t{step.t}" if step.t is not None else tr(step.phase, lang))
        cells[AT].setForeground(QBrush(QColor(PHASE_COLORS.get(step.phase, TEXT))))
        cells[AT].setToolTip(step.key)
        cells[SHAPE].setText("×".join(map(str, step.shape)) or "scalar")
        stats = (info.min, info.max, info.mean, info.std) if info else (math.nan,) * 4
        for c, v in zip((MIN, MAX, MEAN, STD), stats, strict=True):
            cells[c].setText(fmt(v))
        bad = (info.nan, info.inf) if info else (0, 0)
        cells[BAD].setText(f"{bad[0]} / {bad[1]}")
        cells[BAD].setForeground(QBrush(QColor(BAD_COLOR if any(bad) else MUTED)))
        here = self.session.cursor == step.index
        font = cells[NAME].font()
        if font.bold() != here:
            font.setBold(here)
            cells[NAME].setFont(font)
        self.sparks[r].set_current(occ.position)

    def row_values(self, row: int) -> dict[str, str]:
        """The texts of a row by column name (for tests and export)."""
        return {COLUMNS[c]: self._item(row, c).text() for c in range(SPARK)}

    def _item(self, row: int, col: int) -> QTableWidgetItem:
        item = self.table.item(row, col)
        assert item is not None  # _new_row gives every cell left of the sparkline an item
        return item

    # -- text --------------------------------------------------------------------------
    def _relabel(self) -> None:
        lang = self.session.lang
        self.table.setHorizontalHeaderLabels([tr(STRINGS[c], lang) for c in COLUMNS])
        header = self.table.horizontalHeaderItem(SPARK)
        assert header is not None  # setHorizontalHeaderLabels just made one per column
        header.setToolTip(tr(STRINGS["legend"], lang))
        self.pin_btn.setText(tr(STRINGS["pin"], lang))
        self.legend.setText(tr(STRINGS["legend"], lang))
        self.stack.hint.setText(tr(STRINGS["hint"], lang))
        self._rebuild()
