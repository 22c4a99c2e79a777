"""The elided heading: whole when it fits, else a middle form, else a cut beginning;
never more lines than allowed, never wider than its room, the whole text as tooltip."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot

from visualizer.theme import ui_font
from visualizer.widgets.elided_label import ElidedLabel, fit_text, lines_needed, middle_cuts

EN = "Decoder layer 2 · masked self-attention · heads concatenated"
ZH = "解码器第 2 层 · 掩码自注意力 · 拼接各个头"


def test_middle_cuts_leave_whole_parts_out() -> None:
    assert middle_cuts("A · B · C · D", " · ") == [
        "A · … · C · D",
        "A · … · D",
        "… · C · D",
        "… · D",
    ]
    assert middle_cuts("A · B", " · ") == ["… · B"] and middle_cuts("A", " · ") == []


@pytest.mark.parametrize("text", [EN, ZH])
@pytest.mark.parametrize("lines", [1, 2])
def test_fit_text_fits_in_the_lines_it_is_given(qtbot: QtBot, text: str, lines: int) -> None:
    font = ui_font(15, bold=True)
    assert fit_text(text, font, 2000, lines) == text
    for width in (400, 250, 160, 90):
        shown = fit_text(text, font, width, lines)
        if lines == 1:
            assert QFontMetrics(font).horizontalAdvance(shown) <= width, (width, shown)
        else:
            assert lines_needed(shown, font, width) <= lines, (width, shown)
        if shown != text:
            assert shown.endswith("…") and text.startswith(shown[:-1])
            assert shown[-2] not in " ·"  # never cut right after a separator


def test_the_label_refits_on_resize_and_keeps_the_whole_text(qtbot: QtBot) -> None:
    label = ElidedLabel(max_lines=1)
    qtbot.addWidget(label)
    label.setFont(ui_font(13, bold=True))
    label.set_full_text(EN, middle_cuts(EN, " · "))
    label.resize(2000, 40)
    label.show()
    qtbot.waitExposed(label)
    assert label.text() == EN and label.toolTip() == ""
    width = label.fontMetrics().horizontalAdvance("Decoder layer 2 · … · heads concatenated")
    label.resize(width + 4, 40)
    assert label.text() == "Decoder layer 2 · … · heads concatenated" and label.toolTip() == EN
    label.resize(120, 40)
    assert label.text().endswith("…") and label.toolTip() == EN and label.full_text() == EN
    big = ui_font(26, bold=True)  # the presentation zoom sets a bigger font: refitted
    label.resize(width + 4, 40)
    label.setFont(big)
    assert label.text() != "Decoder layer 2 · … · heads concatenated"
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
