"""Where the network canvas puts each neuron and link, for a size and an architecture.

Computed once per resize or architecture change (never per frame): node squares per
column, one cubic curve per link (as a ready QPainterPath) and the curve sampled as
points, so a click finds its link with one NumPy distance query.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

MARGIN_L, MARGIN_R = 118, 128  # room for feature names and class names (at zoom 1)
MARGIN_T, MARGIN_B = 92, 44  # layer controls above, legend below (at zoom 1)
SAMPLES = 33


@dataclass(frozen=True)
class Link:
    layer: str  # the layer the link feeds ("l1" … "out")
    src: int
    dst: int
    path: QPainterPath


class Geometry:
    """``zoom``: the presentation zoom, which the header and the legend grow by;
    ``sides``: the left and right margins the feature and class names need (at least
    ``MARGIN_L`` and ``MARGIN_R``)."""

    def __init__(
        self,
        width: int,
        height: int,
        columns: list[str],
        sizes: list[int],
        zoom: float = 1.0,
        sides: tuple[int, int] = (0, 0),
    ) -> None:
        self.columns, self.sizes = columns, sizes
        n_cols = len(columns)
        left, right = max(MARGIN_L, sides[0]), max(MARGIN_R, sides[1])
        top, bottom = round(MARGIN_T * zoom), round(MARGIN_B * zoom)
        self.right_margin = right
        area_w = max(100, width - left - right)
        area_h = max(100, height - top - bottom)
        pitch_x = area_w / max(1, n_cols - 1)
        rows = max(5, *sizes)  # a narrow network gets bigger pictures
        self.size = float(round(np.clip(min(area_h / rows * 0.72, pitch_x * 0.42), 22, 72)))
        self.pitch_y = min(area_h / rows, self.size + 24)  # room for a value tag below
        s = self.size
        self.xs = [left + s / 2 + i * (area_w - s) / max(1, n_cols - 1) for i in range(n_cols)]
        mid = top + area_h / 2
        self.nodes: dict[str, list[QRectF]] = {}
        for col, x, n in zip(columns, self.xs, sizes, strict=True):
            first = mid - (n - 1) * self.pitch_y / 2
            self.nodes[col] = [  # whole pixels: the pictures are blitted, not scaled
                QRectF(round(x - s / 2), round(first + i * self.pitch_y - s / 2), s, s)
                for i in range(n)
            ]
        self.height = height
        self.max_width = float(np.clip(self.size / 8, 2.5, 7.0))  # of a link, in pixels
        self.top = top
        self.bottom = top + area_h
        self.links: dict[str, list[Link]] = {}
        self.ends: dict[str, np.ndarray] = {}  # layer → (links, 4) curve end points
        samples: list[np.ndarray] = []
        self.flat: list[Link] = []
        ts = np.linspace(0.0, 1.0, SAMPLES)[:, None]
        for prev, col in itertools.pairwise(columns):
            self.links[col] = []
            ends: list[tuple[float, ...]] = []
            for dst, b in enumerate(self.nodes[col]):
                for src, a in enumerate(self.nodes[prev]):
                    p0 = np.array([a.right(), a.center().y()])
                    p3 = np.array([b.left(), b.center().y()])
                    mx = (p0[0] + p3[0]) / 2
                    p1, p2 = np.array([mx, p0[1]]), np.array([mx, p3[1]])
                    path = QPainterPath(QPointF(*p0))
                    path.cubicTo(QPointF(*p1), QPointF(*p2), QPointF(*p3))
                    link = Link(col, src, dst, path)
                    self.links[col].append(link)
                    self.flat.append(link)
                    u = 1 - ts
                    samples.append(u**3 * p0 + 3 * u**2 * ts * p1 + 3 * u * ts**2 * p2 + ts**3 * p3)
                    ends.append((*p0, *p3))
            self.ends[col] = np.array(ends, np.float64).reshape(-1, 4)  # x0, y0, x3, y3
        self._samples = np.stack(samples) if samples else np.zeros((0, SAMPLES, 2))

    def column_rect(self, col: str, pad: float = 8.0) -> QRectF:
        nodes = self.nodes[col]
        r = QRectF(nodes[0]).united(nodes[-1])
        return r.adjusted(-pad, -pad, pad, pad)

    def node_at(self, x: float, y: float) -> tuple[str, int] | None:
        for col, rects in self.nodes.items():
            for i, r in enumerate(rects):
                if r.contains(QPointF(x, y)):
                    return col, i
        return None

    def link_at(self, x: float, y: float, tolerance: float = 5.0) -> Link | None:
        """The link whose curve passes nearest the point, within ``tolerance`` pixels."""
        if not len(self._samples) or self.node_at(x, y):
            return None
        d = np.hypot(self._samples[..., 0] - x, self._samples[..., 1] - y).min(1)  # (links,)
        i = int(d.argmin())
        return self.flat[i] if d[i] <= tolerance else None
