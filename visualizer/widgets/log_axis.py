"""A log scale drawn on a linear axis: the curves hold log₁₀ of their values
(``log10_or_gap``) and ``LogAxis`` labels the ticks as plain numbers (0.01, 0.1, 1 …),
at decades, or at 1, 2 and 5 times a decade when few decades are in view.

pyqtgraph's own log mode labels every multiple (0.02, 0.03 … 0.09, 0.2 …) whenever the
view spans fewer than about three decades, as a training run's gradient norms and a
neuron's loss do: a pile of overlapping numbers. Shared by the neuron room's loss curve
and the training panel's gradient norms.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

MAX_LABELLED = 10  # labels at most, however long the axis; more decades: every n-th


def log10_or_gap(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """log₁₀ for a ``LogAxis``: non-finite or non-positive entries become NaN (gaps)."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v) & (v > 0)
    return np.where(ok, np.log10(np.where(ok, v, 1.0)), np.nan)


def log_ticks(lo: float, hi: float, most: int = MAX_LABELLED) -> list[float]:
    """The labelled log₁₀ values between ``lo`` and ``hi``, at most ``most`` of them
    (as many as the axis has room for): decades (every n-th when there are more), plus
    2× and 5× a decade when they fit too."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return []
    k0, k1 = int(np.floor(lo)), int(np.ceil(hi))
    most = max(2, min(most, MAX_LABELLED))
    fine = [k + float(np.log10(m)) for k in range(k0, k1 + 1) for m in (1.0, 2.0, 5.0)]
    fine = [v for v in fine if lo <= v <= hi]
    if k1 - k0 <= 3 and len(fine) <= most:
        return fine
    decades = [float(k) for k in range(k0, k1 + 1) if lo <= k <= hi]
    every = max(1, -(-len(decades) // most))
    kept = [k for k in decades if k % every == 0]  # round numbers: 1e-12, 1e-10 …
    return kept if len(kept) >= min(2, len(decades)) else decades[:: max(1, len(decades) - 1)]


def tick_label(log_value: float) -> str:
    """10 ** ``log_value`` as a plain number: 0.001, 0.2, 5, 100; 1e-05 and 1e+06 far out."""
    return f"{10.0**log_value:.6g}" if abs(log_value) < 5 else f"{10.0**log_value:.0e}"


class LogAxis(pg.AxisItem):
    """An axis over log₁₀ values that labels them as the numbers they stand for."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        """One level, labelled: ``log_ticks``, as many as ``size`` pixels hold with a
        line and a half of the tick font for each (on a vertical axis)."""
        font = self.style["tickFont"] or QFont()
        line = QFontMetricsF(font).height() * (1.5 if self.orientation in ("left", "right") else 4)
        return [(1.0, log_ticks(minVal, maxVal, int(size // max(1.0, line))))]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [tick_label(v) for v in values]
