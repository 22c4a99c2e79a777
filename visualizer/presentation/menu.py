"""The actions ``presentation.install`` puts on the window: View ▸ Presentation mode (F5),
Presentation settings…, Zoom in / out / Actual size, Theme ▸, Help ▸ About, and the
first-run tip. Every action is also added to the window itself, so its key works
while the menu bar is hidden (presenting)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from visualizer.i18n import tr
from visualizer.presentation import themes
from visualizer.presentation.text import STRINGS
from visualizer.shell.about import AboutDialog
from visualizer.shell.first_run import FirstRunTip, first_run_done

if TYPE_CHECKING:
    from visualizer.presentation.chooser import PresentationSettings
    from visualizer.presentation.mode import Presentation
    from visualizer.shell.context import WindowContext


class PresentationActions(QObject):
    def __init__(self, ctx: WindowContext, presentation: Presentation) -> None:
        super().__init__(ctx.qwindow)
        self.ctx, self.presentation = ctx, presentation
        self.window = window = ctx.qwindow
        self.about_dialog: AboutDialog | None = None
        self.settings_dialog: PresentationSettings | None = None
        p = presentation
        self.present = self._action(p.toggle, "F5", checkable=True)
        p.action = self.present
        self.settings = self._action(self.show_settings)
        self.zoom_in = self._action(p.zoom_in, "Ctrl+=", "Ctrl++")
        self.zoom_out = self._action(p.zoom_out, "Ctrl+-")
        self.zoom_reset = self._action(p.zoom_reset, "Ctrl+0")
        self.about = self._action(self.show_about)
        self.theme_menu = QMenu(window)
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in themes.NAMES:
            a = self._action(functools.partial(self.set_theme, name), checkable=True)
            self.theme_group.addAction(a)
            self.theme_menu.addAction(a)
            self.theme_actions[name] = a
        view = ctx.menu_view
        view.addSeparator()
        for a in (self.present, self.settings, self.zoom_in, self.zoom_out, self.zoom_reset):
            view.addAction(a)
        view.addMenu(self.theme_menu)
        ctx.menu_help.addAction(self.about)
        self.tip: FirstRunTip | None = None
        if ctx.persist and not first_run_done():
            self.tip = FirstRunTip(self.lang())
            ctx.add_above_room(self.tip)
        ctx.bridge.sigLang.connect(self.relabel)
        ctx.rooms.sigRoom.connect(self._on_room)
        self.relabel()

    def _action(self, slot: Callable[[], object], *keys: str, checkable: bool = False) -> QAction:
        a = QAction(self.window)
        a.setCheckable(checkable)
        a.triggered.connect(lambda *_: slot())
        if keys:
            a.setShortcuts([QKeySequence(k) for k in keys])
        self.window.addAction(a)  # works while the menu bar is hidden
        return a

    def lang(self) -> str:
        return self.ctx.session.lang

    def relabel(self, *_: object) -> None:
        lang = self.lang()
        for action, key in (
            (self.present, "present"),
            (self.settings, "settings"),
            (self.zoom_in, "zoom_in"),
            (self.zoom_out, "zoom_out"),
            (self.zoom_reset, "zoom_reset"),
            (self.about, "about"),
        ):
            action.setText(tr(STRINGS[key], lang))
        self.theme_menu.setTitle(tr(STRINGS["theme"], lang))
        for name, a in self.theme_actions.items():
            a.setText(tr(themes.NAMES[name], lang))
            a.setChecked(name == themes.current_theme())
        for dialog in (self.about_dialog, self.settings_dialog, self.tip):
            if dialog is not None:
                dialog.set_lang(lang)

    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            themes.apply_theme(app, name)
        self.relabel()
        if self.settings_dialog is not None:
            self.settings_dialog.sync()

    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.lang(), self.window)
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    def show_settings(self) -> PresentationSettings:
        from visualizer.presentation.chooser import PresentationSettings

        if self.settings_dialog is None:
            self.settings_dialog = PresentationSettings(self.presentation, self.window)
        self.settings_dialog.sync()
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        return self.settings_dialog

    def _on_room(self, name: str) -> None:
        self.presentation.keys.follow_room()
        if themes.current_theme() != "light":
            themes.recolour(self.window)  # a room built just now
        if self.presentation.active and name == "transformer":
            self.presentation.show_panels()
