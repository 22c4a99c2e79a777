"""One compact painted row per target position for the loss view.

Left: position, the decoder's input token and the true next token with its
probability and rank. Middle: the model's top-5 guesses as horizontal bars (the true
token's bar in the loss colour). Right: the traced per-token loss −log p as a bar,
scaled to the worst position. Painted with QPainter in one widget (it sits in a
scroll area for long targets); clicking a row emits ``sigRowClicked(t)``.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from visualizer.i18n import tr
from visualizer.panels.loss.loss_data import LossData, LossRow
from visualizer.theme import (
    GRID,
    HIGHLIGHT,
    MUTED,
    PHASE_COLORS,
    TEXT,
    design_font,
    get_scale,
    ui_font,
)
from visualizer.widgets.numbers import percent, significant

ROW_H = 68
LEFT_W = 150
RIGHT_W = 150
LOSS = QColor(PHASE_COLORS["loss"])
GUESS = QColor("#9fb7d9")
SELECTED = QColor("#fff3d1")

STRINGS = {
    "after": {"en": "after “{tok}”", "zh": "接在“{tok}”之后"},
    "rank": {"en": "p = {p} · rank {r}", "zh": "p = {p} · 第 {r} 名"},
    "outside": {"en": "not in the top 5", "zh": "不在前 5 名"},
    "worst": {"en": "largest", "zh": "最大"},
    "prompt": {"en": "prompt: not counted", "zh": "提示：不计入损失"},
}


def row_h() -> float:
    """A row's height on screen at the presentation zoom."""
    return ROW_H * get_scale()


