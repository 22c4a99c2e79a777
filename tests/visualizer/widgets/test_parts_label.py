"""One line of facts: as many whole parts as fit, "…" after them, the whole line as
tooltip; the lead (a code name) always shown; whole again when there is room."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from visualizer.gallery.fit_rules import plain
from visualizer.theme import ui_font
from visualizer.widgets.parts_label import PartsLabel, html_width

PARTS = ["<b>op</b> matmul", "<b>shape</b> 1 × 4 × 6 × 6", "<b>axes</b> batch × head × src"]
LEAD = "<code>enc.0.self_attn.scores</code>&nbsp; "


def test_parts_are_left_out_from_the_end(qtbot: QtBot) -> None:
    label = PartsLabel(sep=" · ")
    qtbot.addWidget(label)
    label.setFont(ui_font(9))
    label.set_parts(PARTS, lead=LEAD)
    whole = LEAD + " · ".join(PARTS)
    label.resize(2000, 30)
    label.show()
    qtbot.waitExposed(label)
    assert label.text() == whole == label.full_html() and label.toolTip() == ""
    two = html_width(LEAD + " · ".join(PARTS[:2]) + "&nbsp;…", label.font())
    label.resize(int(two) + 6, 30)
    assert plain(label.text()) == plain(LEAD + " · ".join(PARTS[:2])) + " …"
    assert label.toolTip() == whole
    label.resize(40, 30)  # not even the lead fits: the lead and "…", never a second line
    assert " ".join(plain(label.text()).split()) == "enc.0.self_attn.scores …"
    assert label.height() == 30 and not label.wordWrap()
    label.resize(2000, 30)
    assert label.text() == whole and label.toolTip() == ""
