"""Widgets with a style sheet follow the presentation zoom: Qt's style-sheet style gives
such a widget its parent's font once, when the sheet is applied, so the playground's
"Iteration", the compare panel's A / B buttons and the warning lines stayed at their
desktop size at 200 %."""

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
