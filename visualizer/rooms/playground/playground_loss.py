"""Training and test loss over the iterations, with the latest numbers and accuracy.

Two curves updated in place; pyqtgraph thins them to the pixels available, so a long
run (one point per frame) still redraws in well under a millisecond. The test curve
climbing while the training curve keeps falling is overfitting, visible at a glance.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.rooms.playground.playground_text import t
from visualizer.theme import GRID, PHASE_COLORS, TEXT, ui_font
from visualizer.widgets.chart_axes import style_axes

TRAIN_COLOR, TEST_COLOR = TEXT, PHASE_COLORS["loss"]


class LossPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setFont(ui_font(10, bold=True))
        self.numbers = QLabel(" ")
        self.numbers.setFont(ui_font(9))
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.plot = pg.PlotWidget(background="w", enableMenu=False)  # no menu built
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(120)
        self.plot.getViewBox().setBorder(pg.mkPen(GRID))
        style_axes(self.plot)
        self.plot.getPlotItem().setClipToView(True)
        self.plot.getPlotItem().setDownsampling(auto=True, mode="peak")
        self.train = self.plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.test = self.plot.plot(pen=pg.mkPen(TEST_COLOR, width=2))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.numbers)
        lay.addWidget(self.plot, 1)
        self.lang = "en"

    def set_history(self, its: np.ndarray, train: np.ndarray, test: np.ndarray, acc: float) -> None:
        self.train.setData(its, train)
        self.test.setData(its, test)
        self.plot.setYRange(0.0, max(0.1, float(max(train.max(), test.max()))) * 1.05, padding=0)
        self.plot.setXRange(0.0, max(10.0, float(its[-1])), padding=0.02)
        lang = self.lang
        self.numbers.setText(
            f"<span style='color:{TRAIN_COLOR}'>■ {t('train_loss', lang)} "
            f"<b>{train[-1]:.3f}</b></span> &nbsp; "
            f"<span style='color:{TEST_COLOR}'>■ {t('test_loss', lang)} <b>{test[-1]:.3f}</b>"
            f"</span><br>{t('accuracy', lang)} <b>{round(100 * acc)} %</b>"
        )

    def relabel(self, lang: str) -> None:
        self.lang = lang
        self.title.setText(t("losses", lang))
