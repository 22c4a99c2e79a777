"""Drawing primitives of the neuron figure: pills, circles, arrows, halos, the curve box.

Why a file of its own: the figure's widget decides *what* goes where for a step; these
helpers only know *how* a labelled shape looks, so every label on the figure has one
style (a rounded pill with a coloured border) and the figure file stays readable.

Sizes here are the figure's design pixels and ``font`` points at zoom 1: the figure is
drawn at its design size and scaled as a whole to the room it has (``NeuronFigure``),
so at a projector's zoom its labels grow with the drawing instead of into each other.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF

from visualizer.theme import GRID, MUTED, PANEL, TEXT, design_font

POS = QColor("#b2182b")  # positive weight: the diverging map's red end
NEG = QColor("#2166ac")  # negative weight: its blue end


def weight_color(w: float, alpha_floor: float = 0.35) -> QColor:
    c = QColor(POS if w >= 0 else NEG)
    c.setAlphaF(alpha_floor + (1 - alpha_floor) * min(1.0, abs(w) / 3.0) if math.isfinite(w) else 1)
    return c


def weight_width(w: float) -> float:
    return 1.5 + 2.5 * min(abs(w), 3.0) if math.isfinite(w) else 9.0


font = design_font  # the figure's own scale applies the presentation zoom


Lines = str | list[tuple[str, str | QColor]]


def pill(
    p: QPainter,
    center: QPointF,
    text: Lines,
    color: str | QColor = TEXT,
    face: QFont | None = None,
    border: str | QColor | None = None,
    fill: str | QColor = PANEL,
    bold: bool = False,
) -> QRectF:
    """A rounded label centred on ``center``; ``text`` is one string in ``color`` or a list
    of (line, colour) pairs. Returns its rect."""
    face = face or font(10, bold)
    fm = QFontMetrics(face)
    lines = [(s, color) for s in text.split("\n")] if isinstance(text, str) else text
    w = max(fm.horizontalAdvance(s) for s, _ in lines) + 14
    lh = fm.height()
    r = QRectF(center.x() - w / 2, center.y() - (lh * len(lines) + 6) / 2, w, lh * len(lines) + 6)
    p.setPen(QPen(QColor(border or GRID), 1.4 if border else 1.0))
    p.setBrush(QColor(fill))
    p.drawRoundedRect(r, 7, 7)
    p.setFont(face)
    for k, (line, c) in enumerate(lines):
        p.setPen(QColor(c))
        p.drawText(
            QRectF(r.left(), r.top() + 3 + k * lh, w, lh), Qt.AlignmentFlag.AlignCenter, line
        )
    return r


def halo(p: QPainter, rect: QRectF, color: str, alpha: float, round_: bool = False) -> None:
    """The "this is the current step" glow: a thick translucent outline around ``rect``."""
    if alpha <= 0:
        return
    c = QColor(color)
    if alpha < 1:  # only while fading in: translucent wide strokes are slow to paint
        c.setAlphaF(alpha)
    p.setPen(QPen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    r = rect.adjusted(-4, -4, 4, 4)
    if round_:
        p.drawEllipse(r)
    else:
        p.drawRoundedRect(r, 10, 10)


def circle(
    p: QPainter, c: QPointF, r: float, text: str, sub: str = "", active: bool = True
) -> QRectF:
    """A node: value ``text`` in the middle, ``sub`` (smaller) under it."""
    rect = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)
    p.setPen(QPen(QColor(TEXT if active else GRID), 2))
    p.setBrush(QColor(PANEL))
    p.drawEllipse(rect)
    p.setPen(QColor(TEXT if active else MUTED))
    room = 2 * r - 8  # the chord a label may use
    if sub:
        p.setFont(font(15, True))
        p.drawText(rect.adjusted(0, 0, 0, -r * 0.55), Qt.AlignmentFlag.AlignCenter, text)
        p.setFont(_fitted(sub, room * 0.9, 10, False))
        p.drawText(rect.adjusted(0, r * 0.7, 0, 0), Qt.AlignmentFlag.AlignCenter, sub)
    else:
        p.setFont(_fitted(text, room, 12, True))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect


def _fitted(text: str, width: float, size: int, bold: bool) -> QFont:
    """The largest font up to ``size`` points in which ``text`` fits ``width`` pixels
    (a diverging run's −6.69e+11 must still fit its circle)."""
    face = font(size, bold)
    while size > 6 and QFontMetrics(face).horizontalAdvance(text) > width:
        size -= 1
        face = font(size, bold)
    return face


def arrow(
    p: QPainter, a: QPointF, b: QPointF, color: str | QColor = MUTED, width: float = 2
) -> None:
    p.setPen(QPen(QColor(color), width))
    p.drawLine(a, b)
    ang = math.atan2(b.y() - a.y(), b.x() - a.x())
    head = QPolygonF(
        [
            b,
            QPointF(b.x() - 10 * math.cos(ang - 0.4), b.y() - 10 * math.sin(ang - 0.4)),
            QPointF(b.x() - 10 * math.cos(ang + 0.4), b.y() - 10 * math.sin(ang + 0.4)),
        ]
    )
    p.setBrush(QColor(color))
    p.drawPolygon(head)


def curve_box(
    p: QPainter,
    rect: QRectF,
    xs: np.ndarray,
    ys: np.ndarray,
    point: tuple[float, float] | None,
    slope: float | None,
    mark: str,
    slope_color: str,
) -> None:
    """The activation's shape in ``rect``: axes through 0, the curve, the current (s, z) and,
    during the backward pass, the tangent whose slope f′(s) scales the gradient."""
    p.save()
    p.setClipRect(rect.adjusted(1, 1, -1, -1))
    _curve(p, rect, xs, ys, point, slope, mark, slope_color)
    p.restore()
    p.setPen(QPen(QColor(TEXT), 1.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(rect, 8, 8)


def _curve(
    p: QPainter,
    rect: QRectF,
    xs: np.ndarray,
    ys: np.ndarray,
    point: tuple[float, float] | None,
    slope: float | None,
    mark: str,
    slope_color: str,
) -> None:
    p.setPen(QPen(QColor(TEXT), 1.5))
    p.setBrush(QColor(PANEL))
    p.drawRoundedRect(rect, 8, 8)
    inner = rect.adjusted(10, 10, -10, -10)
    ok = np.isfinite(ys)
    lo, hi = (float(ys[ok].min()), float(ys[ok].max())) if ok.any() else (-1.0, 1.0)
    if point is not None and math.isfinite(point[1]):
        lo, hi = min(lo, point[1]), max(hi, point[1])
    lo, hi = (
        (lo - 0.5, hi + 0.5) if hi - lo < 1e-6 else (lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
    )
    x0, x1 = float(xs[0]), float(xs[-1])

    def at(x: float, y: float) -> QPointF:
        return QPointF(
            inner.left() + (x - x0) / (x1 - x0) * inner.width(),
            inner.bottom() - (y - lo) / (hi - lo) * inner.height(),
        )

    p.setPen(QPen(QColor(GRID), 1))
    if lo < 0 < hi:
        p.drawLine(at(x0, 0), at(x1, 0))
    p.drawLine(at(0, lo), at(0, hi))
    path = QPainterPath()
    for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
        path.moveTo(at(x, y)) if k == 0 else path.lineTo(at(x, y))
    p.setPen(QPen(QColor(TEXT), 2.2))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    if point is None or not all(math.isfinite(v) for v in point):
        return
    sx = min(max(point[0], x0), x1)
    pt = at(sx, point[1])
    if slope is not None and math.isfinite(slope):
        d = 0.18 * (x1 - x0)
        p.setPen(QPen(QColor(slope_color), 2, Qt.PenStyle.DashLine))
        p.drawLine(at(sx - d, point[1] - slope * d), at(sx + d, point[1] + slope * d))
    p.setPen(QPen(QColor(TEXT), 1.5))
    p.setBrush(QColor(mark))
    p.drawEllipse(pt, 6, 6)
