"""The neuron room's two charts: the loss curve of the run, and the loss surface over two
parameters with the path gradient descent took across it.

Both are pyqtgraph items created once and fed with ``setData`` / ``setImage``; they
change when the run changes (a step, an edit), never on a cursor move. The surface is
coloured by log₁₀ of the loss, because the valley floor and the walls differ by
orders of magnitude and a linear scale would show one flat colour around the minimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from visualizer.rooms.neuron.neuron_text import t
from visualizer.theme import HIGHLIGHT, MUTED, PHASE_COLORS, TEXT, ui_font
from visualizer.widgets.log_axis import LogAxis, log10_or_gap

if TYPE_CHECKING:
    from core.basics.neuron_history import History
    from core.basics.neuron_surface import Surface

LEVELS = 4  # contour lines on the surface (each is a marching-squares pass)


def _style(plot: pg.PlotWidget) -> None:
    plot.setBackground("w")
    plot.setMenuEnabled(False)
    plot.getPlotItem().hideButtons()
    for side in ("left", "bottom"):
        ax = plot.getAxis(side)
        ax.setPen(pg.mkPen(MUTED))
        ax.setTextPen(pg.mkPen(TEXT))
        ax.setTickFont(ui_font(8))
    plot.setTitle(" ")


class LossCurve(pg.PlotWidget):
    """Training and test loss after every step, and each stepped sample's own loss."""

    def __init__(self) -> None:
        super().__init__(axisItems={"left": LogAxis("left")}, enableMenu=False)
        _style(self)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.samples = self.plot(
            pen=None,
            symbol="o",
            symbolSize=4,
            symbolBrush=pg.mkBrush(150, 150, 160, 150),
            symbolPen=None,
        )
        self.test = self.plot(
            pen=pg.mkPen(PHASE_COLORS["loss"], width=1.6, style=Qt.PenStyle.DashLine)
        )
        self.train = self.plot(
            pen=pg.mkPen(PHASE_COLORS["forward"], width=2.2),
            symbolSize=5,
            symbolBrush=pg.mkBrush(PHASE_COLORS["forward"]),
            symbolPen=None,
        )
        self.now = pg.InfiniteLine(angle=90, pen=pg.mkPen(HIGHLIGHT, width=2))
        self.addItem(self.now)
        self.lang = ""

    def set_history(self, h: History) -> None:
        x = np.arange(len(h.train), dtype=np.float64)
        self.train.setData(x, log10_or_gap(h.train), connect="finite")
        self.train.setSymbol("o" if len(x) <= 60 else None)  # dots while a run is short
        self.test.setData(x, log10_or_gap(h.test), connect="finite")
        self.samples.setData(np.arange(1, h.steps + 1, dtype=np.float64), log10_or_gap(h.losses))
        self.now.setValue(float(h.steps))
        self.setXRange(0, max(10, h.steps), padding=0.02)
        start = log10_or_gap(h.train[:1])
        if h.steps == 0 and np.isfinite(start).all():  # one point: centre it, a decade around
            self.setYRange(float(start[0]) - 1, float(start[0]) + 1, padding=0)
        else:
            self.enableAutoRange(axis="y")

    def relabel(self, lang: str) -> None:
        self.setLabel("bottom", t("step_axis", lang), color=TEXT)
        self.setLabel("left", t("loss_axis", lang), color=TEXT)

    @staticmethod
    def legend_html(lang: str) -> str:
        """The legend as coloured words, for the chart's title row (a legend drawn inside
        the plot would sit on the curve wherever the run goes)."""
        fwd, loss = PHASE_COLORS["forward"], PHASE_COLORS["loss"]
        return (
            f"<span style='color:{fwd}'>━ {t('train_loss', lang)}</span> &nbsp;"
            f"<span style='color:{loss}'>╌ {t('test_loss', lang)}</span> &nbsp;"
            f"<span style='color:#8e8e96'>• {t('sample_loss', lang)}</span>"
        )


class LossSurface(pg.PlotWidget):
    """log₁₀(training loss) over two parameters, contour lines, the path and where it is now."""

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        _style(self)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.addItem(self.image)
        self.contours = [pg.IsocurveItem(pen=pg.mkPen(255, 255, 255, 110)) for _ in range(LEVELS)]
        for c in self.contours:
            c.setParentItem(self.image)  # the image's transform maps grid cells to values
        self.path = self.plot(
            pen=pg.mkPen(PHASE_COLORS["update"], width=2.2),
            symbol="o",
            symbolSize=4,
            symbolBrush=pg.mkBrush(PHASE_COLORS["update"]),
            symbolPen=None,
        )
        self.start = self.plot(
            pen=None,
            symbol="s",
            symbolSize=9,
            symbolBrush=pg.mkBrush("w"),
            symbolPen=pg.mkPen(TEXT),
        )
        self.here = self.plot(
            pen=None,
            symbol="o",
            symbolSize=14,
            symbolBrush=pg.mkBrush(HIGHLIGHT),
            symbolPen=pg.mkPen(TEXT, width=1.5),
        )
        self.setAspectLocked(False)
        self.names = ("w1", "w2")

    def set_surface(self, s: Surface, path: np.ndarray) -> None:
        z = np.log10(np.clip(np.nan_to_num(s.loss, nan=1e12, posinf=1e12), 1e-6, 1e12))  # (gx, gy)
        self.image.setImage(z, autoLevels=True)
        x0, x1, y0, y1 = float(s.xs[0]), float(s.xs[-1]), float(s.ys[0]), float(s.ys[-1])
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        lo, hi = float(z.min()), float(z.max())
        for k, c in enumerate(self.contours):
            c.setData(z, level=lo + (hi - lo) * (k + 1) / (LEVELS + 1))
        ok = np.all(np.isfinite(path), axis=1)
        p = np.clip(path[ok], min(x0, y0), max(x1, y1)) if ok.any() else np.zeros((0, 2))
        self.path.setData(p[:, 0], p[:, 1])
        self.start.setData(p[:1, 0], p[:1, 1])
        self.here.setData(p[-1:, 0], p[-1:, 1])
        self.setXRange(x0, x1, padding=0)
        self.setYRange(y0, y1, padding=0)

    def set_names(self, x: str, y: str) -> None:
        self.setLabel("bottom", x, color=TEXT)
        self.setLabel("left", y, color=TEXT)
