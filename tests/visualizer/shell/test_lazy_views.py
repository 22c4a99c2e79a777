"""Panels built on first use (``visualizer/shell/lazy_views.py``): the Training, Update,
Inspector, Router and Classify panels are built when their dock is first shown or the
view is asked for, and one built while the window is zoomed is the same as one built
before the zoom and zoomed with the window. So is a room's page, built on first entering
the room (``visualizer/shell/room_switch.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication, QGraphicsTextItem, QGraphicsView, QWidget

from core.session import Session
from visualizer import theme
from visualizer.assemble import SimulatorWindow
from visualizer.presentation.scale import SET_BY_HAND
from visualizer.shell.lazy_views import LazyViews
from visualizer.shell.main_window import LAZY

Signature = list[tuple[str, float, int, int]]


def _views(window: SimulatorWindow) -> LazyViews:
    views = window.views
    assert isinstance(views, LazyViews)
    return views


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def test_deferred_views_wait_until_their_dock_is_shown_or_they_are_asked_for(
    make_window: Callable[..., SimulatorWindow], fresh_session: Session
) -> None:
    window = make_window(fresh_session)
    _settle()
    views = _views(window)
    assert set(LAZY) <= set(views) and all(not views.is_built(n) for n in LAZY)
    window.docks["update"].raise_()  # the user clicks its tab
    _settle()
    assert views.is_built("update")
    update = views["update"]
    assert window.docks["update"].widget().isAncestorOf(update) and update.isVisible()
    assert not views.is_built("router")
    router = views["router"]  # asked for: built and put in its dock at once
    assert window.docks["router"].widget().isAncestorOf(router)
    assert [n for n in LAZY if not views.is_built(n)] == ["training", "inspector", "classify"]


def _signature(view: QWidget) -> Signature:
    """Every widget's font size and the heights and widths set for its text (not Qt's
    own parts: a scroll area's bar container is as wide as the bar it showed last)."""
    out: Signature = []
    for w in [view, *view.findChildren(QWidget)]:
        if w.objectName().startswith("qt_"):
            continue
        h, wd = w.maximumHeight(), w.maximumWidth()
        out.append(
            (
                type(w).__name__,
                round(w.font().pointSizeF(), 2),
                h if h < SET_BY_HAND else -1,
                wd if wd < SET_BY_HAND else -1,
            )
        )
    return out


@pytest.mark.parametrize("name", ["training", "update"])
def test_a_panel_built_while_zoomed_is_the_panel_zoomed_after_its_build(
    make_window: Callable[..., SimulatorWindow], fresh_session: Session, name: str
) -> None:
    before = make_window(fresh_session)  # its panel built at zoom 1, then zoomed
    after = make_window(Session(fresh_session.bundle, "en-de", fresh_session.source))
    try:
        early = _views(before)[name]
        plain = _signature(early)
        before.presentation.set_zoom(2.0)
        zoomed = _signature(early)
        assert zoomed != plain  # the zoom reached the panel
        before.presentation.set_zoom(1.0)
        after.presentation.set_zoom(2.0)  # then its panel built, as at 1, then zoomed
        assert not _views(after).is_built(name)
        late = _views(after)[name]
        assert theme.get_scale() == 2.0
        assert _signature(late) == zoomed
        after.presentation.set_zoom(1.0)
        assert _signature(late) == plain  # and back, without drift
    finally:
        for w in (before, after):
            w.presentation.set_zoom(1.0)


def _type(page: QWidget) -> Signature:
    """``_signature`` and the type sizes of the charts' text items (axis labels)."""
    out = _signature(page)
    for view in page.findChildren(QGraphicsView):
        scene = view.scene()
        for item in scene.items() if scene is not None else []:
            if isinstance(item, QGraphicsTextItem) and item.toPlainText().strip():
                out.append(("text item", round(item.font().pointSizeF(), 2), -1, -1))
    return out


@pytest.mark.parametrize("room", ["neuron", "playground"])
def test_a_room_entered_while_zoomed_is_the_room_zoomed_after_its_build(
    make_window: Callable[..., SimulatorWindow], fresh_session: Session, room: str
) -> None:
    """Built while zoomed, a page kept at desktop size what only a zoom reaches: the
    playground's "Iteration" (a label with a style sheet), the charts' axis labels."""
    before = make_window(fresh_session)
    after = make_window(Session(fresh_session.bundle, "en-de", fresh_session.source))
    try:
        before.rooms.switch(room)  # its page built at zoom 1, then zoomed
        early = before.rooms.stack.currentWidget()  # with the timeline it hands over
        plain = _type(early)
        before.presentation.set_zoom(2.0)
        zoomed = _type(early)
        assert zoomed != plain
        before.presentation.set_zoom(1.0)
        after.presentation.set_zoom(2.0)
        after.rooms.switch(room)  # then its page built, as at 1, then zoomed
        late = after.rooms.stack.currentWidget()
        assert theme.get_scale() == 2.0
        assert _type(late) == zoomed
        after.presentation.set_zoom(1.0)
        assert _type(late) == _type(early)  # and back, the same (the timeline's
        # height is 2 px more than before its first zoom in both: its size hint)
    finally:
        for w in (before, after):
            w.presentation.set_zoom(1.0)
