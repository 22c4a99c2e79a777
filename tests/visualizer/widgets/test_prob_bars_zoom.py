"""Probability bars at presentation zoom 2: the drawing scales as a whole, so zoomed
type never overflows rows or columns that stayed at their zoom-1 size."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetricsF

from visualizer import theme
from visualizer.theme import ui_font
from visualizer.widgets.prob_bars import MIN_H, MIN_W, Bar, ProbBars


@pytest.fixture
def zoom2():
    """Presentation zoom 2 for one test (back to 1 afterwards, also on failure)."""
    theme.set_scale(2.0)
    yield 2.0
    theme.set_scale(1.0)


def bars() -> list[Bar]:
    return [Bar("<eos>", 0.9, chosen=True), Bar("langsam", 0.05), Bar("haben", 0.03)]


def test_rows_and_type_grow_together(qtbot, zoom2: float) -> None:
    w = ProbBars()
    qtbot.addWidget(w)
    w.set_bars(bars())
    assert w.minimumSizeHint().width() == MIN_W  # not zoomed: the window fits the screen
    assert w.minimumSizeHint().height() == MIN_H
    assert w.sizeHint().height() == round((5 * 30 + 4) * zoom2)  # asks for zoomed rows
    w.resize(w.sizeHint())
    assert w.drawing_scale() == pytest.approx(zoom2)
    line = QFontMetricsF(ui_font(11, bold=True)).height()  # the zoomed type on screen
    assert w.row_height() >= line
    assert w.row_height() == pytest.approx(30 * zoom2)


def test_a_narrow_widget_scales_less_never_below_1(qtbot, zoom2: float) -> None:
    w = ProbBars()
    qtbot.addWidget(w)
    w.set_bars(bars())
    fm = QFontMetricsF(ui_font(11 / zoom2, bold=True))  # design units
    need = max(fm.horizontalAdvance(b.label) for b in bars()) + 14
    need += fm.horizontalAdvance("99.999% ✓") + 60
    w.resize(round(need * 1.5), 400)
    assert w.drawing_scale() == pytest.approx(1.5, abs=0.01)  # labels, bars, % all fit
    w.resize(MIN_W, MIN_H)
    assert w.drawing_scale() == 1.0
