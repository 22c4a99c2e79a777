"""Zoom for pyqtgraph: axis tick fonts, text items, curve and line widths, and
heatmaps, which measure their labels again (``Heatmap.set_matrix``, same data)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsTextItem, QWidget

from visualizer import theme
from visualizer.presentation.sizes import SIZE_RESOLVED, font_size, scale_attributes, scaled


def scale_scene(scene: QGraphicsScene, old: float, new: float) -> None:
    """The scene's font (items that set none inherit it) and every item in it."""
    f = scene.font()
    f.setPointSizeF(scaled(scene, "scene-font", f.pointSizeF(), old, new))
    scene.setFont(f)
    for item in scene.items():
        scale_item(item, old, new)


def scale_item(item: Any, old: float, new: float) -> None:
    import pyqtgraph as pg

    scale_attributes(item, old, new)
    if isinstance(item, pg.AxisItem):
        tick = item.style.get("tickFont")
        if isinstance(tick, QFont):
            f = font_size(item, "tickFont", tick, old, new)
            if f is not None:
                item.setStyle(tickFont=f)
        item.picture = None
        item.update()
    elif isinstance(item, (QGraphicsTextItem, QGraphicsSimpleTextItem)):
        font = item.font()
        if not font.resolveMask() & SIZE_RESOLVED and font.pointSizeF() > 0:
            # a text item inherits from no scene: its size is the application's, at zoom
            # 1 whenever the item was made (an axis label stayed at 9 pt), made its own
            own = QFont(font)
            own.setPointSizeF(scaled(item, "font", font.pointSizeF(), 1.0, new))
            item.setFont(own)
        else:
            f = font_size(item, "font", font, old, new)
            if f is not None:
                item.setFont(f)
    elif isinstance(item, pg.PlotDataItem):
        pen = item.opts.get("pen")
        if pen is not None:
            p = pg.mkPen(pen)
            p.setWidthF(max(0.5, scaled(item, "pen", max(p.widthF(), 1.0), old, new)))
            item.setPen(p)
    elif isinstance(item, pg.InfiniteLine):
        p = pg.mkPen(item.pen)
        p.setWidthF(max(0.5, scaled(item, "pen", max(p.widthF(), 1.0), old, new)))
        item.setPen(p)


def is_heatmap(w: QWidget) -> bool:
    return type(w).__name__ == "Heatmap" and hasattr(w, "set_matrix") and hasattr(w, "values")


def remeasure_heatmap(hm: Any) -> None:
    """Same data, new font: measure the labels again (axis widths, rotated labels)."""
    try:
        hm.metrics = QFontMetrics(theme.ui_font(9))
        hm._widths.clear()
        hm._last_ticks.clear()
        if not hm.rows:
            return
        selected = hm.selected
        band = hm.band.isVisible()
        scale = hm.scale - 1 if hm.mode == "gain" else hm.scale
        hm.set_matrix(hm.values, hm.rows, hm.cols, hm.mode, scale=scale)
        hm.select(selected)
        hm.band.setVisible(band)
        bottom = hm.plot.getAxis("bottom")
        if not getattr(bottom, "rotate", False):
            need = hm.metrics.height() + 6
            if (bottom.fixedHeight or 0) < need:
                bottom.setHeight(need)
    except (AttributeError, TypeError, ValueError):  # a heatmap of another shape: leave it
        pass
