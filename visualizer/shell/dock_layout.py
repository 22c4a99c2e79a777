"""A dock layout taken and given back with show / hide / raise / resize only.

``QMainWindow.restoreState`` is not used to give a layout back while the window is on
screen: it builds new tab bars for the tabbed dock groups and leaves the old ones
behind, still shown, at their old places and with the titles they had then — the
"ghost" tab bars ("Loss | Update", "Attention" in a Chinese window) drawn over the
timeline after presentation mode was left (issue 16). Leaving presentation mode and
coming back from a lab room therefore give back which docks were shown, which were in
front of their tab group and the shown docks' sizes; the docks' places do not change
meanwhile (a hidden dock cannot be moved, and presentation mode moves none).
``hide_stray_tab_bars`` hides the bars Qt leaves behind where a restoreState is still
wanted (View ▸ Reset layout).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar


@dataclass(frozen=True)
class DockLayout:
    """Which docks were shown, which were in front, each shown docked one's size, and
    those the layout showed but the open model's shape hid (shown again where a model
    they apply to is open when the layout comes back: ``MainWindow``)."""

    shown: frozenset[str]
    front: tuple[str, ...]
    sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    shape_hidden: frozenset[str] = frozenset()


def take(
    window: QMainWindow,
    docks: Mapping[str, QDockWidget],
    shape_hidden: frozenset[str] = frozenset(),
) -> DockLayout:
    """The layout now (the window's docks by name)."""
    shown = frozenset(n for n, d in docks.items() if not d.isHidden())
    # in front: shown and not covered by another tab of its group
    front = tuple(n for n, d in docks.items() if n in shown and not d.visibleRegion().isEmpty())
    sizes = {
        n: (d.width(), d.height()) for n, d in docks.items() if n in front and not d.isFloating()
    }
    return DockLayout(shown, front, sizes, shape_hidden)


def give_back(
    window: QMainWindow,
    docks: Mapping[str, QDockWidget],
    layout: DockLayout,
    keep: Mapping[str, bool] | None = None,
) -> None:
    """Show the docks ``layout`` showed (those ``keep`` maps to False stay hidden: a model
    of another shape opened meanwhile), hide the others, bring its front docks forward
    and give them their sizes back."""
    keep = keep or {}
    for name, dock in docks.items():
        dock.setVisible(name in layout.shown and keep.get(name, True))
    for name in layout.front:
        if name in docks and not docks[name].isHidden():
            docks[name].raise_()
    resize(window, docks, layout)


def resize(window: QMainWindow, docks: Mapping[str, QDockWidget], layout: DockLayout) -> None:
    """The front docks' sizes of ``layout`` (those still shown and docked)."""
    sized = [
        (docks[n], layout.sizes[n])
        for n in layout.front
        if n in docks and n in layout.sizes and not docks[n].isHidden()
    ]
    sized = [(d, size) for d, size in sized if not d.isFloating()]
    if not sized:
        return
    window.resizeDocks(
        [d for d, _ in sized], [w for _, (w, _h) in sized], Qt.Orientation.Horizontal
    )
    window.resizeDocks([d for d, _ in sized], [h for _, (_w, h) in sized], Qt.Orientation.Vertical)


def stray_tab_bars(window: QMainWindow, docks: Mapping[str, QDockWidget]) -> list[QTabBar]:
    """Tab bars of the window's dock areas that are shown but belong to no shown tab
    group: a tab group's bar spans the width of its docks, right above or below them."""
    shown = [d for d in docks.values() if not d.isHidden() and not d.isFloating()]
    out = []
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if bar.isHidden():
            continue
        g = bar.geometry()
        if not any(
            d.geometry().left() == g.left() and d.geometry().width() == g.width() for d in shown
        ):
            out.append(bar)
    return out


def hide_stray_tab_bars(window: QMainWindow, docks: Mapping[str, QDockWidget]) -> None:
    """Hide what ``stray_tab_bars`` finds, once the layout is applied (else a bar just
    put in use would still have its old place)."""
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
    for bar in stray_tab_bars(window, docks):
        bar.hide()
