"""The live training charts: loss, accuracy / BLEU, gradient norm per block, learning rate.

History is kept in plain lists (at most ten progress points a second arrive, so a
5,000-step run holds a few thousand numbers) and each curve is one pyqtgraph
PlotDataItem updated in place with ``setData``; curves for the gradient norm of
each block (embeddings, every layer, the output head) appear as the first progress
message names them.

Titles, legends and axis labels are HTML sized in points, which the presentation
zoom's font scaling does not reach: ``apply_scale`` sizes them for the zoom (on a
projector at 200 % they stayed at 9 pt beside doubled buttons).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from visualizer.i18n import tr
from visualizer.theme import PHASE_COLORS, TEXT, get_scale, head_color
from visualizer.widgets.chart_axes import FitAxis, style_axes
from visualizer.widgets.log_axis import LogAxis, log10_or_gap

if TYPE_CHECKING:
    from core.train import EvalStats
    from core.train_messages import Progress

# Short titles: a chart in a narrow dock is ~200 px wide ("词元准确率 / B…" was cut);
# the legends name the curves (train / validation, accuracy / BLEU, the blocks).
TITLES = {
    "loss": {"en": "loss", "zh": "损失"},
    "quality": {"en": "accuracy, BLEU÷100", "zh": "准确率、BLEU÷100"},
    "groups": {"en": "gradient norm", "zh": "梯度范数"},
    "lr": {"en": "learning rate", "zh": "学习率"},
}
AXIS = {"en": "step", "zh": "步"}
NAMES = {
    "loss": {"en": "train", "zh": "训练"},
    "val": {"en": "validation", "zh": "验证"},
    "acc": {"en": "accuracy", "zh": "准确率"},
    "bleu": {"en": "BLEU", "zh": "BLEU"},
}
REDRAW_MS = 500
KEYS = ("step", "loss", "grad", "lr", "e_step", "val", "acc", "bleu")
ORDER = ("loss", "quality", "groups", "lr")
WIDE = 480  # from this width on the charts sit 2 × 2; narrower, one above the other
TITLE_PT, LEGEND_PT, LABEL_PT = 9, 8, 9  # at zoom 1


class TrainCharts(pg.GraphicsLayoutWidget):
    """2 × 2 live charts; ``add_progress`` / ``add_eval`` append, ``reset`` empties.

    Not ``clear``: GraphicsLayoutWidget binds that name on the instance to its layout's
    ``clear``, which would remove the plots themselves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.history: dict[str, list[float]] = {k: [] for k in KEYS}
        self.groups: dict[str, list[float]] = {}  # block -> norms at history["step"]
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, Any] = {}
        self._columns = 2
        self._lang = "en"
        self._zoom = get_scale()
        for i, key in enumerate(ORDER):
            axes: dict[str, pg.AxisItem] = {"bottom": FitAxis("bottom")}  # narrow at 200 %
            if key == "groups":
                axes["left"] = LogAxis("left")
            plot = self.addPlot(row=i // 2, col=i % 2, axisItems=axes)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.addLegend(  # on a light ground: the curves pass under it
                offset=(5, 5) if key == "quality" else (-5, 5),  # accuracy starts low, late
                labelTextSize=_pt(LEGEND_PT, self._zoom),
                labelTextColor=TEXT,
                brush=pg.mkBrush(255, 255, 255, 200),
            )
            style_axes(plot, TEXT)  # tick fonts zoomed with the window's
            self.plots[key] = plot
        for name, plot, color in (
            ("loss", "loss", PHASE_COLORS["loss"]),
            ("val", "loss", "#264653"),
            ("acc", "quality", "#2a9d8f"),
            ("bleu", "quality", "#8338ec"),
            ("lr", "lr", "#6c757d"),
        ):
            curve = self.plots[plot].plot([], [], pen=pg.mkPen(color, width=2))
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves[name] = curve
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self.apply_scale(self._zoom)  # and the titles, in English until relabelled

    def add_progress(self, p: Progress) -> None:
        h = self.history
        h["step"].append(p.step)
        h["loss"].append(p.loss)
        h["grad"].append(p.grad_norm)
        h["lr"].append(p.lr)
        for name, norm in p.groups.items():
            series = self.groups.setdefault(name, [])
            if name not in self.curves:
                color = head_color(len(self.curves) - 5)
                plot = self.plots["groups"]
                curve = plot.plot([], [], pen=pg.mkPen(color, width=1.5), name=name)
                curve.setDownsampling(auto=True, method="peak")  # long runs stay cheap
                curve.setClipToView(True)
                self.curves[name] = curve
                if plot.legend is not None:  # six blocks in one column ran off a short chart
                    plot.legend.setColumnCount(1 if len(self.groups) <= 3 else 2)
            series.append(max(norm, 1e-12))  # a log axis: no zeros
        for series in self.groups.values():  # a block without a number this time
            while len(series) < len(h["step"]):
                series.append(series[-1] if series else 1e-12)
        self._later()

    def add_eval(self, e: EvalStats) -> None:
        h = self.history
        h["e_step"].append(e.step)
        h["val"].append(e.val_loss)
        h["acc"].append(e.token_acc)
        h["bleu"].append(e.bleu / 100)
        self._later()

    def reset(self) -> None:
        for plot in self.plots.values():
            plot.enableAutoRange(axis="x")
        for values in self.history.values():
            values.clear()
        for series in self.groups.values():
            series.clear()
        self.redraw()

    def _later(self) -> None:
        """Redraw at most every REDRAW_MS: repainting four plots (axes and all) costs
        ~25 ms, so at every progress message the window would spend a third of a core
        on charts and starve the training process (measured)."""
        if not self._timer.isActive():
            self._timer.start()

    def set_total(self, steps: int) -> None:
        """The x axes span the whole run from the start, so they never re-layout."""
        for plot in self.plots.values():
            plot.setXRange(0, max(1, steps), padding=0.02)
            plot.disableAutoRange(axis="x")

    def flush(self) -> None:
        self._timer.stop()
        self.redraw()

    def end_run(self) -> None:
        """The run ended (finished, stopped early, cancelled or failed): redraw, and let
        the x axes end at its last step, not at the steps it was started for (a run
        stopped at 100 of 600 steps filled a sixth of each chart)."""
        self.flush()
        last = max(self.history["step"] + self.history["e_step"], default=0.0)
        if last > 0:
            for plot in self.plots.values():
                plot.setXRange(0, last, padding=0.02)

    def resizeEvent(self, event: Any) -> None:
        self._arrange(2 if self.width() >= WIDE else 1)  # before the layout is sized
        super().resizeEvent(event)

    def _arrange(self, columns: int) -> None:
        """2 × 2 charts, or one column in a narrow dock: side by side they were wider
        than the view, which cut off the right-hand charts."""
        if columns == getattr(self, "_columns", columns):
            return  # the same, or still being built (Qt resizes the view in its __init__)
        self._columns = columns
        for plot in self.plots.values():
            self.ci.removeItem(plot)
        for i, key in enumerate(ORDER):
            self.ci.addItem(self.plots[key], row=i // columns, col=i % columns)

    def load_history(self, history: dict[str, list[float]]) -> None:
        """Show a saved run's charts (a session file keeps them)."""
        self.reset()
        for key in KEYS:
            self.history[key].extend(float(v) for v in history.get(key, []))
        self.redraw()

    def redraw(self) -> None:
        h = self.history
        self.curves["loss"].setData(h["step"], h["loss"])
        self.curves["lr"].setData(h["step"], h["lr"])
        for name in ("val", "acc", "bleu"):
            self.curves[name].setData(h["e_step"], h[name])
        for name, series in self.groups.items():  # log10: the axis labels the numbers
            self.curves[name].setData(h["step"][: len(series)], log10_or_gap(series))

    def apply_scale(self, scale: float) -> None:
        """The presentation zoom changed (the tick fonts follow by themselves)."""
        self._zoom = scale
        for plot in self.plots.values():
            if plot.legend is not None:
                plot.legend.setLabelTextSize(_pt(LEGEND_PT, scale))
                for _, label in plot.legend.items:  # the size is used when text is set
                    label.setText(label.text)
            for side in ("left", "bottom"):  # type `scale` x larger: fewer ticks (pyqtgraph
                plot.getAxis(side).setTickDensity(scale**-0.5)  # spaces them by √length)
        self.relabel(self._lang)

    def relabel(self, lang: str) -> None:
        self._lang = lang
        zoom = self._zoom
        for key, plot in self.plots.items():
            plot.setTitle(tr(TITLES[key], lang), size=_pt(TITLE_PT, zoom), color=TEXT)
            plot.setLabel("bottom", tr(AXIS, lang), **{"font-size": _pt(LABEL_PT, zoom)})
        for key, curve in self.curves.items():
            if key in NAMES:
                legend = self.plots["loss" if key in ("loss", "val") else "quality"].legend
                if legend is not None and curve.name() is not None:
                    legend.removeItem(curve)
                curve.opts["name"] = tr(NAMES[key], lang)
                if legend is not None:
                    legend.addItem(curve, tr(NAMES[key], lang))


def _pt(points: float, zoom: float) -> str:
    """A CSS font size at the zoom: "9pt" at zoom 1, "18pt" at 200 %."""
    return f"{points * zoom:.1f}pt"
