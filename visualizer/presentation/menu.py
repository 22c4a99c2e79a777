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
from PySide6.QtWidgets import QApplication, QBoxLayout, QMenu, QWidget

from visualizer.i18n import tr
from visualizer.presentation import themes
from visualizer.presentation.text import T
from visualizer.shell.about import AboutDialog
from visualizer.shell.first_run import FirstRunTip, first_run_done

if TYPE_CHECKING:
    from visualizer.presentation.chooser import PresentationSettings
    from visualizer.presentation.mode import Presentation
    from visualizer.shell.main_window import MainWindow


class PresentationActions(QObject):
    def __init__(self, window: MainWindow, presentation: Presentation) -> None:
        super().__init__(window)
        self.window, self.presentation = window, presentation
        self.about_dialog: AboutDialog | None = None
        self.settings_dialog: PresentationSettings | None = None
        p = presentation
        self.present = self._action(p.toggle, "F5", checkable=True)
        p.action = self.present  # type: ignore[attr-defined]
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
        view = getattr(window, "menu_view", None)
        if isinstance(view, QMenu):
            view.addSeparator()
            for a in (self.present, self.settings, self.zoom_in, self.zoom_out, self.zoom_reset):
                view.addAction(a)
            view.addMenu(self.theme_menu)
        help_menu = getattr(window, "menu_help", None)
        if isinstance(help_menu, QMenu):
            help_menu.addAction(self.about)
        self.tip: FirstRunTip | None = None
        if getattr(window, "persist", True) and not first_run_done():
            self._show_tip()
        bridge = getattr(window, "bridge", None)
        if bridge is not None:
            bridge.sigLang.connect(self.relabel)
        rooms = getattr(window, "rooms", None)
        if rooms is not None:
            rooms.sigRoom.connect(self._on_room)
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
        session = getattr(self.window, "session", None)
        return session.lang if session is not None else "en"

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
            action.setText(tr(T[key], lang))
        self.theme_menu.setTitle(tr(T["theme"], lang))
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

    def _show_tip(self) -> None:
        central = self.window.centralWidget()
        layout = central.layout() if isinstance(central, QWidget) else None
        if not isinstance(layout, QBoxLayout):
            return
        self.tip = FirstRunTip(self.lang())
        layout.insertWidget(0, self.tip)

    def _on_room(self, name: str) -> None:
        self.presentation.keys.follow_room()
        if themes.current_theme() != "light":
            themes.recolour(self.window)  # a room built just now
        if self.presentation.active and name == "transformer":
            self.presentation.show_panels()


def build_actions(window: MainWindow, presentation: Presentation) -> PresentationActions:
    actions = PresentationActions(window, presentation)
    window.presentation_actions = actions  # type: ignore[attr-defined]
    return actions
