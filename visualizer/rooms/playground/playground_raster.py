"""Links drawn with NumPy: antialiased curves for a whole layer in well under a millisecond.

QPainter strokes a wide curve in about 50 µs, so a 64-link layer costs 3–4 ms, too
much for a frame that also trains and redraws every neuron. But the curves never
move while the weights change, only their widths and colours do. So, once per
layout, every pixel near each curve is listed with its distance to the curve; a
frame then turns distances into coverage (``half width + ½ − distance``, clipped to
0 … 1) and blends all links of the layer in one pass of ``bincount`` per channel.
Blending is order-independent (alpha = min(1, Σ aᵢ), colour = the coverage-weighted
mean), so crossing links mix instead of depending on drawing order.

A link's curve is the canvas's cubic from (x0, y0) to (x3, y3) with both control
points at the middle x, so x grows along it and each pixel column crosses it once:
the distance of a pixel from the curve is its vertical offset times cos(slope).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


class BandRaster:
    """The pixels near each link of one layer, inside a band ``width`` × ``height``
    (device pixels) whose left edge is at ``left``."""

    def __init__(
        self,
        ends: np.ndarray,  # (links, 4): x0, y0, x3, y3 in device pixels
        left: float,
        width: int,
        height: int,
        reach: float,  # the largest half width + 1 (device pixels)
    ) -> None:
        self.width, self.height = width, height
        pix, dist, link = [], [], []
        for k, (x0, y0, x3, y3) in enumerate(ends):
            cols = np.arange(max(0, int(np.floor(x0 - left))), min(width, int(np.ceil(x3 - left))))
            if not len(cols):
                continue
            cx = cols + 0.5 + left
            t = _solve_t(cx, x0, x3)
            y = y0 + (y3 - y0) * t * t * (3 - 2 * t)  # the cubic's y with flat ends
            slope = 6 * t * (1 - t) * (y3 - y0) / (1.5 * (x3 - x0) * ((1 - t) ** 2 + t**2))
            stretch = np.sqrt(1 + slope**2)
            half = np.minimum(reach * stretch, 4 * reach + 60)  # rows to cover per column
            top = np.floor(y - half).astype(np.int64)
            counts = (np.ceil(y + half).astype(np.int64) - top + 1).clip(1)
            rep = np.repeat(np.arange(len(cols)), counts)
            rows = top[rep] + (
                np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            )
            d = np.abs(rows + 0.5 - y[rep]) / stretch[rep]
            keep = (d <= reach) & (rows >= 0) & (rows < height)
            pix.append(rows[keep] * width + cols[rep][keep])
            dist.append(d[keep])
            link.append(np.full(int(keep.sum()), k, np.int32))
        self.pix = np.concatenate(pix) if pix else np.zeros(0, np.int64)
        self.dist = (np.concatenate(dist) if dist else np.zeros(0)).astype(np.float32)
        self.link = np.concatenate(link) if link else np.zeros(0, np.int32)
        self.buffer = np.zeros((height, width, 4), np.uint8)  # B, G, R, A (premultiplied)
        self._cov = np.empty(len(self.pix), np.float32)
        self._tmp = np.empty(len(self.pix), np.float32)
        self._scale = np.empty(width * height, np.float64)

    def render(self, widths: np.ndarray, rgba: np.ndarray, alpha: float, dpr: float) -> QImage:
        """Per link: ``widths`` (logical px), ``rgba`` (uint8 colours); → the band image.
        Works in preallocated arrays: fresh megabytes every frame cost more than the math."""
        n, link, cov, tmp = self.width * self.height, self.link, self._cov, self._tmp
        np.take((widths * (0.5 * dpr)).astype(np.float32), link, out=cov)  # half widths
        cov += 0.5
        cov -= self.dist
        np.clip(cov, 0.0, 1.0, out=cov)
        cov *= np.float32(alpha / 255.0)  # coverage × opacity, per entry
        weight: np.ndarray = np.bincount(self.pix, cov, n)  # Σ per pixel (float64: weighted)
        scale = np.maximum(weight, 1.0, out=self._scale)
        np.divide(1.0, scale, out=scale)  # overlapping links share one full pixel
        out = self.buffer.reshape(n, 4)
        colours = rgba[:, :3].astype(np.float32).T.copy()  # (3, links)
        for channel, source in ((0, 2), (1, 1), (2, 0)):  # QImage's ARGB32 is B, G, R, A
            np.take(colours[source], link, out=tmp)
            tmp *= cov
            acc = np.bincount(self.pix, tmp, n)
            acc *= scale
            out[:, channel] = acc
        np.minimum(weight, 1.0, out=weight)
        weight *= 255.0
        out[:, 3] = weight
        img = QImage(self.buffer.data, self.width, self.height, 4 * self.width, FORMAT)
        img.setDevicePixelRatio(dpr)
        return img


FORMAT = QImage.Format.Format_ARGB32_Premultiplied


def _solve_t(x: np.ndarray, x0: float, x3: float) -> np.ndarray:
    """t where the link's x(t) = x0 + (x3 − x0)·(3t/2 − 3t²/2 + t³)… solved by Newton.

    With both control points at the middle x, x(t) = x0 + Δ·(1.5t − 1.5t² + t³)."""
    u = np.clip((x - x0) / max(x3 - x0, 1e-9), 0.0, 1.0)
    t = u.copy()
    for _ in range(6):
        f = 1.5 * t - 1.5 * t * t + t**3 - u
        t = np.clip(t - f / (1.5 - 3 * t + 3 * t * t), 0.0, 1.0)
    return t
