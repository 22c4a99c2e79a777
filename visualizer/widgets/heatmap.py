"""A labelled matrix heatmap: token labels, a centred colour scale, exact values on hover.

Built on pyqtgraph's ImageItem (created once, updated in place with ``set_matrix``)
so stepping through hundreds of tensors stays smooth. Values are drawn exactly as
given; -inf (a masked score) is shown grey and reported as "-inf (masked)". Large
matrices are drawn at full resolution (one pixel block per cell, never averaged) and
only the labels are thinned, to as many as fit; small ones get their numbers printed
in the cells. Modes: "diverging" (blue-white-red, centred on 0), "probability"
(white to blue, 0..1) and "ids" (token ids: a plain fill, the id written in).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from visualizer.theme import GRID, HIGHLIGHT, MUTED, TEXT, get_scale, ui_font
from visualizer.widgets.cell_text import CellText
from visualizer.widgets.color_bar import ColorBar, bar_width
from visualizer.widgets.heatmap_parts import QtRect, colorize, elide, is_words, thin, with_power
from visualizer.widgets.token_axis import TokenAxis

if TYPE_CHECKING:
    from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent

BOTTOM_H = 24
TITLE_H = 20
READOUT_H = 16
TOP_PAD = 7
TOP_K = 3  # a single row names at least its largest few entries
# The smallest readable cell (issue 16): along a sentence's tokens one line of label
# text at the zoom, along indices or a vocabulary (labels thinned) a block of its own.
CELL_TOKEN, CELL_INDEX, SENTENCE_MAX = 14, 2, 32


class Heatmap(QWidget):
    """``set_matrix(values, rows, cols, mode)``; ``select((r, c))`` outlines a cell,
    ``mark(row, col)`` highlights a row / column / cell linked to another panel.
    Emits ``sigCellClicked(row, col)`` and ``sigCellHovered(row, col)``."""

    sigCellClicked = Signal(int, int)
    sigCellHovered = Signal(int, int)
    sigHoverEnded = Signal()  # the pointer left the cells
    sigChrome = Signal()  # the room needed around the cells changed (labels turned)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = np.zeros((1, 1), np.float32)
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.mode = "diverging"
        self.scale = 1.0
        self.selected: tuple[int, int] | None = None
        self.hint = " "
        self.masked_text = "-inf (masked)"
        self.metrics = QFontMetrics(ui_font(9))
        self._wide = 8
        self._hovering = False
        self._last_ticks: dict[str, object] = {}
        self._widths: dict[str, int] = {}  # label -> pixels, to measure each label once
        self.natural = [8, BOTTOM_H]  # left axis width, bottom axis height the labels need
        self.forced = [0, 0]  # at least this much (to line up with a neighbour)
        self._title_h = 0  # the title's height at the last resize
        # whether rows / columns are tokens (not indices): asked by every layout pass
        self._words = (False, False)
        # (text, width, font) -> the wrapped title's height: layouts ask it thousands of
        # times per walk through a trace, and QLabel lays the text out anew each time
        self._title_hfw: tuple[tuple[str, int, str], int] | None = None

        self._title = title
        self.title = QLabel(title)
        self.title.setFont(ui_font(10, bold=True))
        self.title.setMinimumHeight(TITLE_H)
        self.title.setTextFormat(Qt.TextFormat.AutoText)
        # a long title wraps (never cut, issue 16) instead of widening the window
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.plot = pg.PlotWidget(
            background="w", axisItems={"bottom": TokenAxis()}, enableMenu=False
        )
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.layout.setContentsMargins(0, TOP_PAD, 0, 0)  # room for the colour bar's top label
        vb = self.plot.getViewBox()
        vb.invertY(True)
        vb.setDefaultPadding(0.0)
        vb.setBorder(pg.mkPen(GRID))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.text = CellText()
        self.plot.addItem(self.text)
        self.band = QtRect(HIGHLIGHT, 3, fill=True)
        self.marker = QtRect("#111111", 2.5)
        self.plot.addItem(self.band)
        self.plot.addItem(self.marker)
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setTextPen(pg.mkPen(TEXT))
            ax.setPen(pg.mkPen(GRID))
            ax.setStyle(tickFont=ui_font(9), tickLength=0)  # inward ticks read as minus signs
        self.plot.getAxis("bottom").setHeight(BOTTOM_H)
        self.bar = ColorBar()
        for owner in (item,):  # else every range change re-renders an axis label
            for side in ("left", "bottom", "top", "right"):
                owner.getAxis(side).enableAutoSIPrefix(False)
        item.layout.addItem(self.bar, 2, 5)
        item.layout.setColumnFixedWidth(5, bar_width())
        item.layout.setColumnFixedWidth(4, 6)
        self.readout = QLabel(" ")
        self.readout_text = " "  # its whole text (the label shows it elided when narrow)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)  # tokens such as "<eos>"
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.readout.setFont(ui_font(9))
        self.readout.setFixedHeight(READOUT_H)
        self.readout.setStyleSheet(f"color: {MUTED}")
        self._fade = QVariantAnimation(self)
        self._fade.setDuration(200)
        self._fade.setStartValue(0.25)
        self._fade.setEndValue(1.0)
        self._fade.valueChanged.connect(lambda v: self.image.setOpacity(float(v)))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        self.plot.scene().sigMouseMoved.connect(self._on_move)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        vb.sigResized.connect(lambda _: self._set_ticks())

    # -- data ------------------------------------------------------------------------
    def set_matrix(
        self,
        values: np.ndarray,
        rows: Sequence[str] = (),
        cols: Sequence[str] = (),
        mode: str = "diverging",
        title: str | None = None,
        scale: float | None = None,
    ) -> None:
        """Show a 2-D array (a 1-D one becomes one row). ``scale``: fixed colour range."""
        v = np.asarray(values, dtype=np.float32)
        if v.ndim == 1:
            v = v[None, :]
        elif v.ndim == 0:
            v = v.reshape(1, 1)
        self.values = v
        self.rows = list(rows) or [str(i) for i in range(v.shape[0])]
        self.cols = list(cols) or [str(j) for j in range(v.shape[1])]
        self._words = (is_words(self.rows), is_words(self.cols))
        self.mode = mode
        if title is not None:
            self._title = title
        finite = v[np.isfinite(v)]
        if mode == "probability":
            lo, hi = 0.0, 1.0
        elif mode == "gain":  # a gain: 1 leaves a value as it is, so 1 is white
            m = scale if scale else (float(np.abs(finite - 1).max()) if finite.size else 1.0)
            m = m or 1.0
            lo, hi = 1 - m, 1 + m
        else:
            m = scale if scale else (float(np.abs(finite).max()) if finite.size else 1.0)
            m = m or 1.0
            lo, hi = -m, m
        self.scale = hi
        rgba = colorize(v, lo, hi, mode)
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.image.setRect(0, 0, v.shape[1], v.shape[0])
        exponent = self.text.set_values(v, rgba, mode)
        self.title.setText(with_power(self._title, exponent))
        self._fit_title()
        self.bar.configure(self.plot.getPlotItem().layout, mode, lo, hi, bool(np.isneginf(v).any()))
        self._wide = max((self._text_w(s) for s in self.cols), default=8)
        left = max((self._text_w(s) for s in self.rows), default=8)
        self.natural[0] = min(110, left + 10)
        self.plot.getAxis("left").setWidth(max(self.natural[0], self.forced[0]))
        self.plot.getViewBox().setRange(xRange=(0, v.shape[1]), yRange=(0, v.shape[0]), padding=0)
        self._set_ticks()
        self.updateGeometry()  # the readable minimum follows the matrix
        self.band.setVisible(False)
        self.select(None)

    def force_axes(self, left: int = 0, bottom: int = 0) -> None:
        """Make the axes at least this big, so two panels' cells line up exactly."""
        self.forced = [left, bottom]
        self.plot.getAxis("left").setWidth(max(self.natural[0], left))
        self.plot.getAxis("bottom").setHeight(max(self.natural[1], bottom))

    def minimumSizeHint(self) -> QSize:
        """Room for readable cells (``CELL_TOKEN`` per token at the zoom, ``CELL_INDEX``
        per index) and the labels around them: a panel too small for that scrolls
        (the docks' views sit in scroll areas) instead of squeezing the cells into a
        12-pixel strip."""
        rows, cols = self.values.shape
        cw, ch = self.chrome()
        nw, nh = self.cell_need()
        return QSize(cw + cols * nw, ch + rows * nh)

    def sizeHint(self) -> QSize:
        """Never below the readable minimum (a box layout grows a widget from here)."""
        return super().sizeHint().expandedTo(self.minimumSizeHint())

    def hasHeightForWidth(self) -> bool:
        """No: the wrapped title made this widget's layout height-for-width, and a layout
        that asks for it (through the widget's own layout, past any override) gave the
        heatmap less than its readable rows (the Update dock: 1.3 px per row). The
        title's lines reach the layouts through ``_fit_title`` and the minimum instead."""
        return False

    def cell_need(self) -> tuple[int, int]:
        """The smallest readable cell (width, height): a layout that gives less squeezes
        labels into each other (``CELL_TOKEN`` per token at the zoom, ``CELL_INDEX`` per
        index)."""
        rows_words, cols_words = self._words
        return self._cell(cols_words, len(self.cols)), self._cell(rows_words, len(self.rows))

    @staticmethod
    def _cell(words: bool, n: int) -> int:
        if words and n <= SENTENCE_MAX:
            return round(CELL_TOKEN * get_scale())
        return CELL_INDEX

    def chrome(self) -> tuple[int, int]:
        """Pixels this widget needs around the cell area (axes, bar, title, readout; the
        title and readout lines grow with the presentation zoom)."""
        bar = bar_width() + 6 if self.mode != "ids" else 0
        zoomed = round((READOUT_H + TOP_PAD) * (get_scale() - 1))
        return (
            max(self.natural[0], self.forced[0]) + bar + 8,
            self._title_height()
            + max(self.natural[1], self.forced[1])
            + READOUT_H
            + TOP_PAD
            + 12
            + zoomed,
        )

    def _title_height(self) -> int:
        """One title line at the zoom, or the lines a long title wraps to at this width
        (a wrapped title must not eat the cells' room)."""
        line = round(TITLE_H * get_scale())
        text = self.title.text()
        if not text or self.width() <= 8:
            return line
        return max(line, self._title_lines(text, self.width() - 4))

    def _title_lines(self, text: str, width: int) -> int:
        """The title label's height for its text at ``width``, measured once per text,
        width and font."""
        key = (text, width, self.title.font().key())
        if self._title_hfw is None or self._title_hfw[0] != key:
            self._title_hfw = (key, self.title.heightForWidth(width))
        return self._title_hfw[1]

    def select(self, cell: tuple[int, int] | None) -> None:
        """Outline a cell (None clears) and show its exact value under the plot."""
        if cell is not None and not (
            0 <= cell[0] < self.values.shape[0] and 0 <= cell[1] < self.values.shape[1]
        ):
            cell = None
        self.selected = cell
        if cell is None:
            self.marker.setVisible(False)
            self._show_readout(self.hint)
            return
        r, c = cell
        self.marker.setRect(c, r, 1, 1)
        self.marker.setVisible(True)
        self._show_readout(self.describe(r, c))

    def mark(self, row: int | None = None, col: int | None = None) -> None:
        """Highlight a row, a column, or (both given) one cell; neither clears it."""
        rows, cols = self.values.shape
        ok_r = row is not None and 0 <= row < rows
        ok_c = col is not None and 0 <= col < cols
        if not ok_r and not ok_c:
            self.band.setVisible(False)
            return
        x, w = (col, 1) if ok_c else (0, cols)
        y, h = (row, 1) if ok_r else (0, rows)
        self.band.setRect(x, y, w, h)
        self.band.setVisible(True)

    def fade_in(self) -> None:
        """A short fade of the cells (for animated stepping)."""
        self._fade.stop()
        self._fade.start()

    def describe(self, r: int, c: int) -> str:
        """The exact value of a cell, with its labels ("row × col = value")."""
        x = float(self.values[r, c])
        if x == float("-inf"):
            shown = self.masked_text
        elif self.mode == "ids":
            shown = str(int(x))
        else:
            shown = f"{x:.6g}"
        where = " , ".join(x for x in (self.rows[r], self.cols[c]) if x)
        return f"[{where}]  =  {shown}"

    # -- internals -------------------------------------------------------------------
    def _show_readout(self, text: str) -> None:
        """The line under the plot: elided to the heatmap's width (a narrow panel, a
        big zoom), the whole text then in its tooltip."""
        self.readout_text = text
        room = self.readout.contentsRect().width()
        fm = self.readout.fontMetrics()
        shown = text
        if room > 0 and fm.horizontalAdvance(text) > room:
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, room)
        self.readout.setText(shown)
        self.readout.setToolTip(text if shown != text else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_readout(self.readout_text)  # elided anew for the new width
        self._fit_title()

    def _fit_title(self) -> None:
        """A title that wraps to another number of lines gets that height (never
        squeezed: the cells give way) and tells the layouts the minimum changed."""
        title_h = self._title_height()
        if title_h != self._title_h:
            self._title_h = title_h
            lines = self._title_lines(self.title.text(), max(1, self.width() - 4))
            self.title.setMinimumHeight(max(TITLE_H, lines))
            self.updateGeometry()  # the readable minimum changed with it
            self.sigChrome.emit()

    def _set_ticks(self) -> None:
        vb = self.plot.getViewBox()
        rows, cols = self.values.shape
        px_w = max(1.0, vb.width()) / cols
        px_h = max(1.0, vb.height()) / rows
        wide = self._wide

        top: list[int] = []  # one row over words: always name its largest entries
        if rows == 1 and self.mode != "ids" and np.isfinite(self.values[0]).any():
            row = np.where(np.isfinite(self.values[0]), self.values[0], -np.inf)
            top = [int(i) for i in np.argsort(-row, kind="stable")[:TOP_K]]

        line = self.metrics.height()
        row_words, words = self._words
        left = thin(self.rows, line, px_h, indexed=row_words)
        self._ticks("left", left)
        want = min(110, max(self._text_w(s) for _, s in left[0]) + 10) if left[0] else 8
        changed = want != self.natural[0]
        if changed:  # "index:token" labels need a little more room
            self.natural[0] = want
            self.plot.getAxis("left").setWidth(max(want, self.forced[0]))
        bottom: TokenAxis = self.plot.getAxis("bottom")
        rotate = words and wide + 6 > px_w
        if rotate != bottom.rotate:  # same labels drawn another way: redraw the axis
            bottom.rotate = rotate
            self._last_ticks.pop("bottom", None)
        need = line if bottom.rotate else wide + 6
        ticks = thin(self.cols, need, px_w, top, indexed=words)
        self._ticks("bottom", ticks)
        longest = max((self._text_w(s) for _, s in ticks[0]), default=8)
        natural = self.natural[1]
        self.natural[1] = min(110, longest + 10) if bottom.rotate else BOTTOM_H
        if self.natural[1] != natural or changed:
            bottom.setHeight(max(self.natural[1], self.forced[1]))
            self.updateGeometry()  # the readable minimum changed with it
            self.sigChrome.emit()

    def _ticks(self, side: str, ticks: list[list[tuple[float, str]]]) -> None:
        """Set an axis' labels; unchanged labels keep the axis' cached drawing."""
        if self._last_ticks.get(side) != ticks:
            self._last_ticks[side] = ticks
            self.plot.getAxis(side).setTicks(ticks)

    def _text_w(self, label: str) -> int:
        if label not in self._widths:
            shown = label if label.split(":", 1)[0].isdigit() else elide(label)
            self._widths[label] = self.metrics.horizontalAdvance(shown)
        return self._widths[label]

    def _cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        if not self.plot.getViewBox().sceneBoundingRect().contains(scene_pos):
            return None
        p = self.plot.getViewBox().mapSceneToView(scene_pos)
        r, c = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= r < self.values.shape[0] and 0 <= c < self.values.shape[1]:
            return r, c
        return None

    def axis_label_at(self, scene_pos: QPointF) -> str:
        """The whole row or column label under a point of the left or bottom axis ("" off
        them): the axes show a token cut to ``LABEL_CHARS``, its tooltip the full token."""
        vb = self.plot.getViewBox()
        p = vb.mapSceneToView(scene_pos)
        for side, labels, at in (("left", self.rows, p.y()), ("bottom", self.cols, p.x())):
            if self.plot.getAxis(side).sceneBoundingRect().contains(scene_pos):
                i = int(np.floor(at))
                return labels[i] if 0 <= i < len(labels) else ""
        return ""

    def _on_move(self, pos: QPointF) -> None:
        cell = self._cell_at(pos)
        if cell is None:
            if self._hovering:
                self._hovering = False
                self.sigHoverEnded.emit()
            self.plot.setToolTip(self.axis_label_at(pos))
            self._show_readout(self.describe(*self.selected) if self.selected else self.hint)
            return
        text = self.describe(*cell)
        self._show_readout(text)
        self.plot.setToolTip(text)
        self._hovering = True
        self.sigCellHovered.emit(*cell)

    def _on_click(self, event: MouseClickEvent) -> None:
        cell = self._cell_at(event.scenePos())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(cell)
            self.sigCellClicked.emit(*cell)
