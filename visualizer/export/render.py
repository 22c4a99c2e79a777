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

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QMessageLogContext, QPoint, QRect, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from visualizer.export.video import ExportError, check_fps, check_target, publish, temp_beside

if TYPE_CHECKING:
    from visualizer.export.record import Recorder, RecordJob, record, resolve_step

__all__ = [
    "ExportError",
    "RecordJob",
    "Recorder",
    "copy_to_clipboard",
    "export_png",
    "export_svg",
    "record",
    "render_image",
    "resolve_step",
]

_RECORDING = ("RecordJob", "Recorder", "record", "resolve_step")


def __getattr__(name: str) -> Any:
    """``record`` and friends live in ``export_record`` (which imports this module)."""
    if name in _RECORDING:
        from visualizer.export import record as export_record

        return getattr(export_record, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_scale(scale: float) -> None:
    if not 0.25 <= scale <= 8:
        raise ExportError(f"scale must be between 0.25 and 8, got {scale:g}")


def render_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """The widget painted at ``scale`` × its size (its logical size times scale, in pixels)."""
    check_scale(scale)
    widget.ensurePolished()
    w, h = widget.width(), widget.height()
    image = QImage(round(w * scale), round(h * scale), QImage.Format.Format_ARGB32_Premultiplied)
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
            raise ExportError(f"could not write {out}")
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
            raise ExportError(f"could not write {out}")
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


def record_view(
    out: Path,
    start: str,
    stop: str,
    view: str = "window",
    size: str = "1600x1000",
    fps: float = 4.0,
    scale: float = 1.0,
    lang: str = "en",
    pair: str = "en-de",
    source: str | None = None,
    mode: str = "translate",
) -> int:
    """``transformer-sim record``: like ``shot``, on a fresh session; returns frames."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from visualizer.shot import ShotError, build_view, parse_size

    w, h = parse_size(size)
    if lang not in ("en", "zh"):
        raise ExportError(f"--lang must be en or zh, got {lang!r}")
    if mode not in ("translate", "train"):
        raise ExportError(f"--mode must be translate or train, got {mode!r}")
    check_target(out)
    check_scale(scale)
    check_fps(fps)
    from core.session import Session
    from visualizer.bridge import SessionBridge
    from visualizer.fonts import install_fonts
    from visualizer.panels import VIEWS

    if view != "window" and view not in VIEWS:
        raise ShotError(f"unknown view {view!r}; choose one of: window, {', '.join(VIEWS)}")
    app = QApplication.instance() or QApplication([])
    install_fonts(app)  # type: ignore[arg-type]
    session = Session.open_builtin(pair, source)
    session.lang = lang
    session.mode = mode  # type: ignore[assignment]
    if session.error:
        raise ExportError(session.error)
    bridge = SessionBridge(session)

    def build() -> QWidget:
        if view == "window":
            from visualizer.shell.main_window import MainWindow

            return MainWindow(session, bridge, persist=False)
        return build_view(view, session, bridge)

    from visualizer.export.record import record

    previous = qInstallMessageHandler(_quiet_offscreen)
    try:
        return record(session, build, start, stop, out, fps=fps, scale=scale, size=(w, h))
    finally:
        qInstallMessageHandler(previous)


def _quiet_offscreen(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """The offscreen platform warns once per frame that docks cannot hint sizes: drop that."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)
