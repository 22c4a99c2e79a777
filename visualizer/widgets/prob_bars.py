"""Horizontal probability bars: one row per candidate token (label, bar, percentage).

Painted with QPainter (no child widgets), so a cursor step only swaps the data.
The chosen candidate gets the highlight colour; while the numbers are still being
computed (``pending``) the bars are drawn pale and nothing is highlighted. With
``animate`` the bars grow from their previous lengths in about 200 ms.

Drawn in design units and scaled as a whole by the presentation zoom, as far as the
widget has room (never below 1): zoomed type in rows of fixed height overlapped at
150 %. Fonts are made at paint time in design units (the painter applies the zoom);
the size hint follows the zoom, the minimum does not (the window must fit the screen).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from visualizer.theme import (
    GRID,
    HIGHLIGHT,
    MUTED,
    PHASE_COLORS,
    TEXT,
    design_font,
    fit_scale,
    get_scale,
    ui_font,
)
from visualizer.widgets.numbers import percent

BAR = QColor(PHASE_COLORS["decode"])
PALE = QColor("#b9dcd8")
CHOSEN_ROW = QColor("#fff3d1")
MIN_W, MIN_H = 150, int(5.5 * 21) + 4  # the minimum size (not zoomed)


@dataclass(frozen=True)
class Bar:
    label: str
    prob: float
    chosen: bool = False
    detached: bool = False  # a chosen token outside the top-k: drawn after a "⋮" gap


class ProbBars(QWidget):
    """``set_bars(bars, pending=..., animate=...)``; ``message`` is shown when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.pending = False
        self.message = ""
        self._shown: list[float] = []  # bar lengths being drawn (animated towards probs)
        self._from: list[float] = []
        self._font = ui_font(11)
        self._bold = ui_font(11, bold=True)
        self._anim = QVariantAnimation(self)
        self._anim.setDuration(200)
        self._anim.setStartValue(0.0)
        self._anim.setEndValue(1.0)
        self._anim.valueChanged.connect(self._on_frame)

    def _rows(self) -> float:
        return max(5, len(self.bars)) + sum(b.detached for b in self.bars) * 0.5

    def sizeHint(self) -> QSize:
        z = get_scale()
        return QSize(round(360 * z), round((int(self._rows() * 30) + 4) * z))

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_W, MIN_H)

    def apply_scale(self, _scale: float) -> None:
        """The presentation zoom changed: the size hint and the drawing follow."""
        self.updateGeometry()
        self.update()

    def drawing_scale(self) -> float:
        """The painter's scale: the zoom, or less where the widget has no room for the
        labels, the bars and the percentages (not below 1)."""
        need_h = self._rows() * 18 + 4  # every row at its least design height
        return fit_scale(self.width() / self._need_w(), self.height() / need_h)

    def _need_w(self) -> float:
        """Design width for the widest label, a short bar and the percentage."""
        fm = QFontMetrics(design_font(11, bold=True))
        label = max((fm.horizontalAdvance(b.label) for b in self.bars), default=0)
        return max(float(MIN_W), min(360.0, label + 14 + fm.horizontalAdvance("99.999% ✓") + 60))

    def row_height(self) -> float:
        """A row's height on screen."""
        s = self.drawing_scale()
        return max(18.0, min(32.0, (self.height() / s - 4) / self._rows())) * s

    def set_bars(
        self, bars: Sequence[Bar], pending: bool = False, animate: bool = False, message: str = ""
    ) -> None:
        grew = len(bars) != len(self.bars)
        self.bars, self.pending, self.message = list(bars), pending, message
        if grew:
            self.updateGeometry()
        target = [b.prob for b in self.bars]
        self._anim.stop()
        if animate and self._shown and len(self._shown) == len(target):
            self._from = list(self._shown)
            self._shown = list(self._from)
            self._anim.start()
        else:
            self._shown = target
        self.update()

    def _on_frame(self, k: float) -> None:  # the animation runs from 0.0 to 1.0
        f = float(k)
        self._shown = [a + (b.prob - a) * f for a, b in zip(self._from, self.bars, strict=False)]
        self.update()

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.bars:  # a wrapped message: the zoomed font, no painter scale
            p.setPen(QColor(MUTED))
            p.setFont(ui_font(11))
            p.drawText(
                self.rect().adjusted(8, 8, -8, -8),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )
            return
        scale = self.drawing_scale()
        p.scale(scale, scale)
        self._font, self._bold = design_font(11), design_font(11, bold=True)
        w, h = min(self.width() / scale, 760), self.height() / scale
        row_h = max(18.0, min(32.0, (h - 4) / self._rows()))
        fmb = QFontMetrics(self._bold)
        label_w = min(w * 0.38, max(fmb.horizontalAdvance(b.label) for b in self.bars) + 14)
        pct_w = fmb.horizontalAdvance("99.999% ✓") + 8
        x0, x1 = label_w + 6, max(label_w + 40, w - pct_w)
        y = 2.0
        for bar, shown in zip(self.bars, self._shown, strict=False):
            if bar.detached:
                p.setPen(QColor(MUTED))
                p.setFont(self._font)
                p.drawText(
                    QRectF(0, y, label_w, row_h * 0.5),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    "⋮",
                )
                y += row_h * 0.5
            hi = bar.chosen and not self.pending
            if hi:
                p.fillRect(QRectF(0, y + 1, w, row_h - 2), CHOSEN_ROW)
            font = self._bold if hi else self._font
            p.setFont(self._bold if hi else self._font)
            p.setPen(QColor(TEXT if not self.pending else MUTED))
            label = QFontMetrics(font).elidedText(
                bar.label, Qt.TextElideMode.ElideRight, int(label_w - 8)
            )
            p.drawText(
                QRectF(0, y, label_w - 6, row_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            track = QRectF(x0, y + row_h * 0.2, x1 - x0, row_h * 0.6)
            p.fillRect(track, QColor("#f1f2f4"))
            length = max(0.0, min(1.0, shown)) * track.width()
            if bar.prob > 0:
                length = max(length, 2.0)  # a tiny probability is still a visible sliver
            colour = QColor(HIGHLIGHT) if hi else (PALE if self.pending else BAR)
            p.fillRect(QRectF(track.left(), track.top(), length, track.height()), colour)
            p.setPen(QColor(GRID))
            p.drawRect(track)
            p.setPen(QColor(TEXT if not self.pending else MUTED))
            text = percent(bar.prob) + (" ✓" if hi else "")
            p.drawText(
                QRectF(x1 + 6, y, pct_w, row_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            y += row_h
