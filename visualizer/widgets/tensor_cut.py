"""A traced tensor cut to the matrix the views show, in the tensor's own dtype (Qt-free).

The cut is exactly ``core.display.as_matrix``'s (batch 0, the selected head, leading
extra axes at 0; a vector is one row), but an int64 id stays an int64 and a float32
is never widened; ``Cut.index(row, col)`` is the full tensor index of a cell (what an
edit needs). The inspector shows it; the interventions panel edits through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.trace import Step, Trace


@dataclass(frozen=True)
class Cut:
    """How a tensor of ``shape`` became the shown matrix: ``fixed`` holds the index of
    every dropped axis (None for the row and column axes)."""

    shape: tuple[int, ...]
    fixed: tuple[int | None, ...]
    row_dim: int | None  # the tensor axis the matrix rows run along (None: one row)
    col_dim: int | None  # ... and the columns (None: a scalar)
    head: int | None  # the head taken from a per-head tensor

    def take(self, x: np.ndarray) -> np.ndarray:
        """The 2-D matrix of ``x`` (a tensor of ``shape``) this cut shows."""
        sel = tuple(slice(None) if f is None else f for f in self.fixed)
        m = x[sel]
        if m.ndim == 0:
            return m.reshape(1, 1)
        return m[None, :] if m.ndim == 1 else m

    def index(self, row: int, col: int) -> tuple[int, ...]:
        """The tensor index of matrix cell (row, col)."""
        out = list(self.fixed)
        if self.row_dim is not None:
            out[self.row_dim] = row
        if self.col_dim is not None:
            out[self.col_dim] = col
        index = []
        for i in out:
            assert i is not None  # ``fixed`` is None only on the row and column axes, set above
            index.append(int(i))
        return tuple(index)


@dataclass(frozen=True)
class Shown:
    """One tensor as the inspector shows it."""

    key: str
    tensor: np.ndarray  # the whole tensor, as traced
    values: np.ndarray  # (rows, cols), the tensor's dtype
    rows: list[str]
    cols: list[str]
    row_axis: str
    col_axis: str
    cut: Cut


def axes_of(trace: Trace, step: Step, key: str, ndim: int, shape: tuple[int, ...]) -> list[str]:
    """The axis names ``as_matrix`` uses for ``key`` (the step's own, or guessed)."""
    from core.display import _guess_axes

    if len(step.axes) == ndim and tuple(step.shape) == shape:
        return list(step.axes)
    return _guess_axes(trace, key, ndim)


def cut(trace: Trace, step: Step, key: str, head: int, vocab: list[str]) -> Shown:
    """The matrix of ``key`` (a role of ``step``) for ``head``, with its labels."""
    from core.display import as_matrix

    x = trace.value(key)
    m = as_matrix(trace, step, key, head, vocab)
    axes = axes_of(trace, step, key, x.ndim, tuple(x.shape))
    dims = list(range(x.ndim))
    fixed: dict[int, int] = {}
    if axes and axes[0] == "batch":
        fixed[dims.pop(0)] = 0
        axes = axes[1:]
    if "head" in axes:
        i = axes.index("head")
        fixed[dims.pop(i)] = int(m.head or 0)
        axes.pop(i)
    while len(dims) > 2:
        fixed[dims.pop(0)] = 0
    c = Cut(
        tuple(x.shape),
        tuple(fixed.get(d) for d in range(x.ndim)),
        dims[0] if len(dims) == 2 else None,
        dims[-1] if dims else None,
        m.head,
    )
    return Shown(key, x, c.take(x), list(m.rows), list(m.cols), m.row_axis, m.col_axis, c)
