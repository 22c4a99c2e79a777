"""The numbers behind the tensor inspector, without Qt: the shown matrix, where each of
its cells lives in the tensor, statistics and histograms cached per trace, and the
reference a tensor is compared with (a pinned tensor, or the clean run's).

The shown matrix is ``visualizer.widgets.tensor_cut.cut`` (shared with the
interventions panel, which edits the cell the views show).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from visualizer.widgets.tensor_cut import Shown, cut

if TYPE_CHECKING:
    from core.inspector import Diff, Histogram, TensorInfo
    from core.trace import Step, Trace


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
