"""Small charts' axes: a horizontal axis spaces its ticks at least a label's width apart
(at 200 % a 180 px training chart wrote "0.20.40.60.8"); where there is room it keeps
pyqtgraph's own spacing."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication

from visualizer.widgets.chart_axes import FitAxis


def _fit(axis: FitAxis, lo: float, hi: float, size: float) -> bool:
    """Every label of the first level narrower than the room between two ticks."""
    spacing = axis.tickSpacing(lo, hi, size)[0][0]
    ticks = [lo + i * spacing for i in range(int((hi - lo) / spacing) + 1)]
    fm = QFontMetricsF(axis.style["tickFont"])
    room = spacing * size / (hi - lo)
    return all(fm.horizontalAdvance(s) < room for s in axis.tickStrings(ticks, 1.0, spacing))


def test_ticks_are_at_least_a_label_apart_on_a_narrow_axis(qapp: QApplication) -> None:
    axis = FitAxis("bottom")
    axis.setStyle(tickFont=QFont("DejaVu Sans", 16))  # 8 pt at 200 %
    plain = pg.AxisItem("bottom")
    plain.setStyle(tickFont=QFont("DejaVu Sans", 16))
    assert not _fit(plain, 0, 1, 150)  # pyqtgraph's own: 0.2 apart, labels overlap
    for lo, hi, size in ((0, 1, 150), (0, 300, 150), (0, 5000, 180), (0, 1, 60)):
        assert _fit(axis, lo, hi, size), (lo, hi, size)
    assert axis.tickSpacing(0, 300, 1500) == plain.tickSpacing(0, 300, 1500)  # room: as is
