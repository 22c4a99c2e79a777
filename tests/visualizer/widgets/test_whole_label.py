"""Wrapped texts read whole (issue 16): a ``WholeLabel`` keeps the height its text
needs at its width where a crowded layout squeezes a plain wrapped label, and a
``NoteBox`` note gets the height its text needs at the width it really has."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from visualizer.theme import ui_font
from visualizer.widgets.note_box import NoteBox
from visualizer.widgets.whole_label import WholeLabel

TEXT = (
    "This step computes these weights: enc.0.self_attn.weights (step 11). "
    "Each query's row sums to 1, and a projector's zoom makes the line wrap."
)


def _crowded(qtbot: QtBot, label: QLabel) -> tuple[QScrollArea, QWidget]:
    """``label`` over a box that wants 300 px, on a tab page (as the stages room's
    pages: a tab widget does not pass height-for-width on) in a 260 × 200 scroll area:
    the page is short, so its layout shares the height out by minimum heights."""
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.addWidget(label)
    filler = QFrame()
    filler.setFixedHeight(300)
    lay.addWidget(filler, 1)
    tabs = QTabWidget()
    tabs.addTab(page, "page")
    area = QScrollArea()
    area.setWidget(tabs)
    area.setWidgetResizable(True)
    area.resize(260, 200)
    qtbot.addWidget(area)
    area.show()
    for _ in range(3):
        QApplication.processEvents()
    return area, page


def test_its_minimum_is_its_wrapped_text_at_its_width(qtbot: QtBot) -> None:
    """A plain wrapped label's minimum is one line whatever its width; this one's is
    the height its text needs at the width it has, so a layout that shares out
    minimum heights cannot cut it."""
    plain, whole = QLabel(TEXT), WholeLabel(TEXT)
    for label in (plain, whole):
        label.setFont(ui_font(12))
        label.setWordWrap(True)
        qtbot.addWidget(label)
        label.resize(220, 40)
    need = whole.heightForWidth(220)
    assert need > 3 * whole.fontMetrics().lineSpacing()
    assert plain.minimumSizeHint().height() < need  # why WholeLabel exists
    assert whole.minimumSizeHint().height() == need
    whole.resize(600, 40)
    assert whole.minimumSizeHint().height() == whole.heightForWidth(600) < need


def test_a_whole_label_keeps_its_text_and_the_page_scrolls(qtbot: QtBot) -> None:
    label = WholeLabel(TEXT)
    label.setFont(ui_font(12))
    area, _page = _crowded(qtbot, label)
    need = label.heightForWidth(label.width())
    assert need > 3 * label.fontMetrics().lineSpacing()  # it wraps to several lines
    assert label.height() >= need
    tabs = area.widget()
    assert tabs is not None and tabs.height() > area.viewport().height()  # it scrolls
    # wider: fewer lines, and the label's minimum follows them down
    area.resize(520, 200)
    for _ in range(3):
        QApplication.processEvents()
    assert label.heightForWidth(label.width()) < need
    assert label.height() >= label.heightForWidth(label.width())


def test_a_note_box_gives_its_note_the_height_it_needs_highlighted_or_not(
    qtbot: QtBot,
) -> None:
    box = NoteBox(12)
    box.set_note(TEXT)
    holder = QWidget()
    lay = QVBoxLayout(holder)
    lay.addWidget(box)
    lay.addStretch(1)
    qtbot.addWidget(holder)
    holder.resize(300, 400)
    holder.show()
    QApplication.processEvents()
    note = box.label
    assert note.contentsRect() == note.rect()  # the padding is the box's, not the label's
    assert note.height() >= note.heightForWidth(note.width()) > 2 * note.fontMetrics().height()
    plain = box.geometry()
    box.set_highlight(True)  # a preview: the same box, highlighted
    QApplication.processEvents()
    assert box.highlighted and "background" in box.styleSheet()
    assert box.geometry() == plain
    box.set_note(TEXT, highlighted=False)
    assert not box.highlighted and "background" not in box.styleSheet()
