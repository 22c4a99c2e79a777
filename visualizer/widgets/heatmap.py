"""A labelled matrix heatmap: token labels, a centred colour scale, exact values on hover.

Built on pyqtgraph's ImageItem (created once, updated in place with ``set_matrix``)
so stepping through hundreds of tensors stays smooth. Values are drawn exactly as
given; -inf (a masked score) is shown grey and reported as "-inf (masked)". Large
matrices are drawn at full resolution by the GPU-less raster path, and only the
labels are thinned, so no number is ever averaged away.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.theme import GRID, MUTED, diverging_lut, sequential_lut, ui_font

MAX_LABELS = 40  # beyond this many rows/columns, label every k-th one
MASKED_RGB = (190, 190, 196)


class Heatmap(QWidget):
    """``set_matrix(values, rows, cols, mode)``; mode "diverging" (centred on 0) or
    "probability" (0..1). Emits ``sigCellClicked(row, col)`` and ``sigCellHovered``."""

    sigCellClicked = Signal(int, int)
    sigCellHovered = Signal(int, int)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = np.zeros((1, 1), np.float32)
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.mode = "diverging"
        self.scale = 1.0
        self.selected: tuple[int, int] | None = None

        self.title = QLabel(title)
        self.title.setFont(ui_font(10, bold=True))
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        vb = self.plot.getViewBox()
        vb.invertY(True)
        vb.setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.marker = pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1)
        self.marker.setPen(pg.mkPen("#111111", width=2, cosmetic=True))
        self.marker.setVisible(False)
        self.plot.addItem(self.marker)
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setTextPen(pg.mkPen("#1d1d1f"))
            ax.setPen(pg.mkPen(GRID))
            ax.setStyle(tickFont=ui_font(9))
        self.bar = pg.ColorBarItem(values=(-1, 1), width=12, interactive=False)
        self.bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.readout = QLabel(" ")
        self.readout.setFont(ui_font(9))
        self.readout.setStyleSheet(f"color: {MUTED}")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        self.plot.scene().sigMouseMoved.connect(self._on_move)
        self.plot.scene().sigMouseClicked.connect(self._on_click)

    # -- data ------------------------------------------------------------------------
    def set_matrix(
        self, values: np.ndarray, rows: Sequence[str] = (), cols: Sequence[str] = (),
        mode: str = "diverging", title: str | None = None, scale: float | None = None,
    ) -> None:
        """Show a 2-D array (a 1-D one becomes one row). ``scale``: fixed colour range."""
        v = np.asarray(values, dtype=np.float32)
        if v.ndim == 1:
            v = v[None, :]
        self.values = v
        self.rows = list(rows) or [str(i) for i in range(v.shape[0])]
        self.cols = list(cols) or [str(j) for j in range(v.shape[1])]
        self.mode = mode
        if title is not None:
            self.title.setText(title)
        finite = v[np.isfinite(v)]
        if mode == "probability":
            lo, hi, lut = 0.0, 1.0, sequential_lut()
        else:
            m = scale if scale else (float(np.abs(finite).max()) if finite.size else 1.0)
            m = m or 1.0
            lo, hi, lut = -m, m, diverging_lut()
        self.scale = hi
        self.image.setImage(self._rgba(v, lo, hi, lut), autoLevels=False)
        self.image.setRect(0, 0, v.shape[1], v.shape[0])
        self.bar.setColorMap(pg.ColorMap(np.linspace(0, 1, len(lut)), lut))
        self.bar.setLevels((lo, hi))
        self._set_ticks()
        self.plot.getViewBox().setRange(xRange=(0, v.shape[1]), yRange=(0, v.shape[0]),
                                        padding=0)
        self.select(None)

    def select(self, cell: tuple[int, int] | None) -> None:
        self.selected = cell
        if cell is None:
            self.marker.setVisible(False)
            return
        r, c = cell
        self.marker.setRect(c, r, 1, 1)
        self.marker.setVisible(True)
        self.readout.setText(self.describe(r, c))

    def describe(self, r: int, c: int) -> str:
        """The exact value of a cell, with its labels ("row × col = value")."""
        x = float(self.values[r, c])
        shown = "-inf (masked)" if x == float("-inf") else f"{x:.6g}"
        return f"[{self.rows[r]} , {self.cols[c]}]  =  {shown}"

    # -- internals -------------------------------------------------------------------
    @staticmethod
    def _rgba(v: np.ndarray, lo: float, hi: float, lut: np.ndarray) -> np.ndarray:
        """Map values to colours ourselves so -inf gets its own grey, not a clipped end."""
        idx = np.clip((np.nan_to_num(v, neginf=lo, posinf=hi) - lo) / (hi - lo), 0, 1)
        rgba = lut[(idx * (len(lut) - 1)).astype(np.int32)]
        rgba[~np.isfinite(v), :3] = MASKED_RGB
        return rgba

    def _set_ticks(self) -> None:
        def ticks(labels: list[str]) -> list[list[tuple[float, str]]]:
            step = max(1, int(np.ceil(len(labels) / MAX_LABELS)))
            return [[(i + 0.5, labels[i]) for i in range(0, len(labels), step)]]

        self.plot.getAxis("left").setTicks(ticks(self.rows))
        self.plot.getAxis("bottom").setTicks(ticks(self.cols))

    def _cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        p = self.plot.getViewBox().mapSceneToView(scene_pos)
        r, c = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= r < self.values.shape[0] and 0 <= c < self.values.shape[1]:
            return r, c
        return None

    def _on_move(self, pos: QPointF) -> None:
        cell = self._cell_at(pos)
        if cell is None:
            self.plot.setToolTip("")
            return
        text = self.describe(*cell)
        self.readout.setText(text)
        self.plot.setToolTip(text)
        self.sigCellHovered.emit(*cell)

    def _on_click(self, event: object) -> None:
        cell = self._cell_at(event.scenePos())  # type: ignore[attr-defined]
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            self.select(cell)
            self.sigCellClicked.emit(*cell)
