"""The timeline's position text never runs under the step search box (issue 16): at a
narrow width and presenting at 200 % it is elided to its own room (the whole line in
its tooltip), and the box steps aside when it would leave less than count and phase."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.timeline.timeline_view import TimelineView
from visualizer.presentation.scale import apply_scale


@pytest.fixture
def timeline(qtbot: QtBot, fresh_session: Session) -> Iterator[TimelineView]:
    fresh_session.update(lang="zh")
    view = TimelineView(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(view)
    view.show()
    fresh_session.seek(fresh_session.trace.find("t3/next.probs")[0].index)
    apply_scale(view, 2.0)
    yield view
    apply_scale(view, 1.0)


def shown_width(view: TimelineView) -> float:
    doc = QTextDocument()
    doc.setDefaultFont(view.position.font())
    doc.setDocumentMargin(0)
    doc.setHtml(view.position.text())
    return doc.idealWidth()


@pytest.mark.parametrize("width", [900, 1100, 1250, 1366, 1800])
def test_position_text_keeps_its_own_room(qtbot: QtBot, timeline: TimelineView, width: int) -> None:
    timeline.resize(width, timeline.sizeHint().height())
    qtbot.wait(30)
    label, box = timeline.position, timeline.search
    tip = label.toolTip()
    assert tip.startswith(f"{timeline.session.cursor + 1} / {len(timeline.session)}")
    assert "next.probs" in tip and "解码" in tip
    if box.isVisible():
        assert not label.geometry().intersects(box.geometry())
        assert label.geometry().right() < box.geometry().left()
    assert shown_width(timeline) <= label.contentsRect().width()  # elided, not cut
    if "next.probs" not in label.text():
        assert label.text().endswith("…</code>") or label.text().endswith("…")


def test_the_bar_and_its_section_names_grow_with_the_zoom(
    qtbot: QtBot, timeline: TimelineView
) -> None:
    """At 200 % the bar is twice as tall, its names drawn at 16 pt bold in it, and the
    strip holds it (a bar of fixed height kept its 8 pt names in its kept picture)."""
    from PySide6.QtGui import QFontMetrics

    from visualizer.panels.timeline.scrubber import HEIGHT
    from visualizer.theme import ui_font

    bar = timeline.scrubber
    timeline.resize(1366, timeline.sizeHint().height())
    qtbot.wait(10)
    assert bar.minimumHeight() == 2 * HEIGHT and bar.height() >= 2 * HEIGHT
    assert bar.geometry().bottom() < timeline.height()
    rects = bar.section_rects()
    assert rects and all(
        r.height() == QFontMetrics(ui_font(8, bold=True)).height() for r, _ in rects
    )
    assert all(r.bottom() < bar.height() for r, _ in rects)  # the names inside the bar
    apply_scale(timeline, 1.0)
    assert bar.minimumHeight() == HEIGHT
