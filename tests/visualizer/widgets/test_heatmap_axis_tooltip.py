"""A heatmap axis cuts a long token to ``LABEL_CHARS``; hovering the label itself shows
the whole token as the tooltip (issue 16), not only hovering a cell."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from pytestqt.qtbot import QtBot

from visualizer.widgets.heatmap import Heatmap
from visualizer.widgets.heatmap_parts import LABEL_CHARS, elide

ROWS = ["time", "internationalisation", "arrow"]
COLS = ["a", "Donaudampfschifffahrt", "b", "c"]


def test_axis_labels_carry_the_whole_token(qtbot: QtBot) -> None:
    hm = Heatmap("scores")
    qtbot.addWidget(hm)
    hm.resize(520, 420)
    hm.show()
    hm.set_matrix(np.arange(12, dtype=np.float32).reshape(3, 4), ROWS, COLS)
    qtbot.wait(20)
    assert len(ROWS[1]) > LABEL_CHARS and elide(ROWS[1]) != ROWS[1]  # it is cut on screen
    vb, scene = hm.plot.getViewBox(), hm.plot.scene()
    left, bottom = hm.plot.getAxis("left"), hm.plot.getAxis("bottom")
    for r, token in enumerate(ROWS):
        y = vb.mapViewToScene(QPointF(0, r + 0.5)).y()
        scene.sigMouseMoved.emit(QPointF(left.sceneBoundingRect().center().x(), y))
        assert hm.plot.toolTip() == token
    for c, token in enumerate(COLS):
        x = vb.mapViewToScene(QPointF(c + 0.5, 0)).x()
        scene.sigMouseMoved.emit(QPointF(x, bottom.sceneBoundingRect().center().y()))
        assert hm.plot.toolTip() == token
    # a cell still reports its value; off the plot and the axes there is no tooltip
    scene.sigMouseMoved.emit(vb.mapViewToScene(QPointF(1.5, 1.5)))
    assert hm.plot.toolTip() == hm.readout_text and "5" in hm.readout_text
    scene.sigMouseMoved.emit(QPointF(-50, -50))
    assert hm.plot.toolTip() == ""
