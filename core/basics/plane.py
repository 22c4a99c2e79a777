"""Every neuron's output over the input plane, from one batched forward pass.

A neuron's picture is what the playground is about: the first layer cuts the
plane with straight lines, deeper layers bend them, the output colours the plane
by class. Evaluating a regular grid once (e.g. 100×100 = 10 000 points) through the
network gives every layer's activations at every point; reshaped, each column is
one neuron's image. Row 0 is the bottom of the plane (y = −extent), column 0 its
left edge, so an image is drawn with y pointing up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from torch import Tensor

from core.basics.datasets import EXTENT
from core.basics.network import MLP


@dataclass(frozen=True)
class PlaneField:
    """{"input": (res, res, 2), "l1": (res, res, n1), …, "out": (res, res, K) probabilities}."""

    res: int
    extent: float
    outputs: dict[str, np.ndarray]

    @property
    def probs(self) -> np.ndarray:
        return self.outputs["out"]

    def neuron(self, layer: str, index: int) -> np.ndarray:
        """One neuron's (res, res) image."""
        return self.outputs[layer][:, :, index]


@cache
def grid_points(res: int, extent: float = EXTENT) -> Tensor:
    """(res·res, 2) cell centres, row by row from the bottom: point r·res + c is
    (x_c, y_r)."""
    axis = -extent + (torch.arange(res, dtype=torch.float32) + 0.5) * (2 * extent / res)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")  # (res, res) each
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], 1)


def evaluate_plane(
    model: MLP, res: int = 100, params: Mapping[str, Tensor] | None = None
) -> PlaneField:
    """One forward pass over the grid; ``params`` evaluates other weights (e.g. the
    weights before a traced update) without touching the model."""
    outs = model.neuron_outputs(grid_points(res), params)
    images = {name: t.numpy().reshape(res, res, -1) for name, t in outs.items()}
    return PlaneField(res, EXTENT, images)


def cell_of(x: float, y: float, res: int, extent: float = EXTENT) -> tuple[int, int] | None:
    """(row, col) of the grid cell holding a point, or None outside the plane."""
    col = int(np.floor((x + extent) / (2 * extent) * res))
    row = int(np.floor((y + extent) / (2 * extent) * res))
    return (row, col) if 0 <= row < res and 0 <= col < res else None