class LossRows(QWidget):
    sigRowClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: LossData | None = None
        self.selected: int | None = None
        self.lang = "en"
        self._font = ui_font(9)
        self._bold = ui_font(11, bold=True)
        self._small = ui_font(8)
        self.setMouseTracking(False)

    def set_data(self, data: LossData | None) -> None:
        self.data = data
        self.setMinimumHeight(self._height())
        self.updateGeometry()
        self.update()

    def set_selected(self, t: int | None) -> None:
        if t != self.selected:
            self.selected = t
            self.update()

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.update()

    def _height(self) -> int:
        return round((len(self.data.rows) if self.data else 0) * row_h() + 2)

    def sizeHint(self) -> QSize:
        return QSize(640, self._height())

    def row_rect(self, t: int) -> QRectF:
        """Row ``t`` in the drawing's design units (the painter scales by the zoom)."""
        return QRectF(0, t * ROW_H, self.width() / get_scale(), ROW_H)

    def row_at(self, y: float) -> int | None:
        n = len(self.data.rows) if self.data else 0
        t = int(y // row_h())
        return t if 0 <= t < n and y >= 0 else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        t = self.row_at(event.position().y())
        if t is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigRowClicked.emit(t)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Drawn at its design size and scaled as a whole by the presentation zoom: rows,
        columns and type grow together (zoomed type in fixed rows overlapped at 150 %)."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        z = get_scale()
        p.scale(z, z)
        self._font, self._bold, self._small = design_font(9), design_font(11, True), design_font(8)
        if self.data:
            for row in self.data.rows:
                self._paint_row(p, row)
        p.end()

    def _paint_row(self, p: QPainter, row: LossRow) -> None:
        assert self.data is not None
        r = self.row_rect(row.t)
        if not row.counted:
            p.fillRect(r, QColor("#f3f3f5"))  # outside the loss: greyed
        if row.t == self.selected:
            p.fillRect(r, SELECTED)
            p.fillRect(QRectF(r.left(), r.top(), 4, r.height()), QColor(HIGHLIGHT))
        p.setPen(QColor(GRID))
        p.drawLine(r.bottomLeft(), r.bottomRight())
        x0, y0 = r.left() + 10, r.top() + 4
        # left: position and true token
        p.setFont(self._small)
        p.setPen(QColor(MUTED))
        ctx = tr(STRINGS["after"], self.lang).format(tok=row.context)
        p.drawText(QRectF(x0, y0, LEFT_W - 12, 14), Qt.AlignmentFlag.AlignLeft, f"t={row.t}  {ctx}")
        p.setFont(self._bold)
        p.setPen(LOSS)
        fm = QFontMetrics(self._bold)
        name = fm.elidedText(row.true_label, Qt.TextElideMode.ElideRight, LEFT_W - 14)
        p.drawText(QRectF(x0, y0 + 15, LEFT_W - 12, 20), Qt.AlignmentFlag.AlignLeft, name)
        p.setFont(self._small)
        p.setPen(QColor(TEXT))
        line = tr(STRINGS["rank"], self.lang).format(p=percent(row.p_true), r=row.rank)
        p.drawText(QRectF(x0, y0 + 36, LEFT_W - 12, 14), Qt.AlignmentFlag.AlignLeft, line)
        if not row.in_top:
            p.setPen(LOSS)
            p.drawText(
                QRectF(x0, y0 + 49, LEFT_W - 12, 14),
                Qt.AlignmentFlag.AlignLeft,
                tr(STRINGS["outside"], self.lang),
            )
        self._paint_top(p, row, QRectF(x0 + LEFT_W, y0, r.width() - LEFT_W - RIGHT_W - 20, 60))
        self._paint_loss(p, row, QRectF(r.right() - RIGHT_W - 4, y0, RIGHT_W - 6, 60))

    def _paint_top(self, p: QPainter, row: LossRow, box: QRectF) -> None:
        p.setFont(self._font)
        fm = QFontMetrics(self._font)
        label_w, pct_w, h = min(90.0, box.width() * 0.3), 62.0, 12.0
        bar_w = max(10.0, box.width() - label_w - pct_w - 8)
        for k, (tid, label, prob) in enumerate(row.top):
            y = box.top() + k * h
            true = tid == row.true_id
            p.setPen(LOSS if true else QColor(TEXT))
            p.setFont(design_font(9, true))
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, int(label_w) - 4)
            p.drawText(
                QRectF(box.left(), y - 1, label_w - 4, h + 2),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            bx = box.left() + label_w
            p.fillRect(QRectF(bx, y + 2, bar_w, h - 3), QColor("#f0f0f3"))
            p.fillRect(QRectF(bx, y + 2, max(1.0, bar_w * prob), h - 3), LOSS if true else GUESS)
            p.setPen(QColor(MUTED))
            p.setFont(self._font)
            p.drawText(
                QRectF(bx + bar_w + 4, y - 1, pct_w, h + 2),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                percent(prob),
            )

    def _paint_loss(self, p: QPainter, row: LossRow, box: QRectF) -> None:
        assert self.data is not None
        scale = self.data.max_loss or 1.0
        p.setFont(self._font)
        if not row.counted:  # a decoder-only model's prompt: graded on the answer only
            p.setPen(QColor(MUTED))
            p.drawText(
                QRectF(box.left(), box.top(), box.width(), 32),
                Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
                tr(STRINGS["prompt"], self.lang),
            )
            return
        p.setPen(QColor(TEXT))
        p.drawText(
            QRectF(box.left(), box.top(), box.width(), 16),
            Qt.AlignmentFlag.AlignLeft,
            f"−log p = {significant(row.loss)}",
        )
        bar = QRectF(box.left(), box.top() + 20, box.width(), 12)
        p.fillRect(bar, QColor("#f6e1da"))
        p.fillRect(QRectF(bar.left(), bar.top(), bar.width() * row.loss / scale, 12), LOSS)
        if row.t == self.data.worst and len(self.data.rows) > 1:
            p.setFont(self._small)
            p.setPen(LOSS)
            p.drawText(
                QRectF(box.left(), box.top() + 36, box.width(), 14),
                Qt.AlignmentFlag.AlignLeft,
                "▲ " + tr(STRINGS["worst"], self.lang),
            )
