"""Drawing the head view's lines: which links to draw, and rasterising them once.

Antialiased translucent lines are slow to rasterise (about 0.1 ms for a long one),
so ``plan_links`` keeps what can be seen (weight ≥ 1 %; faded links too faint to
see are skipped) and, beyond ``MAX_LINES``, only the strongest links, saying how
many of how many. ``render_lines`` paints the plan into a transparent image, one
pen per weight bin, which the widget keeps until something changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QLineF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPen

from visualizer.theme import get_scale, head_color

MIN_WEIGHT = 0.01  # links below this are not drawn (exact zeros: masked positions)
MAX_LINES = 1000  # beyond this many links only the strongest are drawn
FADED = 0.07  # opacity factor of the lines not belonging to a hovered token
BINS = 32  # pen widths / opacities: lines are drawn in batches, one per bin


def alpha(w: np.ndarray | float, fade: float = 1.0) -> np.ndarray | float:
    """Opacity of a line of weight ``w`` (0.1 for the faintest drawn, 1 for weight 1)."""
    return np.minimum(1.0, (0.1 + 0.9 * np.asarray(w)) * fade)


def plan_links(
    weights: np.ndarray, heads: Sequence[int], active: np.ndarray, hovering: bool
) -> tuple[np.ndarray, tuple[int, int]]:
    """(H, Tq, Tk) bool of the links to draw, and (drawn, links ≥ 1 %) for the caption.

    ``active`` (Tq, Tk) marks the hovered token's links (all of them when not
    hovering); those are always drawn, the budget only thins the others.
    """
    shown = np.zeros(weights.shape[0], bool)
    shown[list(heads)] = True
    plan = (weights >= MIN_WEIGHT) & shown[:, None, None]
    total = int(plan.sum())
    rest = plan & ~active[None] if hovering else plan.copy()
    if hovering:
        rest &= alpha(weights, FADED) > 0.012
        plan &= active[None] | rest
    n = int(rest.sum())
    if n <= MAX_LINES:
        return plan, (total, total)
    cutoff = np.partition(weights[rest], n - MAX_LINES)[n - MAX_LINES]
    plan &= ~rest | (weights >= cutoff)
    return plan, (int(plan.sum()), total)


def render_lines(
    size: QSize,
    ratio: float,
    weights: np.ndarray,
    heads: Sequence[int],
    plan: np.ndarray,
    active: np.ndarray,
    yq: Sequence[float],
    yk: Sequence[float],
    geometry: tuple[float, float, float],
    scale: float = 1.0,
) -> QImage:
    """The planned links as lines from (x1, yq[q]) to (x2, yk[k]); each head's lines
    are shifted by ``spread`` so heads stay apart. ``geometry`` is (x1, x2, spread) in
    design units, which ``scale`` maps to the image's pixels (pen widths stay as on
    screen)."""
    x1, x2, spread = geometry
    img = QImage(size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(ratio)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(scale, scale)
    for active_pass in (False, True):  # faded lines first, isolated ones on top
        fade = 1.0 if active_pass else FADED
        for slot, h in enumerate(heads):
            dy = (slot - (len(heads) - 1) / 2) * spread
            bins = np.rint(weights[h] * BINS).astype(np.int32)
            drawn = plan[h] & (active == active_pass)
            for b in np.unique(bins[drawn]).tolist():
                x = b / BINS
                colour = head_color(h)
                colour.setAlphaF(float(alpha(x, fade)))
                width = (0.6 + 5.0 * x) * get_scale() / scale  # thicker on a projector
                p.setPen(QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
                qs, ks = np.nonzero(drawn & (bins == b))
                p.drawLines(
                    [
                        QLineF(x1, yq[q] + dy, x2, yk[k] + dy)
                        for q, k in zip(qs.tolist(), ks.tolist(), strict=True)
                    ]
                )
    p.end()
    return img
