"""The Chapters menu: guided lessons played in the window (``chapter_player``).

The chapter's narration bar sits under the room in front, across the window, large.
While a chapter plays, PageDown / PageUp (what presentation clickers send) move
between its scenes and Esc ends it; otherwise those keys step through the trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from visualizer.i18n import tr

if TYPE_CHECKING:
    from core.chapters import Chapter
    from visualizer.shell.context import WindowContext

STRINGS = {
    "menu": {"en": "&Chapters", "zh": "章节(&C)"},
    "stop": {"en": "End the chapter  (Esc)", "zh": "结束本章  (Esc)"},
}


class ChapterMenu(QObject):
    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.qwindow)
        from visualizer.lecture.chapter_player import ChapterPlayer

        self.player = ChapterPlayer(ctx)
        self.menu = QMenu()
        ctx.add_menu(self.menu)
        self.chapter_actions: list[tuple[QAction, Chapter]] = []
        for chapter in self.player.chapters():
            action = QAction(ctx.qwindow)
            action.triggered.connect(lambda *_, c=chapter: self.player.start(c))
            self.menu.addAction(action)
            self.chapter_actions.append((action, chapter))
        self.menu.addSeparator()
        self.act_stop = QAction(ctx.qwindow)
        self.act_stop.triggered.connect(lambda *_: self.player.stop())
        self.menu.addAction(self.act_stop)
        self.player.sigScene.connect(self._on_scene)
        self.bar = self.player.overlay
        self.bar.setVisible(False)
        ctx.add_under_room(self.bar)
        ctx.on_clicker(self.key)
        ctx.bridge.connect_relabel(self.relabel)
        self.relabel(ctx.session.lang)

    @property
    def active(self) -> bool:
        return bool(self.player.active)

    def _on_scene(self, index: int) -> None:
        self.bar.setVisible(index >= 0)

    def key(self, name: str) -> bool:
        """PageDown / PageUp / Escape: True when a chapter took the key."""
        if not self.active:
            return False
        {"next": self.player.next, "previous": self.player.previous, "stop": self.player.stop}[
            name
        ]()
        return True

    def relabel(self, lang: str) -> None:
        self.menu.setTitle(tr(STRINGS["menu"], lang))
        for i, (action, chapter) in enumerate(self.chapter_actions):
            title = chapter.title.get(lang)
            action.setText(f"{i}. {title}")
        self.act_stop.setText(tr(STRINGS["stop"], lang))
