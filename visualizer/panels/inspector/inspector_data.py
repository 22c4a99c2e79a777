"""The numbers behind the tensor inspector, without Qt: the shown matrix, where each of
its cells lives in the tensor, statistics and histograms cached per trace, and the
reference a tensor is compared with (a pinned tensor, or the clean run's).

The shown matrix is cut from the tensor exactly as ``core.display.as_matrix`` cuts it
(batch 0, the selected head, leading extra axes at 0; a vector is one row), but in
the tensor's own dtype, so an int64 id stays an int64 and a float32 is never widened.
``Cut.index(row, col)`` is the full tensor index of a cell (what an edit needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.inspector import Diff, Histogram, TensorInfo
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
        return tuple(int(i) for i in out)  # type: ignore[arg-type]


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


class InspectorData:
    """Per-trace caches: the shown matrix per (step, key, head), info and histograms."""

    def __init__(self) -> None:
        self.trace: Trace | None = None
        self._shown: dict[tuple[int, str, int], Shown] = {}
        self._info: dict[str, TensorInfo | None] = {}  # by "where:key" ("now", "clean")
        self._hist: dict[str, Histogram | None] = {}

    def reset(self, trace: Trace) -> None:
        if trace is not self.trace:
            self.trace = trace
            self._shown.clear()
            self._info.clear()
            self._hist.clear()

    def shown(self, step: Step, key: str, head: int, vocab: list[str]) -> Shown:
        assert self.trace is not None
        k = (step.index, key, head)
        if k not in self._shown:
            if len(self._shown) > 256:
                self._shown.clear()
            self._shown[k] = cut(self.trace, step, key, head, vocab)
        return self._shown[k]

    def info(self, tag: str, x: np.ndarray) -> TensorInfo | None:
        """Shape, dtype, statistics of ``x`` (cached under ``tag`` for this trace);
        None for values that have none."""
        from core.inspector import TensorInfo

        if tag not in self._info:
            try:
                info: TensorInfo | None = TensorInfo.of(x)
            except ValueError:
                info = None
            if not tag:  # "": not worth keeping (a difference, a pinned tensor)
                return info
            self._info[tag] = info
        return self._info[tag]

    def histogram(self, tag: str, x: np.ndarray, bins: int = 40) -> Histogram | None:
        from core.inspector import histogram

        if tag not in self._hist:
            try:
                h: Histogram | None = histogram(x, bins)
            except ValueError:
                h = None
            if not tag:
                return h
            self._hist[tag] = h
        return self._hist[tag]


@dataclass(frozen=True)
class Pinned:
    """Tensor A of a comparison: kept (a copy) when the trace it came from goes."""

    label: str  # "t2/dec.0.add1 @ step 181"
    key: str
    tensor: np.ndarray
    matrix: np.ndarray  # the matrix shown when it was pinned
    rows: list[str]
    cols: list[str]


def pin(shown: Shown, label: str) -> Pinned:
    return Pinned(
        label,
        shown.key,
        shown.tensor.copy(),
        shown.values.copy(),
        list(shown.rows),
        list(shown.cols),
    )


@dataclass(frozen=True)
class Comparison:
    """B (the shown tensor) against A: the summary over the whole tensors and the
    difference of the shown matrices (None when the shapes differ)."""

    label: str
    a_tensor: np.ndarray
    a_matrix: np.ndarray
    diff: Diff | None
    matrix_diff: np.ndarray | None  # (rows, cols) float64, B - A


def compare_with(a_tensor: np.ndarray, a_matrix: np.ndarray, b: Shown, label: str) -> Comparison:
    from core.inspector import compare

    if a_tensor.shape != b.tensor.shape or a_tensor.dtype.kind not in "biuf":
        return Comparison(label, a_tensor, a_matrix, None, None)
    d = compare(a_tensor, b.tensor)
    return Comparison(label, a_tensor, a_matrix, d, b.cut.take(d.diff))
