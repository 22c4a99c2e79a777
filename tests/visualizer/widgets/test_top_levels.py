"""Walking the top-level widgets: the collector waits (a window it frees would take its
child popups, already in the list, with it) and is back on afterwards."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QMenu, QWidget

from visualizer.widgets.top_levels import live_top_levels


def test_the_collector_waits_during_the_walk_and_only_live_widgets_come(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    menu = QMenu(window)  # a popup with a parent: a top-level widget of its own
    was = gc.isenabled()  # off in the tests (tests/conftest.py): switched on for this one
    gc.enable()
    try:
        with live_top_levels() as tops:
            assert not gc.isenabled()
            assert any(t is window for t in tops) and any(t is menu for t in tops)
        assert gc.isenabled()
        gc.disable()
        with live_top_levels():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
