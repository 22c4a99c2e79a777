"""The tensor view's strip of heatmaps keeps every cell readable (issue 16): at
presentation zoom in a small room it grows to a minimum size the view's scroll area
honours, instead of squeezing a 6×64 activation into a 12-pixel strip. The check is
the layout check's own rule (``visualizer.gallery.fit_rules.check_heatmaps``)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QScrollArea
from pytestqt.qtbot import QtBot

from visualizer.gallery.fit_rules import check_heatmaps
from visualizer.panels.tensor.panel_strip import PanelStrip
from visualizer.theme import get_scale, set_scale

TOKENS = ["time", "flies", "like", "an", "arrow", "<eos>"]


@pytest.fixture(params=[1.0, 2.0], ids=["zoom100", "zoom200"])
def zoom(request: pytest.FixtureRequest) -> Iterator[float]:
    before = get_scale()
    set_scale(request.param)
    yield request.param
    set_scale(before)


def _strip_in(qtbot: QtBot, size: tuple[int, int]) -> tuple[PanelStrip, QScrollArea]:
    strip = PanelStrip(3)
    area = QScrollArea()
    area.setWidget(strip)
    area.setWidgetResizable(True)
    qtbot.addWidget(area)
    area.resize(*size)
    area.show()
    return strip, area


def _fill(strip: PanelStrip, shapes: list[tuple[int, int]]) -> None:
    rng = np.random.default_rng(0)
    for panel, (r, c) in zip(strip.panels, shapes, strict=False):
        rows = TOKENS[:r] if r <= len(TOKENS) else [str(i) for i in range(r)]
        panel.set_matrix(rng.normal(size=(r, c)), rows, [str(j) for j in range(c)])


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


@pytest.mark.parametrize("size", [(420, 260), (900, 700)], ids=["small", "roomy"])
def test_a_product_grid_keeps_readable_cells(
    qtbot: QtBot, zoom: float, size: tuple[int, int]
) -> None:
    """x · Wᵀ = Q (6×64 · 64×16 = 6×16) as a grid with the weight free above."""
    strip, area = _strip_in(qtbot, size)
    _fill(strip, [(6, 64), (64, 16), (6, 16)])
    strip.set_shapes(
        [(6, 64), (64, 16), (6, 16)],
        [("", ""), ("·", ""), ("", "")],
        [False, True, False],
        grid=True,
    )
    _settle()
    assert strip.grid
    assert check_heatmaps(strip.panels[:3], zoom) == []
    if size == (420, 260) and zoom == 2.0:  # too small a room: the strip scrolls
        assert strip.height() > area.viewport().height()


@pytest.mark.parametrize("size", [(420, 260), (900, 700)], ids=["small", "roomy"])
def test_a_line_of_wide_activations_keeps_readable_cells(
    qtbot: QtBot, zoom: float, size: tuple[int, int]
) -> None:
    """x + sublayer(x) = … : three 6×64 panels, stacked or side by side."""
    strip, _ = _strip_in(qtbot, size)
    _fill(strip, [(6, 64)] * 3)
    strip.set_shapes([(6, 64)] * 3, [("", ""), ("+", ""), ("=", "")])
    _settle()
    assert check_heatmaps(strip.panels[:3], zoom) == []
    # every panel inside the strip, none on top of another
    rects = [p.geometry() for p in strip.panels[:3]]
    assert all(strip.rect().contains(r) for r in rects)
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_an_op_caption_keeps_its_longest_word_whole(qtbot: QtBot, zoom: float) -> None:
    """ "cross-entropy" between two panels side by side is never cut to the op gap's
    default width."""
    strip, _ = _strip_in(qtbot, (1400, 500))
    _fill(strip, [(6, 6), (6, 6)])
    strip.set_shapes([(6, 6), (6, 6)], [("", ""), ("→", "cross-entropy")])
    _settle()
    assert not strip.vertical
    op = strip.ops[1]
    word = op.caption.fontMetrics().horizontalAdvance("cross-entropy")
    assert op.caption.isVisible() and op.caption.width() >= word
