"""The training charts: short titles that fit a narrow dock, one column when it is
narrow, and x axes that end where the run ended (not at the steps it was started for)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from core.train_messages import Progress
from visualizer.i18n import tr
from visualizer.panels.training.train_charts import TITLES, WIDE, TrainCharts
from visualizer.theme import ui_font

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def progress(step: int) -> Progress:
    return Progress(step, 600, 2.0 / step, 1.0, 1e-3, {"enc": 0.5}, 10.0, 1.0)


def test_a_run_stopped_early_ends_the_x_axes_at_its_last_step(qtbot: QtBot) -> None:
    charts = TrainCharts()
    qtbot.addWidget(charts)
    charts.set_total(600)
    assert charts.plots["loss"].viewRange()[0][1] > 590  # the whole run, from the start
    for step in range(1, 101):
        charts.add_progress(progress(step))
    charts.end_run()  # stopped at 100 of 600 steps
    for plot in charts.plots.values():
        lo, hi = plot.viewRange()[0]
        assert lo <= 0 and 100 <= hi < 110, plot.titleLabel.text


def test_narrow_charts_stand_in_one_column_and_fit_the_view(qtbot: QtBot) -> None:
    charts = TrainCharts()
    qtbot.addWidget(charts)
    charts.show()
    for width, columns in ((WIDE + 200, 2), (230, 1), (WIDE + 200, 2)):
        charts.resize(width, 600)
        qtbot.waitUntil(lambda: charts.ci.geometry().width() == width)  # noqa: B023 (waited for here)
        assert charts._columns == columns
        for plot in charts.plots.values():  # no chart reaches past the view's right edge
            assert plot.mapRectToScene(plot.boundingRect()).right() <= width + 0.5
    for lang in ("en", "zh"):  # every title fits a 230 px chart at its 9 pt
        fm = QFontMetrics(ui_font(9))
        assert all(fm.horizontalAdvance(tr(t, lang)) < 200 for t in TITLES.values())


def test_titles_legends_and_axis_labels_follow_the_presentation_zoom(qtbot: QtBot) -> None:
    """Sized in points in HTML, they were not reached by the zoom's font scaling: at
    200 % they stayed 9 pt beside doubled buttons (the tick fonts follow by themselves)."""
    from visualizer.presentation.scale import scale_tree

    host = QWidget()
    qtbot.addWidget(host)
    charts = TrainCharts(host)
    charts.add_progress(progress(1))  # a legend entry of the gradient norm
    charts.relabel("zh")

    def sizes() -> set[str]:
        """The type sizes of the drawn titles, axis labels and legend entries."""
        items = [p.titleLabel.item for p in charts.plots.values()]
        items += [p.getAxis("bottom").label for p in charts.plots.values()]
        items += [label.item for p in charts.plots.values() for _, label in p.legend.items]
        # a legend entry's HTML holds the document's default size first, then its own
        return {re.findall(r"font-size:([0-9.]+pt)", item.toHtml())[-1] for item in items}

    assert sizes() == {"9pt", "8pt"}
    tick = charts.plots["lr"].getAxis("left").style["tickFont"].pointSizeF()
    scale_tree(host, 1.0, 2.0)
    assert sizes() == {"18pt", "16pt"}  # the gradient norm's block legend too
    assert charts.plots["lr"].getAxis("left").style["tickFont"].pointSizeF() == 2 * tick
    assert "学习率" in charts.plots["lr"].titleLabel.text  # still in the language it was
    scale_tree(host, 2.0, 1.0)
    assert sizes() == {"9pt", "8pt"}
