"""Presentation zoom: make every font in the window follow ``theme.get_scale()``.

``theme.ui_font`` multiplies by the zoom, so text painted from now on grows by
itself. This module brings up to date what was made before the zoom changed,
without the views' help:

- the root's font (every widget under it that sets no font of its own inherits it;
  the application font is left alone, since setting it drops the platform's fonts
  for headers, menus and dock titles; a widget with a style sheet inherits it only
  when its sheet is applied again), and each plot scene's font;
- every widget's own font (``setFont``), icon size, and fixed or largest height /
  width (a heatmap title, a language button, the timeline), so bigger text fits;
- fonts a widget or a pyqtgraph item keeps in an attribute (``self._font``,
  ``self.fonts = [(font, metrics), …]``) and their metrics;
- pyqtgraph axes (tick fonts), curves and lines (pen widths);
- read-only rich text (the narration): explicit ``font-size: 12pt`` runs;
- heatmaps re-measure their labels (``Heatmap.set_matrix`` again, same data).

Each size is scaled from its base, the size at zoom 1 (``presentation_sizes``), so
zooming in and out never drifts; a view that sets a new font while zoomed is noticed
and its font taken as made at that zoom.
A widget may also define ``apply_scale(scale)`` to do its own part.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QDockWidget,
    QGraphicsView,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from visualizer import theme
from visualizer.presentation.plots import is_heatmap, remeasure_heatmap, scale_scene
from visualizer.presentation.richtext import follow_document, scale_document
from visualizer.presentation.sizes import font_size, scale_attributes, scaled

SET_BY_HAND = 10_000  # a largest size below this was set for the widget's text
_roots: weakref.WeakKeyDictionary[QWidget, tuple[bool, QFont]] = weakref.WeakKeyDictionary()


def apply_scale(root: QWidget, scale: float) -> float:
    """Zoom the whole widget tree under ``root``; returns the scale applied."""
    old = theme.get_scale()
    theme.set_scale(scale)
    new = theme.get_scale()
    _scale_root(root, new)
    scale_tree(root, old, new)
    return new


def scale_tree(root: QWidget, old: float, new: float) -> None:
    """Zoom the widgets under ``root`` from ``old`` to ``new`` (not ``root``'s own font,
    nor the zoom ``theme`` holds): ``apply_scale``'s work on each widget, and the whole
    of it for a view built after the zoom (built as at zoom 1, then zoomed from 1)."""
    widgets = [w for w in root.findChildren(QWidget) if not _in_popup(w)]
    for w in widgets:
        _scale_widget(w, old, new)
    for w in widgets:  # after: the font it takes is the parent's, already zoomed
        _inherit_again(w)
        scale_attributes(w, old, new)
        if isinstance(w, QGraphicsView) and w.scene() is not None:
            scale_scene(w.scene(), old, new)
        if isinstance(w, QTextEdit) and w.isReadOnly():
            follow_document(w)
            scale_document(w)
    for w in [*widgets, root]:  # the root's own part too (a room's page places its side)
        if is_heatmap(w):
            remeasure_heatmap(w)
        hook = getattr(w, "apply_scale", None)
        if callable(hook):
            hook(new)


# -- widgets ---------------------------------------------------------------------------
def _scale_root(root: QWidget, scale: float) -> None:
    """The root's font × zoom: inherited by every widget that sets none (and a dock
    whose font differs from the application's draws its title in it, not in the
    platform's fixed title font). At zoom 1 the root gets back what it had."""
    from PySide6.QtCore import Qt

    if root not in _roots:
        _roots[root] = (root.testAttribute(Qt.WidgetAttribute.WA_SetFont), QFont(root.font()))
    had, original = _roots[root]
    if abs(scale - 1.0) < 1e-6:
        root.setFont(original if had else QFont())  # an empty font: inherit again
        del _roots[root]
        return
    f = QFont(original)
    if original.pointSizeF() > 0:
        f.setPointSizeF(original.pointSizeF() * scale)
    else:
        f.setPixelSize(round(original.pixelSize() * scale))
    root.setFont(f)


def _scale_widget(w: QWidget, old: float, new: float) -> None:
    """Its own font, its icon, and a fixed or largest size (made to fit its text)."""
    from PySide6.QtCore import Qt

    if isinstance(w, QAbstractButton) and not w.icon().isNull():
        size = w.iconSize()
        side = int(scaled(w, "icon", size.height(), old, new, integer=True))
        w.setIconSize(QSize(round(side * size.width() / max(1, size.height())), side))
    if isinstance(w, (QDockWidget, QScrollBar)) or w.objectName().startswith("qt_"):
        return  # sizes Qt sets itself (dock layouts, scroll bars, scroll area corners)
    if 0 < w.maximumHeight() < SET_BY_HAND:
        fixed = w.minimumHeight() == w.maximumHeight()
        h = int(scaled(w, "height", w.maximumHeight(), old, new, integer=True))
        w.setFixedHeight(h) if fixed else w.setMaximumHeight(h)
    if 0 < w.maximumWidth() < SET_BY_HAND:
        fixed = w.minimumWidth() == w.maximumWidth()
        wd = int(scaled(w, "width", w.maximumWidth(), old, new, integer=True))
        w.setFixedWidth(wd) if fixed else w.setMaximumWidth(wd)
    if w.testAttribute(Qt.WidgetAttribute.WA_SetFont):
        f = font_size(w, "font", w.font(), old, new)
        if f is not None:
            w.setFont(f)


def _inherit_again(w: QWidget) -> None:
    """A widget with a style sheet (and no font of its own) takes its parent's font
    when the sheet is applied, and never again: Qt's style-sheet style resolves it
    once. It stayed at its old size when the root's font changed (the playground's
    "Iteration", the compare panel's A / B buttons, the warning and error lines), and
    applying the sheet again does not help. It gets its parent's size as a font of its
    own (keeping the weight or style the sheet gives it), which later zooms scale as
    any widget's own font. A sheet that sizes the font itself is left alone."""
    from PySide6.QtCore import Qt

    sheet, parent = w.styleSheet(), w.parentWidget()
    if not sheet or parent is None or w.testAttribute(Qt.WidgetAttribute.WA_SetFont):
        return
    if "font-size" in sheet or "font:" in sheet:
        return
    size = parent.font().pointSizeF()
    if size > 0 and abs(w.font().pointSizeF() - size) > 0.01:
        f = QFont(w.font())
        f.setPointSizeF(size)
        w.setFont(f)


def _in_popup(w: QWidget) -> bool:
    """A combo box's list and the like: their owner hands them its font."""
    from PySide6.QtCore import Qt

    return w.window().windowType() == Qt.WindowType.Popup
