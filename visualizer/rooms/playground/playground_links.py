"""The links between two columns, drawn into one cached image per layer.

A step changes one layer's links at a time (forward lights one column, backward
colours one layer, update moves one layer), and during Play the weights drift
smoothly. So each layer's links live in their own transparent band image, drawn by
``BandRaster`` (NumPy, well under a millisecond a layer) and redrawn only when the
look of that layer changed (widths to 1/8 px, colours to the colour table's 256
levels, fading). While playing, ``budget_ms`` caps the time spent redrawing per frame
(each layer's last drawing time is the estimate): the layers that waited longest go
first, and a frame never pays for more than its share.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter

from visualizer.rooms.playground.playground_frame import Frame
from visualizer.rooms.playground.playground_geometry import Geometry
from visualizer.rooms.playground.playground_paint import link_style
from visualizer.rooms.playground.playground_raster import BandRaster

PAD = 6.0  # the band reaches this far into the node columns (round ends)


class LinkLayers:
    def __init__(self) -> None:
        self._geo: Geometry | None = None
        self._dpr = 1.0
        self._rasters: dict[str, BandRaster] = {}
        self._images: dict[str, QImage] = {}
        self._drawn: dict[str, bytes] = {}  # layer → the look its image shows
        self._age: dict[str, int] = {}  # frames since each layer was redrawn
        self._cost: dict[str, float] = {}  # ms its last drawing took
        self.redrawn: list[str] = []  # layers redrawn by the last paint (for tests)

    def paint(
        self,
        p: QPainter,
        geo: Geometry,
        frame: Frame,
        weights: dict[str, np.ndarray],
        dpr: float = 1.0,
        budget_ms: float | None = None,
    ) -> None:
        """Blit every layer's band; first redraw those whose look changed (all of them,
        or as many as fit in ``budget_ms``, stalest first, at least one)."""
        if geo is not self._geo or dpr != self._dpr:
            self._geo, self._dpr = geo, dpr
            self._rasters, self._images, self._drawn, self._age, self._cost = {}, {}, {}, {}, {}
        looks: dict[str, tuple[bytes, np.ndarray, np.ndarray, float]] = {}
        for layer, links in geo.links.items():
            w = weights.get(layer)
            if w is None or w.size != len(links):
                continue
            widths, rgba, alpha = link_style(frame, layer, w, geo.max_width)
            quantized = np.round(widths * 8).astype(np.int16)
            key = quantized.tobytes() + rgba.tobytes() + bytes([int(alpha)])
            looks[layer] = (key, widths, rgba, alpha)
        stale = [k for k, look in looks.items() if self._drawn.get(k) != look[0]]
        stale.sort(key=lambda k: (k in self._drawn, -self._age.get(k, 0)))  # new ones first
        self.redrawn = []
        spent = 0.0
        for layer in stale:
            over = budget_ms is not None and spent + self._cost.get(layer, 0.0) > budget_ms
            if over and self.redrawn and layer in self._drawn:
                continue
            t0 = time.perf_counter()
            key, widths, rgba, alpha = looks[layer]
            self._images[layer] = self._raster(geo, layer).render(widths, rgba, alpha, dpr)
            self._cost[layer] = (time.perf_counter() - t0) * 1e3
            self._drawn[layer], self._age[layer] = key, 0
            self.redrawn.append(layer)
            spent += self._cost[layer]
        for layer in looks:
            self._age[layer] = self._age.get(layer, 0) + 1
            img = self._images.get(layer)
            if img is not None:
                p.drawImage(QPointF(self._band(geo, layer).left(), 0.0), img)

    @staticmethod
    def _band(geo: Geometry, layer: str) -> QRectF:
        i = geo.columns.index(layer)
        left = geo.nodes[geo.columns[i - 1]][0].right() - PAD
        right = geo.nodes[layer][0].left() + PAD
        return QRectF(round(left), 0.0, round(right - left), geo.height)

    def _raster(self, geo: Geometry, layer: str) -> BandRaster:
        if layer not in self._rasters:
            band, d = self._band(geo, layer), self._dpr
            self._rasters[layer] = BandRaster(
                geo.ends[layer] * d,
                band.left() * d,
                int(np.ceil(band.width() * d)),
                int(np.ceil(band.height() * d)),
                (geo.max_width / 2 + 1) * d,
            )
        return self._rasters[layer]
