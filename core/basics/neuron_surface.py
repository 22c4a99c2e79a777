"""The loss surface of the neuron lab: training loss over a grid of two parameters.

Why its own file: the surface is the one picture that shows *where* gradient descent
is heading, and computing it is a vectorised evaluation of the neuron on every grid
point at once (no tracing, no autograd, NumPy in float64: for arrays this small
PyTorch's thread pool costs more than the arithmetic), which has nothing to do with the
lab's stepping state. Parameters are indexed as (w1, w2, w3, b) → 0, 1, 2, 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.basics.neuron import NeuronParams, activate_np
from core.basics.neuron_data import NeuronData


@dataclass(frozen=True, eq=False)
class Surface:
    """Training loss over a grid of two parameters, the others fixed.

    ``loss[a, b]`` is the mean training loss with parameter ``i`` = ``xs[a]`` and
    parameter ``j`` = ``ys[b]`` (x-major, as pyqtgraph's ImageItem reads an image).
    """

    i: int
    j: int
    xs: np.ndarray  # (gx,)
    ys: np.ndarray  # (gy,)
    loss: np.ndarray  # (gx, gy)

    def lowest(self) -> tuple[float, float, float]:
        """(x, y, loss) of the grid point with the least loss."""
        a, b = np.unravel_index(int(np.argmin(self.loss)), self.loss.shape)
        return float(self.xs[a]), float(self.ys[b]), float(self.loss[a, b])


def surface(params: NeuronParams, data: NeuronData, i: int, j: int, axis: np.ndarray) -> Surface:
    """Mean training loss with parameters i, j over ``axis`` × ``axis``, others as in params."""
    if i == j or not (0 <= i < 4 and 0 <= j < 4):
        raise ValueError(f"pick two different parameters of 0..3, got {i} and {j}")
    n = len(axis)
    p = np.tile(params.vector(), (n, n, 1))  # (gx, gy, 4), float64
    p[:, :, i] = axis[:, None]
    p[:, :, j] = axis[None, :]
    x = data.train_x.astype(np.float64)  # (N, 3)
    s = np.einsum("nk,abk->abn", x, p[..., :3]) + p[..., 3:]  # (gx, gy, N)
    with np.errstate(over="ignore", invalid="ignore"):
        err = activate_np(s, params.activation) - data.train_y  # (gx, gy, N)
        loss = (err**2).mean(-1)  # (gx, gy)
    xs = np.asarray(axis, dtype=np.float64)
    return Surface(i, j, xs, xs.copy(), loss)
