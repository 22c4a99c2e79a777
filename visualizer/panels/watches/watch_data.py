"""The numbers behind the watch list, cached per trace (no Qt).

A watched name occurs several times in a run: once per decoding step t in a
translation (``t0/dec.1.ffn.out`` … ``t6/dec.1.ffn.out``), forward and backward (and
update, for a parameter) in a training step. ``WatchData`` finds the occurrences, picks
the one to show for the cursor (same decoding step, else the nearest; same phase, else
the nearest step), and keeps ``TensorInfo`` and the sparkline's RMS per key so a
cursor move only looks numbers up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.inspector import TensorInfo
    from core.trace import Step, Trace


@dataclass(frozen=True)
class Occurrence:
    """Where a watched name is shown: its step and the tensor's statistics."""

    step: Step
    position: int  # index among the name's occurrences (the sparkline's point)
    info: TensorInfo | None  # None: not a numeric tensor


def rms(x: np.ndarray) -> float:
    """Root mean square √mean(x²) of the finite values: the norm divided by √size, so
    tensors of different sizes (a prefix growing with t, a gradient) compare, and a
    softmax's sharpness shows (its mean is always 1/n). NaN when nothing is finite."""
    if x.dtype.kind not in "biuf" or not x.size:
        return math.nan
    flat = x.ravel().astype(np.float64)
    flat = flat[np.isfinite(flat)]
    return float(np.sqrt(np.mean(flat * flat))) if flat.size else math.nan


class WatchData:
    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.by_name: dict[str, list[Step]] = {}
        for s in trace.steps:
            self.by_name.setdefault(s.name, []).append(s)
        self._info: dict[str, TensorInfo | None] = {}
        self._spark: dict[str, list[float]] = {}

    def steps(self, name: str) -> list[Step]:
        return self.by_name.get(name, [])

    def info(self, key: str) -> TensorInfo | None:
        if key not in self._info:
            from core.inspector import TensorInfo

            try:
                self._info[key] = TensorInfo.of(self.trace.value(key))
            except (KeyError, ValueError, TypeError):
                self._info[key] = None
        return self._info[key]

    def sparkline(self, name: str) -> list[float]:
        """RMS of every occurrence of ``name``, in step order."""
        if name not in self._spark:
            values = []
            for s in self.steps(name):
                try:
                    values.append(rms(self.trace.value(s.key)))
                except (KeyError, TypeError):
                    values.append(math.nan)
            self._spark[name] = values
        return self._spark[name]

    def pick(self, name: str, current: Step | None) -> Occurrence | None:
        """The occurrence of ``name`` to show while the cursor is on ``current``."""
        found = self.steps(name)
        if not found:
            return None
        if current is None:
            best = 0
        else:
            same = [i for i, s in enumerate(found) if s.index == current.index]
            best = (
                same[0]
                if same
                else min(range(len(found)), key=lambda i: _distance(found[i], current))
            )
        step = found[best]
        return Occurrence(step, best, self.info(step.key))


def _distance(s: Step, current: Step) -> tuple[int, int, int]:
    """Nearest decoding step first, then the same phase, then the nearest step."""
    dt = abs(s.t - current.t) if s.t is not None and current.t is not None else 0
    return dt, int(s.phase != current.phase), abs(s.index - current.index)
