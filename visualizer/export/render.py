"""Pictures and animations of the window or one view, for slides and lecture notes.

Stills are rendered, not screenshotted: the widget paints into an image ``scale``
times its size with that device pixel ratio, so text and lines are drawn at the
higher resolution (crisp on a projector) instead of being upscaled afterwards. SVG
goes through QSvgGenerator, where Qt's and pyqtgraph's painting stays vector.

``record`` walks the session's cursor over a range of steps and writes one frame per
step (GIF or MP4, see ``export_video``); ``RecordJob`` does the same one frame per
timer tick so the window stays responsive and can show progress. Nothing here opens
a dialog: the menu that asks for a file name lives in the window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from core.messages import Msg
from visualizer.export.video import ExportError, check_target, publish, temp_beside


def check_scale(scale: float) -> None:
    if not 0.25 <= scale <= 8:
        raise ExportError(f"scale must be between 0.25 and 8, got {scale:g}")


def check_size(width: int, height: int, scale: float) -> None:
    """The picture ceiling (``core.limits.MAX_PICTURE_PIXELS``) before allocating."""
    from core.limits import LimitError, check_picture

    try:
        check_picture(width, height, scale)
    except LimitError as e:
        raise ExportError(str(e)) from None


def render_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """The widget painted at ``scale`` × its size (its logical size times scale, in pixels);
    a picture past the ceiling, or one Qt cannot allocate, is an ExportError."""
    check_scale(scale)
    widget.ensurePolished()
    w, h = widget.width(), widget.height()
    check_size(w, h, scale)
    image = QImage(round(w * scale), round(h * scale), QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise ExportError(Msg("no_memory_picture", w=w, h=h, scale=f"{scale:g}"))
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().color(widget.backgroundRole()))
    dpm = round(scale * 96 / 0.0254)  # so slide software places it at the logical size
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    widget.render(image)
    return image


def export_png(widget: QWidget, path: str | Path, scale: float = 2.0) -> Path:
    """A PNG of ``scale`` × the widget's size, tagged 96·scale dpi; returns the path."""
    out = Path(path)
    check_target(out, (".png",))
    image = render_image(widget, scale)
    tmp = temp_beside(out)
    try:
        if not image.save(str(tmp)):  # PNG, from the suffix
            raise ExportError(Msg("could_not_write", path=str(out)))
        publish(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def export_svg(widget: QWidget, path: str | Path, title: str = "transformer-sim") -> Path:
    """A vector picture: widgets, text and plot lines stay paths; images stay images."""
    out = Path(path)
    check_target(out, (".svg",))
    tmp = temp_beside(out)
    try:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(widget.size())
        gen.setViewBox(QRect(QPoint(0, 0), widget.size()))
        gen.setResolution(96)  # CSS pixels: browsers and Inkscape show it at the widget's size
        gen.setTitle(title)
        painter = QPainter(gen)
        flags = QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren
        try:
            widget.render(painter, QPoint(), QRegion(), flags)
        finally:
            painter.end()
        if tmp.stat().st_size == 0:
            raise ExportError(Msg("could_not_write", path=str(out)))
        publish(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def copy_to_clipboard(widget: QWidget, scale: float = 2.0) -> QImage:
    """Put the picture on the clipboard (paste straight into slides); returns it."""
    image = render_image(widget, scale)
    QGuiApplication.clipboard().setImage(image)
    return image


def to_rgb(image: QImage) -> np.ndarray:
    """(height, width, 3) uint8, a copy (QImage rows may be padded)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = rgb.height(), rgb.width()
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(h, rgb.bytesPerLine())
    return rows[:, : w * 3].reshape(h, w, 3).copy()
