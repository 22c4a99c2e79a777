"""Render the window, or one view, offscreen to a PNG: for docs, slides and tests.

``transformer-sim shot --out FILE.png [--view NAME] [--step NAME|N] [--size WxH]
[--lang en|zh] [--model NAME|DIR]`` ends here. The view is built on a real session at the
requested step and painted exactly as on screen (``QWidget.grab``); ``--model`` puts any
model of the family in it (a shipped name such as gpt-de, or a folder). Sizes are checked before
anything is drawn (each side 100 to 8000 pixels, and width × height × scale² within
``core.limits.MAX_PICTURE_PIXELS``), and the PNG is written to a temporary file beside
``--out`` and renamed into place.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QApplication, QWidget

    from core.session import Session
    from visualizer.bridge import SessionBridge


class ShotError(ValueError):
    """Bad shot arguments (unknown view, step or size); one line for the user."""


def parse_size(text: str, scale: float = 1.0) -> tuple[int, int]:
    """WIDTHxHEIGHT, each side from 100 to 8000, and (at ``scale``) within the picture
    ceiling, ``core.limits.MAX_PICTURE_PIXELS``."""
    from core.limits import LimitError, check_picture

    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise ShotError(f"--size must look like 1600x1000, got {text!r}") from None
    if not (100 <= w <= 8000 and 100 <= h <= 8000):
        raise ShotError(f"--size must be between 100x100 and 8000x8000, got {text}")
    try:
        check_picture(w, h, scale)
    except LimitError as e:
        raise ShotError(str(e)) from None
    return w, h


def seek_step(session: Session, step: str | None) -> None:
    """Move the cursor to a step given as an index or a name / key glob."""
    if step is None:
        return
    if step.lstrip("-").isdigit():
        i = int(step)
        if not -len(session) <= i < len(session):
            raise ShotError(f"--step {i} is out of range (0..{len(session) - 1})")
        session.seek(i % len(session))
        return
    session.cursor = 0
    if not session.trace.find(step):
        raise ShotError(f"no step named {step!r} (e.g. dec.1.cross_attn.weights or t2/logits)")
    session.seek_name(step)


def build_view(name: str, session: Session, bridge: SessionBridge) -> QWidget:
    from visualizer.panels import VIEWS

    check_view(name)
    module, cls = VIEWS[name]
    widget: QWidget = getattr(importlib.import_module(module), cls)(session, bridge)
    return widget


def shot(
    out: Path,
    view: str = "window",
    step: str | None = None,
    size: str = "1600x1000",
    lang: str = "en",
    pair: str = "en-de",
    source: str | None = None,
    mode: str = "translate",
    model: str | None = None,
) -> Path:
    """Render and save; returns the path. Runs offscreen unless a platform is set."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    w, h = parse_size(size)
    if lang not in ("en", "zh"):
        raise ShotError(f"--lang must be en or zh, got {lang!r}")
    if out.suffix.lower() != ".png":
        raise ShotError(f"--out must end in .png, got {out.name}")
    if not out.parent.is_dir():
        raise ShotError(f"folder not found: {out.parent}")
    app, session, bridge = _offscreen_session(
        pair, source, lang, mode, ShotError, animate=False, model=model
    )
    widget = build_widget(view, session, bridge)
    try:
        seek_step(session, step)
        widget.resize(w, h)
        widget.show()
        for _ in range(3):
            app.processEvents()
        picture = widget.grab()
    finally:  # also when the step is refused: a window left shown stays alive for good
        widget.close()
        widget.deleteLater()
    from core.atomic import staged

    if picture.isNull():
        raise ShotError(f"could not draw a {w}x{h} picture")
    with staged(out) as (tmp,):
        if not picture.save(str(tmp), "PNG"):
            raise ShotError(f"could not write {out}")
    return out


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
    model: str | None = None,
) -> int:
    """``transformer-sim record``: like ``shot``, on a fresh session; returns frames."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler

    from visualizer.export.record import record
    from visualizer.export.render import check_scale
    from visualizer.export.video import ExportError, check_fps, check_target

    check_scale(scale)
    w, h = parse_size(size, scale)
    if lang not in ("en", "zh"):
        raise ExportError(f"--lang must be en or zh, got {lang!r}")
    check_target(out)
    check_fps(fps)
    check_view(view)
    _app, session, bridge = _offscreen_session(
        pair, source, lang, mode, ExportError, animate=True, model=model
    )
    previous = qInstallMessageHandler(_quiet_offscreen)
    try:
        return record(
            session,
            lambda: build_widget(view, session, bridge),
            start,
            stop,
            out,
            fps=fps,
            scale=scale,
            size=(w, h),
        )
    finally:
        qInstallMessageHandler(previous)


def check_view(view: str) -> None:
    from visualizer.panels import VIEWS

    if view != "window" and view not in VIEWS:
        raise ShotError(f"unknown view {view!r}; choose one of: window, {', '.join(VIEWS)}")


def build_widget(view: str, session: Session, bridge: SessionBridge) -> QWidget:
    """The whole window (every feature, nothing remembered) or one view."""
    if view == "window":
        from visualizer.assemble import build_window

        return build_window(session, bridge, persist=False)
    return build_view(view, session, bridge)


def _offscreen_session(
    pair: str,
    source: str | None,
    lang: str,
    mode: str,
    error: type[ValueError],
    animate: bool,
    model: str | None = None,
) -> tuple[QApplication, Session, SessionBridge]:
    """The application (fonts installed) and a session on the pair's built-in model, or
    on ``model`` (a shipped name or a folder: ``core.model_catalog.resolve``)."""
    from PySide6.QtWidgets import QApplication

    from core.session import Session
    from visualizer.bridge import SessionBridge
    from visualizer.fonts import install_fonts

    if mode not in ("translate", "train"):
        raise error(f"--mode must be translate or train, got {mode!r}")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    install_fonts(app)
    session = Session.open_builtin(pair, None if model else source)  # model: read below
    if session.error:
        raise error(session.error)
    if model is not None:
        from core.model_catalog import resolve

        try:
            folder = resolve(model)
        except ValueError as e:
            raise error(str(e)) from None
        session.open_model(folder, source)  # no source: the model's own example sentence
        if session.error:
            raise error(session.error)
    session.lang = lang
    session.animate = animate
    session.mode = "train" if mode == "train" else "translate"
    if session.error:
        raise error(session.error)
    return app, session, SessionBridge(session)


def _quiet_offscreen(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """The offscreen platform warns once per frame that docks cannot hint sizes: drop that."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)
