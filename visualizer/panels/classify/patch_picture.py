"""The picture a ViT classifier read, cut into its patch grid, with an optional overlay.

Without ``attention`` it is the picture as the model saw it (``src.image``, grey or
RGB, pixels as squares) with the patch grid drawn on and each patch's number in its
corner: ▦1 … ▦n in raster order, the names every view gives them (patch ▦i is position i
after [CLS]). With ``attention`` (rows, cols: how
much the [CLS] position attended to each patch) every patch is tinted in proportion to
its weight, relative to the largest one, and its percentage is written in it. Painted
with QPainter; a click emits ``sigClicked`` (the small multiples select a layer / head).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visualizer.theme import GRID, HIGHLIGHT, TEXT, get_scale, ui_font
from visualizer.widgets.numbers import percent

TINT = QColor("#e76f51")  # the [CLS] attention overlay


class PatchPicture(QWidget):
    """``set_picture(image, grid)``; ``set_attention(values | None)``; ``set_caption``."""

    sigClicked = Signal()

    def __init__(self, side: int = 220, numbers: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.base = side  # at zoom 1; ``rescale`` follows the presentation zoom
        self.side = round(side * get_scale())
        self.numbers = numbers  # write patch numbers / percentages (too small in the multiples)
        self.image: np.ndarray | None = None  # (C, H, W) in [0, 1]
        self.grid: tuple[int, int] = (1, 1)
        self.attention: np.ndarray | None = None  # (rows, cols)
        self.caption = ""
        self.selected = False
        self._qimage: QImage | None = None
        self.setFixedSize(self.sizeHint())

    def _caption_rect(self) -> QRectF:
        """Where the caption goes: under the picture, wrapped to its width."""
        fm = QFontMetrics(ui_font(9))
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        lines = fm.boundingRect(0, 0, self.side + 4, 1000, flags, self.caption)
        return QRectF(0, self.side + 6, self.side + 4, lines.height() + 2)

    def sizeHint(self) -> QSize:
        extra = self._caption_rect().height() + 4 if self.caption else 0
        return QSize(self.side + 4, int(self.side + 4 + extra))

    def set_picture(self, image: np.ndarray, grid: tuple[int, int]) -> None:
        self.image, self.grid = image, grid
        rgb = image[:3].transpose(1, 2, 0) if image.shape[0] >= 3 else image[0][..., None]
        grey = np.clip(np.repeat(rgb, 3, axis=2) if rgb.shape[2] == 1 else rgb, 0, 1)
        pixels = np.ascontiguousarray((grey * 255).round().astype(np.uint8))  # (H, W, 3)
        h, w = pixels.shape[:2]
        self._pixels = pixels  # QImage does not own the buffer: keep it alive
        self._qimage = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self.update()

    def set_attention(self, attention: np.ndarray | None) -> None:
        self.attention = attention
        self.update()

    def set_caption(self, caption: str) -> None:
        self.caption = caption
        self.setFixedSize(self.sizeHint())
        self.update()

    def rescale(self) -> None:
        """Take the size for the current zoom (the zoom changed after it was made): the
        numbers in the patches grow with the fonts, so the patches must too."""
        self.side = round(self.base * get_scale())
        self.setFixedSize(self.sizeHint())
        self.update()

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def patch_name(self, row: int, col: int) -> str:
        """The name written in a patch: ▦1 … ▦n in raster order, as on every token axis."""
        return f"▦{row * self.grid[1] + col + 1}"

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.sigClicked.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        side = float(self.side)
        box = QRectF(2, 2, side, side)
        if self.selected:
            p.setPen(QPen(QColor(HIGHLIGHT), 4))
            p.drawRect(box.adjusted(-1, -1, 1, 1))
        if self._qimage is not None:
            p.drawImage(box, self._qimage)  # nearest: pixels stay squares
        rows, cols = self.grid
        cw, ch = side / cols, side / rows
        a = self.attention
        top = float(a.max()) if a is not None and a.size and a.max() > 0 else 1.0
        small = ui_font(8 if self.side >= 160 else 7)
        p.setFont(small)
        fm = QFontMetrics(small)
        for r in range(rows):
            for c in range(cols):
                cell = QRectF(box.left() + c * cw, box.top() + r * ch, cw, ch)
                if a is not None:
                    tint = QColor(TINT)
                    tint.setAlphaF(0.85 * float(a[r, c]) / top)
                    p.fillRect(cell, tint)
                if not self.numbers:
                    continue
                if a is not None:
                    text = fit_percent(float(a[r, c]), fm, cw - 2)
                else:
                    text = self.patch_name(r, c)
                tw = min(fm.horizontalAdvance(text) + 4, cw - 2)
                label = QRectF(cell.left() + 1, cell.top() + 1, tw, fm.height())
                p.fillRect(label, QColor(255, 255, 255, 200))
                p.setPen(QColor(TEXT))
                p.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
        p.setPen(QPen(QColor(GRID), 1.5))
        for c in range(cols + 1):
            x = box.left() + c * cw
            p.drawLine(int(x), int(box.top()), int(x), int(box.bottom()))
        for r in range(rows + 1):
            y = box.top() + r * ch
            p.drawLine(int(box.left()), int(y), int(box.right()), int(y))
        if self.caption:
            p.setFont(ui_font(9))
            p.setPen(QColor(TEXT))
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
            p.drawText(self._caption_rect(), flags, self.caption)


def fit_percent(p: float, fm: QFontMetrics, width: float) -> str:
    """``p`` as a percentage that fits ``width`` pixels: the full reading (0.0072%) if it
    fits, else rounded to a whole percent, or "<1%" (a neighbour never covers it)."""
    full = percent(p)
    if fm.horizontalAdvance(full) + 4 <= width:
        return full
    return f"{100 * p:.0f}%" if 100 * p >= 1 else "<1%"
