"""What a feature may use of the window: the narrow ``WindowContext`` protocol.

Features (the File menu's sessions, export, the debugger menu, chapters, presentation
mode) never import the main window. The composition root (``visualizer.assemble``)
hands each one the window typed as this protocol, so a feature sees only the session,
the views and docks, the rooms and a few hooks to add itself to the window — and a
reader sees in one place everything a feature can touch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

    from core.session import Session
    from visualizer.bridge import SessionBridge
    from visualizer.shell.room_switch import RoomSwitcher

ShortcutRow = tuple[str, str, str]  # (keys, English, Chinese) for the F1 sheet


class WindowContext(Protocol):
    """The main window as features see it (``visualizer.shell.main_window`` implements it)."""

    @property
    def session(self) -> Session:
        """The Transformer room's session (features are installed once it is loaded)."""
        ...

    @property
    def bridge(self) -> SessionBridge: ...

    @property
    def qwindow(self) -> QMainWindow:
        """The Qt window itself: parent for dialogs, geometry, full screen, actions."""
        ...

    @property
    def persist(self) -> bool:
        """False in tests and offscreen renders: no settings, dialogs or autosave."""
        ...

    @property
    def views(self) -> Mapping[str, QWidget]: ...

    @property
    def docks(self) -> Mapping[str, QDockWidget]: ...

    @property
    def rooms(self) -> RoomSwitcher: ...

    @property
    def menu_view(self) -> QMenu: ...

    @property
    def menu_help(self) -> QMenu: ...

    def say(self, text: str, ms: int = 8000) -> None:
        """A message in the status bar (``ms`` = 0: until the next one)."""
        ...

    def add_menu(self, menu: QMenu) -> None:
        """A menu of its own on the menu bar, before Help."""
        ...

    def add_under_room(self, widget: QWidget) -> None:
        """A bar across the whole window under the rooms and docks (the chapter
        narration); it shows and hides with ``widget``."""
        ...

    def add_above_room(self, widget: QWidget) -> None:
        """A bar across the top of the window (first-run tip)."""
        ...

    def add_above_input(self, widget: QWidget) -> None:
        """A bar above the Transformer room's input bar (crash-recovery offer)."""
        ...

    def add_shortcut_rows(self, rows: Sequence[ShortcutRow]) -> None:
        """Rows for the F1 sheet of shortcuts."""
        ...

    def on_clicker(self, handler: Callable[[str], bool]) -> None:
        """PageDown / PageUp / Esc ("next", "previous", "stop") go to ``handler`` first;
        it returns True when it took the key (else they step the room in front)."""
        ...

    def take_clicker(self, name: str) -> bool:
        """Offer a clicker key to the ``on_clicker`` handlers; True when one took it."""
        ...

    def on_close(self, callback: Callable[[], None]) -> None:
        """Called when the window closes, newest first, before the layout is saved."""
        ...

    def on_view_built(self, callback: Callable[[str, QWidget], None]) -> None:
        """``callback(name, view)`` when a panel built on first use (the Training,
        Update, Inspector, Router and Classify panels: ``shell/lazy_views.py``) has been
        built, as at zoom 1, and put in its dock; and when a room's page has been built,
        as at zoom 1, on first entering the room (``shell/room_switch.py``)."""
        ...

    def on_drop(self, handler: Callable[[str], object]) -> None:
        """A ``.tsim`` file or a folder dropped on the window."""
        ...
