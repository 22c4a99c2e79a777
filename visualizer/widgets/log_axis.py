"""A log axis labelled where a reader can read it: at the decades in view, or at 2 and
5 times a decade where fewer than two decades are in view; the other multiples get a
tick without text.

pyqtgraph's own log axis labels every multiple (0.02, 0.03 … 0.09, 0.2 …) whenever the
view spans fewer than about three decades, as a training run's gradient norms do: a
pile of overlapping numbers on the training panel, at every zoom.
"""

from __future__ import annotations

from math import ceil, floor, log10
from typing import Any

import pyqtgraph as pg

Levels = list[tuple[Any, list[float]]]


def log_ticks(lo: float, hi: float) -> Levels:
    """Tick levels for a log axis showing log10 values ``lo`` to ``hi``: the labelled
    level first (decades, or 2 and 5 times a decade), then the unlabelled multiples."""
    if not hi > lo:
        return []
    first, last = floor(lo), ceil(hi)
    decades = [float(v) for v in range(first, last + 1) if lo <= v <= hi]
    multiples = [v + log10(m) for v in range(first, last) for m in range(2, 10)]
    multiples = [x for x in multiples if lo <= x <= hi]
    major = list(decades)
    if len(decades) < 2:
        major += [x for x in multiples if round(10 ** (x - floor(x))) in (2, 5)]
    minor = [x for x in multiples if x not in major]
    return [(None, sorted(major)), (None, minor)]


class LogAxis(pg.AxisItem):
    """``log_ticks`` in log mode (``setLogMode``), pyqtgraph's ticks otherwise; only
    the first level is labelled (``maxTextLevel`` 0)."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.setStyle(maxTextLevel=0)

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: Any) -> Levels:
        """pyqtgraph's hook (its names), called with the view's log10 range."""
        return log_ticks(minVal, maxVal)
