"""Small pieces of the heatmap: value → colour, thinned axis labels, outline rectangles.

Kept apart from ``heatmap.py`` so the widget stays readable; all of it is plain
NumPy / pyqtgraph with no state of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from visualizer.widgets.cell_text import power_of_ten
from visualizer.widgets.color_bar import LUTS, MASKED_RGB

IDS_RGB = (234, 240, 248)  # token ids: one plain fill, the id written in
LABEL_CHARS = 12  # longer row/column labels are elided
NICE_STEPS = (2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128, 200, 256, 500, 512, 1000, 1024)


def elide(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def colorize(v: np.ndarray, lo: float, hi: float, mode: str) -> np.ndarray:
    """RGBA per cell. Mapped here rather than by a lookup table in pyqtgraph so that
    -inf (a masked score) gets its own grey instead of the clipped blue end."""
    if mode == "ids":
        rgba = np.empty((*v.shape, 4), np.uint8)
        rgba[...] = (*IDS_RGB, 255)
        return rgba
    lut = LUTS.get(mode, LUTS["diverging"])
    idx = np.clip((np.nan_to_num(v, nan=0.0, neginf=lo, posinf=hi) - lo) / (hi - lo), 0, 1)
    rgba = lut[(idx * (len(lut) - 1)).astype(np.int32)]
    rgba[~np.isfinite(v), :3] = MASKED_RGB
    return rgba


def with_power(title: str, exponent: int) -> str:
    """The title, noting the common power of ten the cell numbers are written in."""
    if not exponent:
        return title
    note = power_of_ten(exponent)
    if "<" in title:  # rich text: keep the note unobtrusive
        return f"{title}&nbsp;&nbsp;<span style='font-weight:normal'>({note})</span>"
    return f"{title}   ({note})"


def is_words(labels: list[str]) -> bool:
    """Labels that are tokens, not plain indices."""
    return any(not s.lstrip("-").isdigit() for s in labels)


def thin(
    labels: list[str],
    need: float,
    have: float,
    keep: int | Sequence[int] | None = None,
    indexed: bool = False,
) -> list[list[tuple[float, str]]]:
    """Tick labels at cell centres, every k-th one (k a round number) when a label needs
    ``need`` pixels and a cell has ``have``; index 0 and ``keep`` are always labelled.
    ``indexed``: thinned labels read "index:token", so none seems to name its neighbour."""
    step = max(1, int(np.ceil(need / max(have, 1e-6))))
    if step > 1:
        step = next((s for s in NICE_STEPS if s >= step), step)
    shown = list(range(0, len(labels), step))
    kept = [] if keep is None else [keep] if isinstance(keep, int) else list(keep)
    kept = [k for k in kept if 0 <= k < len(labels)]
    if kept and step > 1:
        picked: set[int] = set()
        for k in kept:  # the kept labels first, then the regular ones that do not collide
            if all(abs(k - j) >= step for j in picked):
                picked.add(k)
        picked |= {i for i in shown if all(abs(i - j) >= step for j in picked)}
        if 0 not in picked and all(j >= step for j in picked):
            picked.add(0)
        shown = sorted(picked)

    def name(i: int) -> str:
        return f"{i}:{elide(labels[i])}" if indexed and step > 1 else elide(labels[i])

    return [[(i + 0.5, name(i)) for i in shown]]


class QtRect(pg.QtWidgets.QGraphicsRectItem):
    """An outline (optionally lightly filled) drawn with a cosmetic pen."""

    def __init__(self, color: str, width: float, fill: bool = False) -> None:
        super().__init__(QRectF(0, 0, 1, 1))
        self.setPen(pg.mkPen(color, width=width, cosmetic=True))
        if fill:
            c = pg.mkColor(color)
            c.setAlpha(40)
            self.setBrush(pg.mkBrush(c))
        self.setZValue(10)
        self.setVisible(False)
