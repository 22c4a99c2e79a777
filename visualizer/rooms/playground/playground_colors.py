"""Colours of the playground: classes, weights, gradients, and the pictures of neurons.

One rule everywhere: blue is negative, red is positive (weights, neuron outputs);
gradients and updates use purple (−) and green (+) so they never read as weights;
each class has its own colour, and the plane is painted towards the colour of the
class the network picks, stronger the surer it is. All colouring is NumPy lookup
tables over whole arrays, so every neuron's picture can be redrawn every frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QColor, QImage

from visualizer.theme import diverging_lut

if TYPE_CHECKING:
    from core.basics.plane import PlaneField

CLASS_COLORS = ["#e8871e", "#1f78b4", "#33a02c", "#8e44ad"]
WEIGHT_LUT = diverging_lut()  # (256, 4) uint8, blue − / white / red +


def _ramp(neg: tuple[int, int, int], pos: tuple[int, int, int], n: int = 256) -> np.ndarray:
    s = np.linspace(-1.0, 1.0, n)[:, None]
    white = np.array([247.0, 247.0, 247.0])
    lo, hi = np.array(neg, float), np.array(pos, float)
    rgb = np.where(s < 0, white + (lo - white) * -s, white + (hi - white) * s)
    return np.concatenate([rgb, np.full((n, 1), 255.0)], 1).astype(np.uint8)


GRAD_LUT = _ramp((118, 42, 131), (27, 120, 55))  # purple − / green +
CLASS_RGB = np.array(  # (4, 3)
    [(q.red(), q.green(), q.blue()) for q in map(QColor, CLASS_COLORS)], np.float32
)


def lut_index(values: np.ndarray, scale: float) -> np.ndarray:
    """Map values in [−scale, scale] to 0 … 255 (clipped)."""
    s = max(float(scale), 1e-12)
    return np.clip((values / s + 1.0) * 127.5, 0, 255).astype(np.uint8)


def colors(values: np.ndarray, scale: float, lut: np.ndarray = WEIGHT_LUT) -> np.ndarray:
    """(…) values → (…, 4) uint8 RGBA."""
    return lut[lut_index(values, scale)]


def class_mix(probs: np.ndarray, strength: float = 0.8) -> np.ndarray:
    """(…, K) probabilities → (…, 4) RGBA: white where unsure (1/K each), the picked
    class's colour where sure."""
    k = probs.shape[-1]
    top = probs.argmax(-1)
    conf = (probs.max(-1) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 … 1
    a = (strength * conf)[..., None]
    rgb = 255.0 * (1 - a) + CLASS_RGB[top] * a
    out = np.empty((*probs.shape[:-1], 4), np.uint8)
    out[..., :3] = rgb
    out[..., 3] = 255
    return out


def neuron_scale(values: np.ndarray, activation: str) -> np.ndarray:
    """Per neuron (axis 0), the value that saturates its colour: tanh and sigmoid have
    fixed ranges; ReLU and linear neurons are scaled by their own largest magnitude."""
    n = values.shape[0]
    if activation in ("tanh", "sigmoid"):
        return np.ones(n, np.float32)
    return np.maximum(np.abs(values).reshape(n, -1).max(1), 1e-6)


def _ramp_to(color: np.ndarray, n: int = 256) -> np.ndarray:
    """White → ``color`` as an (n, 4) uint8 table (a probability's shade)."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    rgb = 255.0 * (1 - t) + color[None, :] * t
    return np.concatenate([rgb, np.full((n, 1), 255.0)], 1).astype(np.uint8)


def _words(lut: np.ndarray) -> np.ndarray:
    """An (n, 4) uint8 RGBA table as n uint32 words: one gather per pixel, not four."""
    return np.ascontiguousarray(lut).view(np.uint32).ravel()


WEIGHT_WORDS = _words(WEIGHT_LUT)
CLASS_WORDS = [_words(_ramp_to(c)) for c in CLASS_RGB]


class NeuronImages:
    """Per column, one RGBA picture per neuron (row 0 at the top, y up), as QImages
    over buffers kept here; a new plane is written into the same buffers (the QImages
    follow), so a frame of Play allocates little beyond the colour lookups."""

    def __init__(self) -> None:
        self.images: dict[str, list[QImage]] = {}
        self._buffers: dict[str, np.ndarray] = {}  # column → (n, px, px) uint32 RGBA words
        self.px = 0
        self._dpr = 1.0

    def update(self, field: PlaneField, activation: str, px: int, dpr: float = 1.0) -> None:
        """Pictures of ``px`` × ``px`` pixels, sampled from the plane (nearest cell), so
        painting them is a copy, not a rescale."""
        if (px, dpr) != (self.px, self._dpr):
            self._buffers, self.images, self.px, self._dpr = {}, {}, px, dpr
        cells = (np.arange(px) * field.res // px).astype(np.intp)
        rows = cells[::-1]  # flip: the image's top row is y = +extent
        for col, values in field.outputs.items():
            v = np.moveaxis(values[rows[:, None], cells[None, :]], 2, 0)  # (n, px, px)
            buf = self._buffer(col, v.shape)
            if col == "out":  # probability 0 … 1: white to the class colour
                idx = lut_index(2.0 * v - 1.0, 1.0)
                for k in range(len(v)):
                    np.take(CLASS_WORDS[k % len(CLASS_WORDS)], idx[k], out=buf[k])
                continue
            if col == "input":
                scale: np.ndarray | float = field.extent
            else:
                if activation == "sigmoid":
                    v = 2.0 * v - 1.0
                scale = neuron_scale(v, activation)[:, None, None]
            np.take(WEIGHT_WORDS, lut_index(v / scale, 1.0), out=buf)

    def _buffer(self, col: str, shape: tuple[int, ...]) -> np.ndarray:
        buf = self._buffers.get(col)
        if buf is None or buf.shape != shape:
            buf = np.zeros(shape, np.uint32)
            self._buffers[col] = buf
            n, h, w = shape
            fmt = QImage.Format.Format_RGBA8888
            self.images[col] = [QImage(buf[i].data, w, h, 4 * w, fmt) for i in range(n)]
            for img in self.images[col]:
                img.setDevicePixelRatio(self._dpr)
        return buf
