"""Window plumbing while presenting: dock shares, the size to go back to, the menu
bar's keys (which must move to the window while the menu bar is hidden) and the
window's own keys that the presentation's stand in for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QApplication, QMenu

from visualizer.widgets.top_levels import live_top_levels

if TYPE_CHECKING:
    from collections.abc import Mapping

    from PySide6.QtWidgets import QDockWidget, QMainWindow

Area = Qt.DockWidgetArea
SHARES = ((Area.LeftDockWidgetArea, 0.27), (Area.RightDockWidgetArea, 0.4))  # of the width
DIAGRAM_SHARE = 0.55  # of the height, above the narration


def size_docks(w: QMainWindow, docks: Mapping[str, QDockWidget]) -> None:
    """Give the shown docks a projector-friendly share of the screen (the central area,
    at its zoomed minimum width, takes the rest)."""
    shown = [d for d in docks.values() if d.isVisible() and not d.isFloating()]
    width, height = max(w.width(), 800), max(w.height(), 600)
    for area, share in SHARES:
        in_area = [d for d in shown if w.dockWidgetArea(d) == area]
        if in_area:
            w.resizeDocks(in_area, [int(width * share)] * len(in_area), Qt.Orientation.Horizontal)
    left = [d for d in shown if w.dockWidgetArea(d) == Area.LeftDockWidgetArea]
    if len(left) == 2:  # the diagram above the narration
        w.resizeDocks(
            left,
            [int(height * DIAGRAM_SHARE), int(height * (1 - DIAGRAM_SHARE))],
            Qt.Orientation.Vertical,
        )


def restore_geometry(w: QMainWindow, geometry: QByteArray) -> None:
    """The size from before presenting; the layouts first shrink back from the zoom
    (else the zoomed minimum sizes, still cached, would widen the window)."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
    w.restoreGeometry(geometry)


def menu_actions(window: QMainWindow) -> list[QAction]:
    """The menu bar's actions that have keys, in every submenu."""
    out: list[QAction] = []
    menus = [m for a in window.menuBar().actions() if isinstance(m := a.menu(), QMenu)]
    while menus:
        for action in menus.pop().actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                menus.append(sub)
            elif action.shortcuts():
                out.append(action)
    return out


def read_float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]  # a QSettings value of any type: caught below
    except (TypeError, ValueError):
        return default


def rival_shortcuts(keys: list[QShortcut]) -> list[QShortcut]:
    """Enabled shortcuts elsewhere with the same keys (an application-wide one, even of
    another window, would make ours ambiguous and neither would fire)."""
    mine = {k.key() for k in keys}
    with live_top_levels() as tops:
        found = [sc for top in tops for sc in top.findChildren(QShortcut)]
        return [
            sc
            for sc in found
            if sc.isEnabled() and sc.key() in mine and all(sc is not k for k in keys)
        ]
