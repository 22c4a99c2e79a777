"""What the presentation zoom must reach and once did not: widgets with a style sheet
(Qt's style-sheet style gives such a widget its parent's font once, when the sheet is
applied: the playground's "Iteration", the compare panel's A / B buttons and the
warning lines stayed at their desktop size at 200 %), and a chart's axis labels (a
text item inherits no scene font: the neuron room's "step", the plane's "x₁ →")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.presentation.scale import apply_scale

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def test_a_widget_with_a_style_sheet_follows_the_zoom_in_and_out(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    plain, coloured, bold, sized = (QLabel(t, root) for t in ("plain", "grey", "bold", "9pt"))
    coloured.setStyleSheet("color: #6e6e73")
    bold.setStyleSheet("color: #c1121f; font-weight: bold")
    sized.setStyleSheet("font-size: 9pt")  # the sheet sizes it: left as the sheet says
    lay = QVBoxLayout(root)
    for label in (plain, coloured, bold, sized):
        lay.addWidget(label)
    root.show()
    base = plain.font().pointSizeF()

    def sizes() -> list[float]:
        return [w.font().pointSizeF() for w in (plain, coloured, bold)]

    try:
        for zoom in (2.0, 1.5, 1.0, 2.0):
            apply_scale(root, zoom)
            assert sizes() == [base * zoom] * 3, zoom
            assert bold.font().bold() and sized.font().pointSizeF() == 9
    finally:
        apply_scale(root, 1.0)
    assert sizes() == [base] * 3


def test_a_charts_axis_label_follows_the_zoom_in_and_out(qtbot: QtBot) -> None:
    import pyqtgraph as pg

    root = QWidget()
    qtbot.addWidget(root)
    chart = pg.PlotWidget()
    QVBoxLayout(root).addWidget(chart)
    chart.setLabel("bottom", "step", color="#333")
    root.show()
    label = chart.getAxis("bottom").label
    base = label.font().pointSizeF()
    try:
        for zoom in (2.0, 1.5, 1.0, 2.0):
            apply_scale(root, zoom)
            assert label.font().pointSizeF() == base * zoom, zoom
        chart.setLabel("bottom", "Schritt", color="#333")  # relabelled while zoomed
        assert label.font().pointSizeF() == base * 2
        later = pg.PlotWidget()  # made while zoomed: its label at the application's size
        root.layout().addWidget(later)
        later.setLabel("left", "loss")
        apply_scale(root, 1.5)
        assert later.getAxis("left").label.font().pointSizeF() == base * 1.5
    finally:
        apply_scale(root, 1.0)
    assert label.font().pointSizeF() == base


def test_the_neuron_rooms_table_rows_and_cells_follow_the_zoom(qtbot: QtBot) -> None:
    """Its rows were 20 px high and its current row's cells kept their own 9 pt font."""
    import numpy as np

    from visualizer.rooms.neuron.neuron_table import ROW_H, DataTable

    root = QWidget()
    qtbot.addWidget(root)
    table = DataTable()
    QVBoxLayout(root).addWidget(table)
    table.set_data(np.full((4, 3), 0.5), np.ones(4), 3, "en")
    table.set_current(1)  # its cells get a font of their own: bold
    root.show()
    size = table.item(1, 0).font().pointSizeF()
    try:
        apply_scale(root, 2.0)
        assert table.verticalHeader().defaultSectionSize() == 2 * ROW_H
        assert table.item(1, 0).font().pointSizeF() == 2 * size and table.item(1, 0).font().bold()
        assert table.item(0, 0).font().pointSizeF() == 2 * size  # the others too
    finally:
        apply_scale(root, 1.0)
    assert table.verticalHeader().defaultSectionSize() == ROW_H
    assert table.item(1, 0).font().pointSizeF() == size
