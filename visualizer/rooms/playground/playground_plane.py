"""The output over the plane: the decision heatmap with the data on top, and a readout.

One pyqtgraph ImageItem (the class colours of every grid cell, updated in place each
frame) under scatter items for the training points (filled), the test points (dark
outline) and, while an iteration is stepped, its batch (rings) and highlighted point.
Moving the mouse over the plane asks the room for the network's answer there
("80 % cat, 20 % dog").
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from visualizer.rooms.playground.playground_colors import CLASS_COLORS
from visualizer.theme import GRID, HIGHLIGHT, MUTED, PHASE_COLORS, ui_font
from visualizer.widgets.chart_axes import style_axes
from visualizer.widgets.whole_label import WholeLabel


class PlanePanel(QWidget):
    sigHover = Signal(float, float)  # plane coordinates under the mouse
    sigLeave = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setFont(ui_font(10, bold=True))
        self.plot = pg.PlotWidget(background="w", enableMenu=False)  # no menu built
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.square = _Square(self.plot)
        vb = self.plot.getViewBox()
        vb.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.0)
        vb.disableAutoRange()
        vb.setBorder(pg.mkPen(GRID))
        style_axes(self.plot)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setTicks([[(-1, "−1"), (0, "0"), (1, "1")]])
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.train_pts = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1.0))
        self.test_pts = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#222", width=1.2))
        self.batch_pts = pg.ScatterPlotItem(
            size=13, brush=None, pen=pg.mkPen(PHASE_COLORS["forward"], width=1.8)
        )
        self.focus_pt = pg.ScatterPlotItem(size=20, brush=None, pen=pg.mkPen(HIGHLIGHT, width=3))
        for item in (self.train_pts, self.test_pts, self.batch_pts, self.focus_pt):
            self.plot.addItem(item)
        self.readout = WholeLabel(" ")  # two lines at 200 %: it lay over the plane's axis
        self.readout.setFont(ui_font(11, bold=True))
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.square)
        lay.addWidget(self.readout)
        self.plot.scene().sigMouseMoved.connect(self._moved)
        self._shown_rgba: np.ndarray | None = None

    def set_axes(self, x_name: str, y_name: str) -> None:
        self.plot.setLabel("bottom", x_name + " →", color=MUTED)
        self.plot.setLabel("left", y_name + " →", color=MUTED)

    def set_data(
        self, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray
    ) -> None:
        brushes = [pg.mkBrush(c) for c in CLASS_COLORS]
        self.train_pts.setData(
            x_train[:, 0], x_train[:, 1], brush=[brushes[int(k)] for k in y_train]
        )
        faded = []
        for c in CLASS_COLORS:
            q = QColor(c)
            q.setAlpha(150)
            faded.append(pg.mkBrush(q))
        self.test_pts.setData(x_test[:, 0], x_test[:, 1], brush=[faded[int(k)] for k in y_test])

    def set_field(self, rgba: np.ndarray) -> None:
        """(res, res, 4) uint8, row 0 at the bottom of the plane."""
        self._shown_rgba = rgba
        self.image.setImage(rgba, autoLevels=False, levels=None)
        self.image.setRect(-1.0, -1.0, 2.0, 2.0)  # after the image: the scale uses its size

    def set_batch(self, points: np.ndarray | None, focus: np.ndarray | None) -> None:
        if points is None or not len(points):
            self.batch_pts.setData([], [])
        else:
            self.batch_pts.setData(points[:, 0], points[:, 1])
        if focus is None:
            self.focus_pt.setData([], [])
        else:
            self.focus_pt.setData([float(focus[0])], [float(focus[1])])

    def _moved(self, pos: QPointF) -> None:
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self.sigLeave.emit()
            return
        p = vb.mapSceneToView(pos)
        if -1.0 <= p.x() <= 1.0 and -1.0 <= p.y() <= 1.0:
            self.sigHover.emit(p.x(), p.y())
        else:
            self.sigLeave.emit()

    def leaveEvent(self, event: QEvent) -> None:
        self.sigLeave.emit()
        super().leaveEvent(event)


class _Square(QWidget):
    """Keeps its one child square and centred, so the plane is never stretched."""

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)
        # 360 px where there is room; down to 290 on a 768 px screen, where a fixed 360
        # made the room taller than the window and the transport scrolled out of view
        self.setMinimumSize(240, 290)
        self.setMaximumHeight(360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def resizeEvent(self, event: QResizeEvent) -> None:
        side = min(self.width(), self.height())
        self.child.setGeometry((self.width() - side) // 2, 0, side, side)
        super().resizeEvent(event)
