"""Chapters in the window: the menu lists them, the bar shows under the room, and the
clicker keys move scenes while a chapter plays (and steps otherwise)."""

from __future__ import annotations

from visualizer.assemble import SimulatorWindow


def test_chapter_menu_bar_and_clicker_keys(window: SimulatorWindow) -> None:
    s = window.session
    assert s is not None
    menu = window.chapters
    assert len(menu.chapter_actions) >= 11
    assert menu.chapter_actions[3][0].text().startswith("3. ")
    s.seek(4)
    window._clicker("next")  # no chapter: PageDown steps
    assert s.cursor == 5 and not menu.bar.isVisible()
    menu.chapter_actions[3][0].trigger()  # chapter 3: self-attention
    assert menu.active and menu.bar.isVisible()
    assert menu.player.scene_index == 0
    window._clicker("next")
    assert menu.player.scene_index == 1
    window._clicker("previous")
    assert menu.player.scene_index == 0
    s.lang = "zh"
    assert menu.menu.title().startswith("章节")
    s.lang = "en"
    window._clicker("stop")
    assert not menu.active and not menu.bar.isVisible()
