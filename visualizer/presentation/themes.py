"""Light, dark and high-contrast themes, switchable at run time and remembered.

``apply_theme(app, name, root)`` sets the application palette (Fusion style for the
dark ones, which follows a palette everywhere), the pyqtgraph colours for plots
made from now on (``setConfigOption``) and recolours the plots that exist under
``root`` (background, axis lines and labels). The choice is kept in QSettings
(``theme``).

Many views paint on white "paper" of their own (a stylesheet ``background: white``,
or a ``fillRect`` in white) with dark text. In a dark theme such a panel keeps a
light palette for its children, and its plots stay light, so its text stays
readable: the chrome (docks, tabs, menus, inputs, timeline) and the remaining
plots turn dark.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QStyleFactory,
    QTextEdit,
    QWidget,
)

from visualizer.presentation.palettes import THEMES, theme_palette
from visualizer.theme import GRID, TEXT
from visualizer.widgets.top_levels import live_top_levels

SETTINGS = ("transformer-sim", "transformer-sim")
NAMES: dict[str, dict[str, str]] = {
    "light": {"en": "Light", "zh": "浅色"},
    "dark": {"en": "Dark", "zh": "深色"},
    "contrast": {"en": "High contrast", "zh": "高对比度"},
}
PAPER = re.compile(r"background(?:-color)?\s*:\s*(?:white|#fff\b|#ffffff)", re.IGNORECASE)


LIGHT_PLOT = ("w", TEXT, GRID)
ICON_BUTTON = {"dark": "#b9bcc4", "contrast": "#ffffff"}  # behind the style's black icons

_original: dict[str, Any] = {}  # the app's own palette and style, for "light"
_plots: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()
_current = ["light"]
# a white panel -> (its WA_StyledBackground, its own stylesheet) before a dark theme
_icon_buttons: weakref.WeakSet[QAbstractButton] = weakref.WeakSet()
_papers: weakref.WeakKeyDictionary[QWidget, tuple[bool, str]] = weakref.WeakKeyDictionary()


def palette(name: str) -> QPalette:
    """The palette of a theme ("light": the application's own)."""
    if name not in THEMES:
        return QPalette(_original.get("palette") or QApplication.palette())
    return theme_palette(THEMES[name])


def current_theme() -> str:
    return _current[0]


def saved_theme() -> str:
    """The theme chosen last time ("light" when none or unknown)."""
    name = QSettings(*SETTINGS).value("theme", "light")
    return name if name in NAMES else "light"


def apply_theme(
    app: QApplication, name: str, root: QWidget | None = None, remember: bool = True
) -> str:
    """Switch to theme ``name`` ("light", "dark" or "contrast"); recolours the plots
    under ``root`` (every top-level window when None). Returns the name applied."""
    import pyqtgraph as pg

    name = name if name in NAMES else "light"
    if not _original:
        _original["palette"] = QPalette(app.palette())
        _original["style"] = app.style().name()
    # a palette is followed everywhere only by Fusion
    style = _original["style"] if name == "light" else "fusion"
    if app.style().name().lower() != style.lower():
        made = QStyleFactory.create(style)
        if made is not None:
            app.setStyle(made)
    app.setPalette(palette(name))
    bg, fg, _grid = _plot_colours(name)
    pg.setConfigOption("background", bg)
    pg.setConfigOption("foreground", fg)
    if root is not None:
        recolour(root, name)
    else:
        with live_top_levels() as tops:
            for top in tops:
                recolour(top, name)
    _current[0] = name
    if remember:
        QSettings(*SETTINGS).setValue("theme", name)
    return name


def _plot_colours(name: str) -> tuple[str, str, str]:
    if name not in THEMES:
        return LIGHT_PLOT
    t = THEMES[name]
    return t.plot_bg, t.plot_fg, t.plot_grid


def recolour(root: QWidget, name: str | None = None) -> None:
    """Apply the theme's plot colours and paper palettes to the widgets under ``root``
    (call again for widgets made later, e.g. a room built on its first visit)."""
    import pyqtgraph as pg

    name = name or _current[0]
    for w in [root, *root.findChildren(QWidget)]:
        _paper(w, name in THEMES)
        if isinstance(w, QAbstractButton) and not w.icon().isNull() and not w.text():
            _icon_button(w, name)
    for view in root.findChildren(pg.GraphicsView):
        on_paper = _on_paper(view)
        bg, fg, grid = LIGHT_PLOT if on_paper else _plot_colours(name)
        _recolour_plot(view, name if not on_paper else "light", bg, fg, grid)


def _icon_button(w: QAbstractButton, name: str) -> None:
    """The style's icons are black: on a dark theme their buttons stay light."""
    if name in THEMES:
        p = QPalette(w.palette())
        p.setColor(QPalette.ColorRole.Button, QColor(ICON_BUTTON[name]))
        p.setColor(QPalette.ColorRole.ButtonText, QColor("#000000"))
        w.setPalette(p)
        _icon_buttons.add(w)
    elif w in _icon_buttons:
        w.setPalette(QPalette())
        _icon_buttons.discard(w)


def _paper(w: QWidget, dark: bool) -> None:
    """Keep a white panel's text dark (``dark``) or give it back as its owner made it."""
    sheet = w.styleSheet() or ""
    if w in _papers:
        attr, own = _papers[w]
        if sheet != own and sheet.startswith(own):  # our addition to its stylesheet
            sheet = own
    elif isinstance(w, QAbstractButton) or not PAPER.search(sheet):
        return  # a button with a white stylesheet sets its own text colour too
    else:
        attr, own = w.testAttribute(Qt.WidgetAttribute.WA_StyledBackground), sheet
        _papers[w] = (attr, own)
    if isinstance(w, QTextEdit):  # its stylesheet sets its palette: say the colour there
        extra = f"\n{w.metaObject().className()} {{ color: {TEXT}; }}" if dark else ""
        if w.styleSheet() != own + extra:
            w.setStyleSheet(own + extra)
        return
    # children without a stylesheet take this palette: dark text, light buttons
    paper = palette("light")
    paper.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    w.setPalette(paper if dark else QPalette())
    w.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, dark or attr)  # paint the white
    w.update()


def _on_paper(w: QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None:
        if PAPER.search(parent.styleSheet() or ""):
            return True
        parent = parent.parentWidget()
    return False


def _recolour_plot(view: Any, name: str, bg: str, fg: str, grid: str) -> None:
    import pyqtgraph as pg

    if view not in _plots:  # remember how its owner made it, for "light"
        axes = [i for i in view.scene().items() if isinstance(i, pg.AxisItem)]
        _plots[view] = (
            view.backgroundBrush(),
            [(a, pg.mkPen(a.pen()), pg.mkPen(a.textPen())) for a in axes],
        )
    brush, axes = _plots[view]
    if name in THEMES:
        view.setBackground(bg)
    else:
        view.setBackgroundBrush(brush)
    for axis, pen, text_pen in axes:
        if name in THEMES:
            axis.setPen(pg.mkPen(grid))
            axis.setTextPen(pg.mkPen(fg))
        else:
            axis.setPen(pen)
            axis.setTextPen(text_pen)
