"""Rooms: the tab bar switches between the Transformer and the labs; keys, language
and the dock layout follow the room in front."""

from __future__ import annotations

import pytest

from visualizer.assemble import SimulatorWindow


@pytest.mark.parametrize("room", ["neuron", "playground"])
def test_a_lab_room_takes_the_window_and_gives_it_back(window: SimulatorWindow, room: str) -> None:
    s = window.session
    assert s is not None
    s.seek(5)
    visible = {name for name, d in window.docks.items() if d.isVisible()}
    assert visible
    window.rooms.switch(room)
    page = window.rooms.pages[room]
    frame = window.rooms.frames[room]
    shown = window.rooms.stack.currentWidget()  # the scroll area, or what holds it over
    assert shown is frame or shown is frame.parentWidget()  # the room's timeline
    assert frame.widget() is page  # type: ignore[attr-defined]
    timeline = getattr(page, "timeline", None)
    if timeline is not None and shown is not frame:  # kept on screen, out of the scrolling
        assert timeline.parentWidget() is shown and timeline.isVisible()
    assert not any(d.isVisible() for d in window.docks.values())
    lab = window.rooms.navigator()
    assert lab is page.lab and lab is not s
    if not len(lab):
        lab.step_traced()  # the playground records an iteration when asked
    lab.seek(0)
    window._step("step_forward")  # the Right key
    assert lab.cursor == 1 and s.cursor == 5
    s.lang = "zh"
    assert lab.lang == "zh" and window.rooms.bar.tabText(0) == "Transformer"
    window.rooms.bar.setCurrentIndex(0)  # clicking the first tab
    assert window.rooms.current == "transformer"
    assert {name for name, d in window.docks.items() if d.isVisible()} == visible
    window._step("step_forward")
    assert s.cursor == 6
    s.lang = "en"


def test_breakpoint_keys_work_in_a_lab_room(window: SimulatorWindow) -> None:
    window.rooms.switch("neuron")
    lab = window.rooms.navigator()
    assert lab is not None and len(lab)
    target = next(s for s in lab.trace.steps if s.phase == "backward")
    lab.seek(target.index)
    window.debug.toggle_here()  # F9: a breakpoint on this step's name
    assert [b.pattern for b in lab.breakpoints] == [target.name]
    lab.seek(0)
    window.debug.run(+1)  # F8
    first = min(s.index for s in lab.trace.steps if s.name == target.name and s.index > 0)
    assert lab.cursor == first and lab.stopped
    window.debug.toggle_here()
    assert len(lab.breakpoints) == 0
    window.rooms.switch("transformer")


def test_debugger_panels_start_closed_and_open_when_used(window: SimulatorWindow) -> None:
    docks = window.docks
    assert not any(docks[n].isVisible() for n in ("inspector", "breakpoints", "watches"))
    window.debug.actions["toggle_bp"].trigger()  # F9
    assert docks["breakpoints"].isVisible()
    assert window.session is not None and len(window.session.breakpoints) == 1
    window.debug.actions["panels"].trigger()
    assert all(docks[n].isVisible() for n in ("inspector", "interventions", "watches"))


def test_the_stages_room_walks_every_page_in_both_languages(window: SimulatorWindow) -> None:
    """The room opens on the shipped run (no training here) and every page draws in
    English and Chinese; the room bar names every room in full or in short, never cut."""
    from PySide6.QtWidgets import QApplication

    from visualizer.rooms.stages.stages_room import PAGES, StagesRoom
    from visualizer.rooms.stages.stages_text import t
    from visualizer.shell.room_switch import NAMES, ROOMS, SHORT

    s = window.session
    assert s is not None
    window.rooms.switch("stages")
    room = window.rooms.pages["stages"]
    assert isinstance(room, StagesRoom) and window.rooms.navigator() is room.lab
    assert not room.errors  # the shipped run loaded
    bar = window.rooms.bar
    for lang in ("en", "zh"):
        s.lang = lang
        QApplication.processEvents()
        assert room.lab.lang == lang
        assert room.tabs.tabText(PAGES.index("compare")) == t("compare_tab", lang)
        for i in range(room.tabs.count()):
            room.tabs.setCurrentIndex(i)
            QApplication.processEvents()
            assert not room.tabs.currentWidget().grab().isNull()
        for i, name in enumerate(ROOMS):
            assert bar.tabText(i) in (NAMES[name][lang], SHORT[name][lang])
            assert bar.tabToolTip(i) == NAMES[name][lang]
        assert bar.tabRect(bar.count() - 1).right() <= bar.width()  # all shown, none cut
    s.lang = "en"
    window.rooms.switch("transformer")
