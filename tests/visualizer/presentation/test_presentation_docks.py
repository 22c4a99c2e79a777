"""Entering and leaving presentation mode keeps the dock layout whole (issue 16):

- no "ghost" tab bars: every tab bar of the window's dock areas that is on screen
  belongs to a tab group of shown docks, sits beside them (not over the centre or the
  timeline) and shows their titles in the window's language — a ``restoreState`` while
  the docks were on screen left Qt's old bars behind, drawn over the timeline, some in
  English in a Chinese window;
- leaving gives back a usable layout for the room and scene in front: the layout from
  before presenting, or, in a chapter, the scene's own panels (a chapter started from a
  lab room came back with no panels at all).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QTabBar

from core.session import Session
from visualizer.assemble import SimulatorWindow
from visualizer.i18n import tr
from visualizer.presentation.mode import Presentation
from visualizer.shell.main_window import TITLES

SETTINGS = ("transformer-sim", "transformer-sim")


@pytest.fixture
def window(
    make_window: Callable[..., SimulatorWindow], fresh_session: Session
) -> Iterator[SimulatorWindow]:
    settings = QSettings(*SETTINGS)
    for key in ("presentation/panels", "presentation/zoom"):
        settings.remove(key)
    fresh_session.animate = False
    w = make_window(fresh_session, (1366, 768))
    settle()
    yield w
    if w.chapters.player.active:
        w.chapters.player.stop()
    w.presentation.leave()
    settle()
    for key in ("presentation/panels", "presentation/zoom"):
        settings.remove(key)


def settle() -> None:
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        QApplication.processEvents()


def shown(w: SimulatorWindow) -> set[str]:
    return {name for name, dock in w.docks.items() if not dock.isHidden()}


def ghost_tab_bars(w: SimulatorWindow) -> list[str]:
    """What is wrong with each dock-area tab bar on screen: one that does not show the
    titles of shown docks in the window's language, is squeezed to nothing, or lies over
    the centre or over a dock that is none of its tabs."""
    lang = w.session.lang
    titles = {tr(TITLES[name], lang): name for name, dock in w.docks.items() if dock.isVisible()}
    central = w.centralWidget()
    assert central is not None
    problems = []
    front = {n: d for n, d in w.docks.items() if d.isVisible() and not d.visibleRegion().isEmpty()}
    for bar in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not bar.isVisible() or not bar.geometry().intersects(w.rect()):
            continue  # not drawn (Qt parks unused bars outside the window)
        texts = [bar.tabText(i) for i in range(bar.count())]
        g = bar.geometry()
        where = f"tab bar {texts} at {g.getRect()}"
        if g.height() <= 0 or g.width() <= 0:
            problems.append(f"{where}: no size")
        others = [t for t in texts if t not in titles]
        if others:
            problems.append(f"{where}: not a shown dock's title in {lang}: {others}")
        if g.intersects(central.geometry()):
            problems.append(f"{where}: over the centre")
        tabs = {titles.get(t) for t in texts}
        for name, dock in front.items():
            if name not in tabs and _overlap(g, dock.geometry()):
                problems.append(f"{where}: over the {name} dock")
    return problems


def _overlap(a: QRect, b: QRect) -> bool:
    inter = a.intersected(b)
    return inter.width() > 2 and inter.height() > 2


def present(w: SimulatorWindow, zoom: float) -> None:
    p: Presentation = w.presentation
    p.choose_zoom(zoom)
    p.enter()
    w.setGeometry(0, 0, 1366, 768)  # the offscreen screen is smaller than the one we test
    settle()
    p.size_docks()
    settle()


def leave(w: SimulatorWindow) -> None:
    w.presentation.leave()
    settle()


def test_no_ghost_tab_bars_after_presenting_and_leaving_in_chinese(
    window: SimulatorWindow,
) -> None:
    w = window
    w.session.lang = "zh"
    settle()
    assert ghost_tab_bars(w) == []
    for zoom in (1.5, 2.0, 1.0):
        present(w, zoom)
        assert ghost_tab_bars(w) == [], zoom
        leave(w)
        assert ghost_tab_bars(w) == [], zoom
    w.session.mode = "train"  # the Loss / Update group in front
    settle()
    present(w, 1.5)
    w.session.lang = "en"  # switched while presenting: no bar stays in Chinese
    settle()
    leave(w)
    w.session.lang = "zh"
    settle()
    present(w, 1.5)
    assert ghost_tab_bars(w) == []
    leave(w)
    assert ghost_tab_bars(w) == []


def test_no_ghost_tab_bars_in_a_chapter_scene_presented_and_left(
    window: SimulatorWindow,
) -> None:
    """Chapter 6 scene 4 (Decoding and Attention tabbed, Loss / Update hidden), in
    Chinese, presented at each zoom and left, the window resized between."""
    w = window
    w.session.lang = "zh"
    player = w.chapters.player
    player.start("decoder", 3)
    settle()
    scene = player.scene
    assert scene is not None and scene.panels is not None
    for zoom in (1.5, 2.0, 1.0):
        present(w, zoom)
        assert ghost_tab_bars(w) == [], zoom
        leave(w)
        w.resize(1366, 768)
        settle()
        assert ghost_tab_bars(w) == [], zoom
        assert shown(w) == set(scene.panels)


def test_no_ghost_tab_bars_in_the_layout_checks_sequence() -> None:
    """The layout check's window (``visualizer.gallery.stage``) on chapter 6 scene 4 in
    Chinese at 1366×768: presenting at 150 %, the normal window, presenting at 100 % —
    where the ghost bars were seen ("Loss | Update", "Attention" over the timeline)."""
    from visualizer.gallery.plan import Combo, Mode, Subject
    from visualizer.gallery.stage import Stage

    stage = Stage((1366, 768))
    try:
        stage.show(Subject("decoder", 3, "", 6), "zh")
        for mode in (Mode(True, 1.5), Mode(False, 1.0), Mode(True, 1.0), Mode(True, 2.0)):
            stage.lay_out(Combo("zh", (1366, 768), mode))
            assert ghost_tab_bars(stage.window) == [], mode
    finally:
        stage.close()


def test_no_ghost_tab_bars_after_a_lab_room_and_back(window: SimulatorWindow) -> None:
    w = window
    w.session.lang = "zh"
    before = shown(w)
    for room in ("neuron", "transformer", "playground", "transformer"):
        w.rooms.switch(room)
        settle()
        assert ghost_tab_bars(w) == [], room
    assert shown(w) == before


def test_no_ghost_tab_bars_after_reset_layout(window: SimulatorWindow) -> None:
    """View ▸ Reset layout still uses restoreState: the bars it leaves are hidden."""
    w = window
    w.session.lang = "zh"
    w.chapters.player.start("decoder", 3)
    settle()
    w.act_reset.trigger()
    settle()
    assert ghost_tab_bars(w) == []
    w.session.mode = "train"
    settle()
    present(w, 1.5)
    leave(w)
    w.act_reset.trigger()
    settle()
    assert ghost_tab_bars(w) == []


def test_leaving_gives_back_the_layout_from_before(window: SimulatorWindow) -> None:
    w = window
    w.docks["loss"].raise_()
    settle()
    before = shown(w)
    share = w.docks["diagram"].width() / w.width()
    present(w, 1.5)
    assert shown(w) != before
    leave(w)
    assert shown(w) == before
    assert not w.docks["loss"].visibleRegion().isEmpty()  # in front again
    assert w.docks["attention"].visibleRegion().isEmpty()
    # its share of the width (the offscreen screen, 800 px wide, may narrow the window)
    assert w.docks["diagram"].width() / w.width() == pytest.approx(share, abs=0.03)


def test_presenting_from_a_lab_room_then_leaving_mid_chapter_shows_the_scene(
    window: SimulatorWindow,
) -> None:
    """Presentation entered in a lab room (the docks all hidden then), a chapter started,
    presentation left mid-chapter: the scene's panels are shown, not none."""
    w = window
    w.rooms.switch("neuron")
    settle()
    present(w, 1.5)
    player = w.chapters.player
    player.start("decoder", 3)
    settle()
    scene = player.scene
    assert scene is not None and scene.room == "transformer" and scene.panels
    assert w.rooms.current == "transformer"
    leave(w)
    assert shown(w) == set(scene.panels)
    assert ghost_tab_bars(w) == []
    player.stop()  # the lecturer's room comes back, and on return its docks
    settle()
    assert w.rooms.current == "neuron"
    w.rooms.switch("transformer")
    settle()
    assert shown(w) >= {"diagram", "narration", "timeline"}
    assert ghost_tab_bars(w) == []


def test_presenting_from_a_lab_room_then_leaving_there_keeps_the_docks_for_later(
    window: SimulatorWindow,
) -> None:
    w = window
    before = shown(w)
    w.rooms.switch("stages")
    present(w, 2.0)
    leave(w)
    assert shown(w) == set()  # a lab room shows no docks
    w.rooms.switch("transformer")
    settle()
    assert shown(w) == before
    assert ghost_tab_bars(w) == []
