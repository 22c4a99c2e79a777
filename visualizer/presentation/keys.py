"""The presenter's keys: PageDown / PageUp (a clicker) step, B blanks the screen,
D / H draw or highlight, C clears, Esc undoes the innermost thing. Single keys, so
only while presenting; the window's own keys with the same sequence are silenced
meanwhile (two enabled shortcuts for one key would both stay silent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut

from visualizer.presentation.layout import rival_shortcuts

if TYPE_CHECKING:
    from collections.abc import Callable

    from visualizer.presentation.annotations import Annotations, Blank
    from visualizer.shell.context import WindowContext


class PresenterKeys(QObject):
    def __init__(
        self,
        ctx: WindowContext,
        blank: Blank,
        annotations: Annotations,
        leave: Callable[[], None],
        parent: QObject,
    ) -> None:
        """``leave``: what Esc does last (leave presentation mode)."""
        super().__init__(parent)
        self.ctx, self.window = ctx, ctx.qwindow
        self.blank, self.annotations, self.leave = blank, annotations, leave
        self.shortcuts: list[QShortcut] = []
        self._silenced: list[QShortcut] = []
        self._followed: set[int] = set()  # lab navigators whose steps clear the drawing
        for keys, slot in (
            ("PgDown", lambda: self.step("step_forward")),
            ("PgUp", lambda: self.step("step_back")),
            ("B", self.toggle_blank),
            ("D", lambda: self.annotations.toggle("pen")),
            ("H", lambda: self.annotations.toggle("highlight")),
            ("C", self.annotations.clear),
            ("Esc", self.escape),
        ):
            sc = QShortcut(QKeySequence(keys), self.window)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)
            sc.setEnabled(False)
            self.shortcuts.append(sc)
        self.ctx.bridge.sigCursor.connect(self.on_step)
        self.ctx.bridge.sigTrace.connect(self.on_step)

    def set_enabled(self, on: bool) -> None:
        if on:
            self._silenced = rival_shortcuts(self.shortcuts)
        for sc in self._silenced:
            sc.setEnabled(not on)
        for sc in self.shortcuts:
            sc.setEnabled(on)

    def step(self, method: str) -> None:
        """A clicker key: the first press after a blank only shows the screen again; a
        chapter that plays takes the key (its next scene)."""
        if self.blank.isVisible():
            self.blank.hide()
            return
        self.annotations.clear()
        if self._chapter_key("next" if method == "step_forward" else "previous"):
            return
        nav = self.ctx.rooms.navigator()
        if nav is not None and len(nav):
            getattr(nav, method)()

    def _chapter_key(self, name: str) -> bool:
        """Hand a clicker key to a feature that wants it (a chapter that plays)."""
        return self.ctx.take_clicker(name)

    def toggle_blank(self) -> None:
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.blank.setGeometry(self.window.rect())
            self.blank.show()
            self.blank.raise_()

    def escape(self) -> None:
        """Esc undoes the innermost thing: the blank, a drawing, a chapter, the mode."""
        if self.blank.isVisible():
            self.blank.hide()
        elif self.annotations.mode is not None or self.annotations.has_marks():
            self.annotations.set_mode(None)
            self.annotations.clear()
        elif not self._chapter_key("stop"):
            self.leave()

    def on_step(self, *_: object) -> None:
        self.annotations.clear()

    def follow_room(self) -> None:
        """A lab room's steps clear the drawing too (its navigator is not the session)."""
        nav = self.ctx.rooms.navigator()
        events = getattr(nav, "events", None)
        if nav is not None and nav is not self.ctx.session and id(nav) not in self._followed:
            self._followed.add(id(nav))
            if events is not None and "cursor" in getattr(nav, "FIELDS", ()):
                events.get("cursor").connect(self.on_step)
