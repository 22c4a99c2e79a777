"""The tokens generated so far, as clickable chips that wrap onto more lines.

Each chip shows a token and, below it, the probability it was chosen with. Kinds:
``bos`` (the start token), ``done`` (generated earlier), ``current`` (generated at
the cursor's decoding step), ``pending`` (being computed: "?"), ``eos`` and
``note`` (plain text, e.g. "waiting for the encoder"). Painted, not child widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.theme import HIGHLIGHT, MUTED, PHASE_COLORS, TEXT, ui_font

GAP, PAD, LINE_GAP = 6, 9, 6
STYLE = {  # kind -> (fill, border, text)
    "bos": ("#ececf0", "#c7c7cc", MUTED),
    "eos": ("#ececf0", "#c7c7cc", MUTED),
    "done": ("#ffffff", PHASE_COLORS["decode"], TEXT),
    "current": (HIGHLIGHT, "#d98e04", TEXT),
    "pending": ("#fffaf0", "#d98e04", "#d98e04"),
}


@dataclass(frozen=True)
class Chip:
    text: str
    sub: str = ""
    kind: str = "done"
    clickable: bool = True


class TokenStrip(QWidget):
    sigChipClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[Chip] = []
        self._rects: list[QRectF] = []
        self._font = ui_font(13, bold=True)
        self._small = ui_font(8)
        sp = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)
        self.setMouseTracking(True)

    def set_chips(self, chips: Sequence[Chip]) -> None:
        self.chips = list(chips)
        self._rects = self._layout(self.width())
        self.updateGeometry()
        self.update()

    # -- geometry --------------------------------------------------------------------
    def _chip_h(self) -> float:
        return QFontMetrics(self._font).height() + QFontMetrics(self._small).height() + 8

    def _layout(self, width: int) -> list[QRectF]:
        fm, fs = QFontMetrics(self._font), QFontMetrics(self._small)
        h = self._chip_h()
        x, y, rects = 2.0, 2.0, []
        for c in self.chips:
            if c.kind == "note":
                w = QFontMetrics(ui_font(10)).horizontalAdvance(c.text) + 8
            else:
                w = max(fm.horizontalAdvance(c.text), fs.horizontalAdvance(c.sub), 16) + 2 * PAD
            if x > 2 and x + w > width - 2:
                x, y = 2.0, y + h + LINE_GAP
            rects.append(QRectF(x, y, w, h))
            x += w + GAP
        return rects

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rects = self._layout(width)
        return int((rects[-1].bottom() if rects else self._chip_h()) + 4)

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(max(200, self.width())))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, int(self._chip_h()) + 4)

    def resizeEvent(self, event: object) -> None:
        self._rects = self._layout(self.width())
        self.updateGeometry()

    def chip_at(self, x: float, y: float) -> int | None:
        for i, r in enumerate(self._rects):
            if r.contains(x, y) and self.chips[i].clickable:
                return i
        return None

    # -- events ----------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        i = self.chip_at(pos.x(), pos.y())
        if i is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigChipClicked.emit(i)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        hit = self.chip_at(pos.x(), pos.y()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if len(self._rects) != len(self.chips):
            self._rects = self._layout(self.width())
        fs_h = QFontMetrics(self._small).height()
        for chip, r in zip(self.chips, self._rects, strict=True):
            if chip.kind == "note":
                p.setFont(ui_font(10))
                p.setPen(QColor(MUTED))
                p.drawText(r, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, chip.text)
                continue
            fill, border, text = STYLE.get(chip.kind, STYLE["done"])
            pen = QPen(QColor(border), 1.6)
            if chip.kind == "pending":
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(QColor(fill))
            p.drawRoundedRect(r.adjusted(0.8, 0.8, -0.8, -0.8), 6, 6)
            p.setPen(QColor(text))
            p.setFont(self._font)
            top = r.adjusted(0, 3, 0, -fs_h - 2) if chip.sub else r
            p.drawText(top, Qt.AlignmentFlag.AlignCenter, chip.text)
            if chip.sub:
                p.setFont(self._small)
                p.setPen(QColor(MUTED if chip.kind != "current" else TEXT))
                p.drawText(
                    QRectF(r.left(), r.bottom() - fs_h - 3, r.width(), fs_h),
                    Qt.AlignmentFlag.AlignCenter,
                    chip.sub,
                )
