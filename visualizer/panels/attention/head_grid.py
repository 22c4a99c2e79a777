"""The model view: every layer × head of one attention kind as a small heatmap.

Rows are layers, columns are heads (header chips in the head colours). Thumbnails
are QImages made once per data change from the traced weights (0..1, white to
deep blue, one pixel per cell, scaled without smoothing so no value is blurred);
the cell of the current layer and selected head is outlined. Clicking a cell
emits ``sigCellClicked(layer, head)``.

Drawn in design units and scaled as a whole by the presentation zoom, as far as the
widget has room (never below 1): zoomed type in header chips and label columns of
fixed size overlapped at 150 %. Fonts are made at paint time in design units (the
painter applies the zoom); ``cell_rect`` and clicks are in screen units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visualizer.theme import (
    GRID,
    HIGHLIGHT,
    MUTED,
    TEXT,
    design_font,
    fit_scale,
    head_color,
    sequential_lut,
)

LABEL_W = 70.0
HEADER_H = 22.0
GAP = 8.0
MIN_H = 120.0  # the widget's minimum height (not zoomed)
HEAD_W = 60.0  # design width a head's column needs for its header chip


class HeadGrid(QWidget):
    """``set_data(layers, weights)`` with one (H, Tq, Tk) array per layer."""

    sigCellClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layers: list[int] = []
        self.row_labels: list[str] = []
        self.head_label = "H{}"
        self.heads = 0
        self.current: tuple[int, int] | None = None  # (layer, head)
        self._images: list[list[QImage]] = []
        self._buffers: list[np.ndarray] = []  # keep the pixels alive for the QImages
        self._shapes: list[tuple[int, int]] = []
        self._lut = sequential_lut()
        self.setMouseTracking(True)
        self.setMinimumHeight(int(MIN_H))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_data(
        self, layers: Sequence[int], weights: Sequence[np.ndarray], row_labels: Sequence[str]
    ) -> None:
        self.layers, self.row_labels = list(layers), list(row_labels)
        self.heads = max((w.shape[0] for w in weights), default=0)
        self._images, self._buffers, self._shapes = [], [], []
        for w in weights:
            row = []
            for h in range(w.shape[0]):
                idx = (np.clip(np.nan_to_num(w[h]), 0, 1) * (len(self._lut) - 1)).astype(np.int32)
                rgba = np.ascontiguousarray(self._lut[idx])
                self._buffers.append(rgba)
                img = QImage(
                    rgba.data,
                    rgba.shape[1],
                    rgba.shape[0],
                    rgba.shape[1] * 4,
                    QImage.Format.Format_RGBA8888,
                )
                row.append(img)
            self._images.append(row)
            self._shapes.append(tuple(w.shape[1:]))
        self.update()

    def set_current(self, layer: int | None, head: int) -> None:
        self.current = None if layer is None else (layer, head)
        self.update()

    def set_labels(self, head_label: str) -> None:
        """``head_label`` is a format string for the column header, e.g. "Head {}"."""
        self.head_label = head_label
        self.update()

    # -- geometry --------------------------------------------------------------------
    def drawing_scale(self) -> float:
        """The painter's scale: the zoom, or less where the widget has no room (not
        below 1)."""
        min_w = LABEL_W + 4 + HEAD_W * max(1, self.heads)
        return fit_scale(self.width() / min_w, self.height() / MIN_H)

    def design_cell_rect(self, row: int, head: int) -> QRectF:
        """A cell in the drawing's design units."""
        s = self.drawing_scale()
        n_rows, n_cols = max(1, len(self.layers)), max(1, self.heads)
        cw = (self.width() / s - LABEL_W - 4) / n_cols
        ch = (self.height() / s - HEADER_H - 4) / n_rows
        return QRectF(LABEL_W + head * cw, HEADER_H + row * ch, cw, ch)

    def cell_rect(self, row: int, head: int) -> QRectF:
        """A cell on screen (widget pixels)."""
        r, s = self.design_cell_rect(row, head), self.drawing_scale()
        return QRectF(r.x() * s, r.y() * s, r.width() * s, r.height() * s)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        for r in range(len(self.layers)):
            for h in range(self.heads):
                if self.cell_rect(r, h).contains(pos):
                    return self.layers[r], h
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigCellClicked.emit(*cell)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        self.setToolTip(
            ""
            if cell is None
            else f"{self.row_labels[self.layers.index(cell[0])]} · "
            f"{self.head_label.format(cell[1])}"
        )
        super().mouseMoveEvent(event)

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        scale = self.drawing_scale()
        p.scale(scale, scale)
        p.setFont(design_font(9, bold=True))
        for h in range(self.heads):
            r = self.design_cell_rect(0, h)
            chip = QRectF(r.x() + 4, 2, r.width() - 8, HEADER_H - 5)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(head_color(h))
            p.drawRoundedRect(chip, 4, 4)
            p.setPen(QColor("#ffffff"))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, self.head_label.format(h))
        for row, layer in enumerate(self.layers):
            r0 = self.design_cell_rect(row, 0)
            p.setPen(QColor(TEXT))
            p.drawText(
                QRectF(0, r0.y(), LABEL_W - 6, r0.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.row_labels[row] if row < len(self.row_labels) else str(layer),
            )
            tq, tk = self._shapes[row]
            for h, img in enumerate(self._images[row]):
                r = self.design_cell_rect(row, h).adjusted(GAP / 2, GAP / 2, -GAP / 2, -GAP / 2)
                s = min(r.width() / max(1, tk), r.height() / max(1, tq))
                pic = QRectF(
                    r.center().x() - s * tk / 2, r.center().y() - s * tq / 2, s * tk, s * tq
                )
                p.drawImage(pic, img)  # no smoothing: each cell stays one flat square
                current = self.current == (layer, h)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(QColor(HIGHLIGHT if current else GRID), 3 if current else 1))
                p.drawRect(pic.adjusted(-1, -1, 1, 1))
        if not self.layers:
            p.setPen(QColor(MUTED))
            p.drawText(
                QRectF(0, 0, self.width() / scale, self.height() / scale),
                Qt.AlignmentFlag.AlignCenter,
                "—",
            )
        p.end()
