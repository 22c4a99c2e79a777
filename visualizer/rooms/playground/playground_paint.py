"""Painting the network: links by weight (or gradient, or change), neurons as pictures,
the values of the stepped iteration beside them.

Widths and colours are computed per layer with NumPy (the links themselves are drawn
into cached per-layer images by ``playground_links``). Links of columns the current
step has not reached are faded, so the forward pass lights up left to right and the
backward pass right to left.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen

from visualizer.rooms.playground.playground_colors import CLASS_COLORS, GRAD_LUT, WEIGHT_LUT, colors
from visualizer.rooms.playground.playground_frame import Frame
from visualizer.rooms.playground.playground_geometry import Geometry, Link
from visualizer.rooms.playground.playground_text import t
from visualizer.theme import GRID, HIGHLIGHT, MUTED, PHASE_COLORS, TEXT, ui_font

FADED = 55  # alpha of links and overlay strength of columns not reached yet


def fmt(v: float) -> str:
    if v != 0 and abs(v) < 0.01:
        return f"{v:.1e}".replace("e-0", "e-")
    return f"{v:.2f}"


def link_style(
    frame: Frame, layer: str, weights: np.ndarray, max_width: float = 7.0
) -> tuple[np.ndarray, np.ndarray, float]:
    """Per link (dst-major, like the geometry): widths, RGBA colours, and the alpha.
    Widths grow with |w| up to ``max_width`` at |w| = 4 (thinner in a dense network)."""
    mode = frame.link_mode.get(layer)
    if mode is None:
        rgba = colors(weights, 1.0, WEIGHT_LUT)
        widths = 0.6 + (max_width - 0.6) / 4.0 * np.minimum(np.abs(weights), 4.0)
    else:
        values = frame.link_values[layer]
        scale = float(np.abs(values).max()) or 1.0
        rgba = colors(values, scale, GRAD_LUT)
        widths = 0.8 + (max_width - 1.0) * np.abs(values) / scale  # the largest one widest
    alpha = 235.0 if layer in frame.lit else FADED
    if frame.phase == "update" and mode == "grad":
        alpha = 90.0  # gradients waiting for their update step stay in the background
    return widths.reshape(-1), rgba.reshape(-1, 4), alpha


def paint_hover(p: QPainter, hover: Link | None) -> None:
    if hover is not None:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor(HIGHLIGHT), 2.0, Qt.PenStyle.DashLine))
        p.drawPath(hover.path)


def paint_nodes(p: QPainter, geo: Geometry, frame: Frame, images: dict[str, list]) -> None:
    phase_color = QColor(PHASE_COLORS.get(frame.phase or "", HIGHLIGHT))
    if frame.current in geo.nodes:
        band = QColor(phase_color)
        band.setAlpha(38)
        p.setPen(QPen(phase_color, 1.5))
        p.setBrush(band)
        p.drawRoundedRect(geo.column_rect(frame.current, geo.size * 0.22), 10, 10)
    for col, rects in geo.nodes.items():
        imgs = images.get(col, [])
        lit = col in frame.lit
        for i, r in enumerate(rects):
            if i < len(imgs):
                p.drawImage(r.topLeft(), imgs[i])
            if not lit:
                p.fillRect(r, QColor(255, 255, 255, 200 - FADED))
            current = col == frame.current
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(phase_color if current else QColor(GRID), 2.5 if current else 1.0))
            p.drawRect(r)


def paint_values(p: QPainter, geo: Geometry, frame: Frame) -> None:
    """Each neuron's number for the highlighted point, in a tag below its picture
    (blue: a value of the forward pass, purple: a gradient, orange: a change)."""
    p.setFont(ui_font(8))
    fm = QFontMetricsF(p.font())
    kind_color = {
        "value": PHASE_COLORS["forward"],
        "prob": PHASE_COLORS["forward"],
        "grad": PHASE_COLORS["backward"],
        "update": PHASE_COLORS["update"],
    }
    for col, values in frame.values.items():
        kind = frame.value_kind.get(col, "value")
        color = QColor(kind_color[kind])
        for r, v in zip(geo.nodes.get(col, []), np.atleast_1d(values), strict=False):
            text = f"{round(100 * float(v))} %" if kind == "prob" else fmt(float(v))
            if kind == "grad":
                text = "∂" + text
            elif kind == "update":
                text = "Δb " + text
            w, h = fm.horizontalAdvance(text) + 8, fm.height() + 2
            tag = QRectF(r.center().x() - w / 2, r.bottom() + 2, w, h)
            p.setPen(QPen(color, 1.2))
            p.setBrush(QColor(255, 255, 255, 235))
            p.drawRoundedRect(tag, 4, 4)
            p.setPen(color)
            p.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)


def paint_sides(
    p: QPainter, geo: Geometry, frame: Frame, features: list[str], classes: list[str]
) -> None:
    """Feature names left of the inputs; class colour and name right of the outputs."""
    p.setFont(ui_font(9))
    p.setPen(QColor(TEXT))
    for r, name in zip(geo.nodes.get("input", []), features, strict=False):
        box = QRectF(4, r.top(), r.left() - 12, r.height())
        p.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
    out = geo.nodes.get("out", [])
    for k, (r, name) in enumerate(zip(out, classes, strict=False)):
        color = QColor(CLASS_COLORS[k % len(CLASS_COLORS)])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(color))
        p.drawEllipse(QPointF(r.right() + 14, r.center().y()), 6, 6)
        p.setPen(QColor(TEXT))
        box = QRectF(r.right() + 26, r.top(), geo.right_margin - 26, r.height())
        p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        if frame.target == k:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(PHASE_COLORS["loss"]), 2.5, Qt.PenStyle.DashLine))
            p.drawRect(r.adjusted(-5, -5, 5, 5))


def paint_loss(p: QPainter, geo: Geometry, frame: Frame, label: str) -> None:
    if frame.loss is None or "out" not in geo.nodes:
        return
    r = geo.column_rect("out", 6)
    p.setFont(ui_font(10, bold=True))
    text = f"{label} = {frame.loss:.3f}"
    w = QFontMetricsF(p.font()).horizontalAdvance(text) + 16
    box = QRectF(r.center().x() - w / 2, r.bottom() + 28, w, 24)
    color = QColor(PHASE_COLORS["loss"])
    p.setPen(QPen(color, 1.5))
    p.setBrush(QColor(255, 255, 255, 240))
    p.drawRoundedRect(box, 6, 6)
    p.setPen(color)
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def paint_legend(p: QPainter, x: float, y: float, items: list[tuple[np.ndarray, str]]) -> None:
    """Small colour bars (− … +) with a caption each, left to right from (x, y)."""
    p.setFont(ui_font(8))
    fm = QFontMetricsF(p.font())
    for lut, caption in items:
        for i in range(24):
            c = lut[int(i * 255 / 23)]
            p.fillRect(QRectF(x + i * 2.5, y, 2.6, 10), QColor(int(c[0]), int(c[1]), int(c[2])))
        p.setPen(QColor(MUTED))
        p.drawText(QPointF(x - 9, y + 9), "−")
        p.drawText(QPointF(x + 62, y + 9), "+")
        p.drawText(QPointF(x + 74, y + 9), caption)
        x += 90 + fm.horizontalAdvance(caption)


def column_title(col: str, lang: str) -> str:
    """ui name of a column: "Input", "layer 2" / "第 2 层", "Output"."""
    if col in ("input", "out"):
        return t("input" if col == "input" else "output", lang)
    return t("layer_n", lang).format(n=col[1:])


def link_hint(frame: Frame, link: Link, lang: str) -> str:
    """ "layer 1 #2 → layer 2 #1:  w = 0.5312", with "before → after" once a stepped
    update moved it."""
    cols = frame.columns
    src = column_title(cols[cols.index(link.layer) - 1], lang)
    dst = column_title(link.layer, lang)
    w = f"{float(frame.weights[link.layer][link.dst, link.src]):.4f}"
    if link.layer in frame.before:
        old = f"{float(frame.before[link.layer][link.dst, link.src]):.4f}"
        w = w if old == w else f"{old} → {w}"
    return f"{src} #{link.src + 1} → {dst} #{link.dst + 1}:  w = {w}"
