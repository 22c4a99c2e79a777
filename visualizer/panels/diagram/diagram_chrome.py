"""The diagram's surroundings: the header (phase, decoding step, sentence so far), the
token chips under each stack, and the current-step highlight."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from visualizer import theme
from visualizer.panels.diagram.diagram_layout import Rect

if TYPE_CHECKING:
    from visualizer.panels.diagram.diagram_frame import Scene


def font(px: float, bold: bool = False) -> QFont:
    """A shared font of a pixel size (do not modify the returned font)."""
    return _font(max(7, round(px)), bold)


@functools.lru_cache(maxsize=64)
def _font(px: int, bold: bool) -> QFont:
    f = theme.ui_font(10, bold)
    f.setPixelSize(px)
    return f


@functools.lru_cache(maxsize=4096)
def fit(text: str, width: float, px: float, bold: bool, least: int = 8) -> tuple[QFont, str]:
    """The largest font (px down to ``least``) that fits ``text`` in ``width``, and the
    text elided if even that is too wide ("" when ``least`` > 8 and it does not fit)."""
    size = max(7, round(px))
    fm = QFontMetricsF(font(size, bold))
    if fm.horizontalAdvance(text) > width + 4 and least > 8:
        return font(size, bold), ""
    while fm.horizontalAdvance(text) > width and size > least:
        size -= 1
        fm = QFontMetricsF(font(size, bold))
    return font(size, bold), fm.elidedText(text, Qt.TextElideMode.ElideRight, width + 2)


def qr(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


def header(p: QPainter, r: Rect, sc: Scene, px: float) -> None:
    f = font(px * 0.95, True)
    fm = QFontMetricsF(f)
    chip_w = fm.horizontalAdvance(sc.phase_text) + 14
    line = r.h / 2
    chip = QRectF(r.x, r.y + 2, chip_w, line - 4)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(theme.PHASE_COLORS.get(sc.phase, theme.MUTED)))
    p.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
    p.setFont(f)
    p.setPen(QColor("white"))
    p.drawText(chip, Qt.AlignmentFlag.AlignCenter, sc.phase_text)
    p.setPen(QColor(theme.TEXT))
    title = QRectF(chip.right() + 8, r.y, r.w - chip_w - 8, line)
    p.drawText(
        title,
        Qt.AlignmentFlag.AlignVCenter,
        fm.elidedText(sc.title, Qt.TextElideMode.ElideRight, title.width()),
    )
    f2 = font(px * 1.25, True)
    p.setFont(f2)
    fm2 = QFontMetricsF(f2)
    tail = f" ▸ {sc.sentence_next}" if sc.sentence_next else ""
    tail_w = fm2.horizontalAdvance(tail)
    body = fm2.elidedText(sc.sentence, Qt.TextElideMode.ElideLeft, r.w - tail_w)
    y = r.y + line
    p.drawText(QRectF(r.x, y, r.w, line), Qt.AlignmentFlag.AlignVCenter, body)
    if tail:
        x = r.x + fm2.horizontalAdvance(body)
        p.setPen(QColor("#c27c00"))
        p.drawText(QRectF(x, y, tail_w + 4, line), Qt.AlignmentFlag.AlignVCenter, tail)


def chips(p: QPainter, r: Rect, tokens: list[str], caption: str, px: float, unit: float) -> None:
    f = font(px)
    fm = QFontMetricsF(f)
    ch = round(unit * 0.72)
    tokens = shown_tokens(tokens, r.w, lambda t: fm.horizontalAdvance(t) + 10)
    widths = [fm.horizontalAdvance(t) + 10 for t in tokens]
    rows = pack(widths, r.w)
    p.setFont(f)
    y = r.y
    for k, row in enumerate(rows):
        total = sum(widths[i] + 3 for i in row) - 3
        x = r.cx - total / 2
        y = r.y + 2 + k * (ch + 3)
        for i in row:
            chip = QRectF(x, y, widths[i], ch)
            p.setPen(QPen(QColor("#c9c9d0"), 1.0))
            p.setBrush(QColor("#ffffff"))
            p.drawRoundedRect(chip, 4, 4)
            p.setPen(QColor(theme.TEXT))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, tokens[i])
            x += widths[i] + 3
    p.setFont(font(px * 0.92))
    p.setPen(QColor(theme.MUTED))
    p.drawText(QRectF(r.x, y + ch + 2, r.w, fm.height()), Qt.AlignmentFlag.AlignHCenter, caption)


def pack(widths: list[float], width: float) -> list[list[int]]:
    """Chip indices per row, filling rows left to right."""
    rows: list[list[int]] = [[]]
    x = 0.0
    for i, w in enumerate(widths):
        if rows[-1] and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append(i)
        x += w + 3
    return rows


def shown_tokens(tokens: list[str], width: float, chip_w: Callable[[str], float]) -> list[str]:
    """The tokens that fit two rows of chips; when they do not all fit, the first ones
    and a final "… +N" chip counting the rest."""
    if len(pack([chip_w(t) for t in tokens], width)) <= 2:
        return tokens
    for k in range(len(tokens) - 1, 0, -1):
        shown = [*tokens[:k], f"… +{len(tokens) - k}"]
        if len(pack([chip_w(t) for t in shown], width)) <= 2:
            return shown
    return [f"… +{len(tokens)}"]


def glow(p: QPainter, r: Rect, alpha: float = 1.0) -> None:
    c = QColor(theme.HIGHLIGHT)
    rr = qr(r).adjusted(-3, -3, 3, 3)
    p.setBrush(Qt.BrushStyle.NoBrush)
    c.setAlphaF(0.28 * alpha)
    p.setPen(QPen(c, 7))
    p.drawRoundedRect(rr, 9, 9)
    c.setAlphaF(alpha)
    p.setPen(QPen(c, 2.6))
    p.drawRoundedRect(rr, 9, 9)
