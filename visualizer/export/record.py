"""Record an animation: walk the cursor over a range of steps, one frame per step.

A lecture often wants "the decoder at t=3, op by op" as a GIF on a slide. The frames
are the real views, repainted at each step exactly as on screen (transitions off,
playback paused), so the animation and the live window always agree. ``record``
runs to the end in one call (CLI, scripts, tests); ``RecordJob`` writes one frame per
timer tick so the window stays responsive and can show progress and a Cancel button.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from visualizer.export.render import check_scale, check_size, render_image, to_rgb
from visualizer.export.video import (
    ExportError,
    FrameWriter,
    StepSpec,
    check_fps,
    check_target,
    open_writer,
    resolve_step,
)

if TYPE_CHECKING:
    from core.session import Session

WidgetSource = QWidget | Callable[[], QWidget]


class Recorder:
    """One frame per step from ``start`` to ``stop`` (both included): call ``frame()``
    until it returns False, then ``finish()``; ``abort()`` at any time. Playback and
    transitions are off while recording; the cursor and ``animate`` come back after."""

    def __init__(
        self,
        session: Session,
        widget: WidgetSource,
        start: StepSpec,
        stop: StepSpec,
        path: str | Path,
        fps: float = 4.0,
        scale: float = 1.0,
        size: tuple[int, int] | None = None,
    ) -> None:
        self.session, self.scale = session, scale
        self.first = resolve_step(session, start)
        self.last = resolve_step(session, stop, after=self.first)
        if self.last < self.first:
            raise ExportError(f"--to step {self.last} comes before --from step {self.first}")
        check_scale(scale)
        if size:
            check_size(*size, scale)  # the picture ceiling, before any frame is allocated
        check_fps(fps)
        check_target(Path(path))  # every check before a widget or a temporary file exists
        self._restore = (session.cursor, session.animate)
        self._cleaned = False
        session.playing = False
        session.animate = False
        self.owned = not isinstance(widget, QWidget)
        self.widget: QWidget = widget if isinstance(widget, QWidget) else widget()
        if self.owned:  # laid out and painted like a window, but never on screen
            self.widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            if size:
                self.widget.resize(*size)
            self.widget.show()
        try:
            self.writer: FrameWriter = open_writer(Path(path), fps)
        except BaseException:
            self._cleanup()
            raise
        self.index = self.first

    @property
    def total(self) -> int:
        return self.last - self.first + 1

    @property
    def done(self) -> int:
        return self.index - self.first

    def frame(self) -> bool:
        """Seek, let the views repaint, grab and write one frame; False once all are in."""
        if self.index > self.last:
            return False
        self.session.seek(self.index)
        app = QApplication.instance()
        for _ in range(2):  # deferred updates (singleShot(0), layouts) land in two rounds
            if app is not None:
                app.processEvents()
        self.writer.append(to_rgb(render_image(self.widget, self.scale)))
        self.index += 1
        return self.index <= self.last

    def finish(self) -> Path:
        try:
            return self.writer.commit()
        finally:
            self._cleanup()

    def abort(self) -> None:
        self.writer.abort()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._cleaned:
            return
        self._cleaned = True
        cursor, animate = self._restore
        with contextlib.suppress(Exception):
            self.session.seek(cursor)
            self.session.animate = animate
        if self.owned:
            self.widget.close()
            self.widget.deleteLater()


def record(
    session: Session,
    widget: WidgetSource,
    start: StepSpec,
    stop: StepSpec,
    path: str | Path,
    fps: float = 4.0,
    scale: float = 1.0,
    size: tuple[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write a GIF or MP4 of ``widget`` over steps ``start``..``stop``; returns the number
    of frames, or 0 when ``cancelled()`` turned True (then no file is left behind).
    ``widget`` may be a factory: it is then built off screen at ``size`` and closed."""
    rec = Recorder(session, widget, start, stop, path, fps, scale, size)
    try:
        more = True
        while more:
            if cancelled is not None and cancelled():
                rec.abort()
                return 0
            more = rec.frame()
            if progress is not None:
                progress(rec.done, rec.total)
    except BaseException:
        rec.abort()
        raise
    rec.finish()
    return rec.total


class RecordJob(QObject):
    """``record`` driven by a timer, one frame per tick; build it (bad arguments raise
    ``ExportError`` at once), connect the signals, ``start()``; ``cancel()`` drops the file."""

    sigProgress = Signal(int, int)  # frames written, frames in all
    sigDone = Signal(str)  # the file written
    sigFailed = Signal(str)  # one line for the user; no file is left
    sigCancelled = Signal()

    def __init__(
        self,
        session: Session,
        widget: WidgetSource,
        start: StepSpec,
        stop: StepSpec,
        path: str | Path,
        fps: float = 4.0,
        scale: float = 1.0,
        size: tuple[int, int] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.recorder = Recorder(session, widget, start, stop, path, fps, scale, size)
        self.running = False
        self.finished = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        if not self.finished:
            self.running = True
            self._timer.start()

    def cancel(self) -> None:
        if not self.finished:
            self._end()
            self.recorder.abort()
            self.sigCancelled.emit()

    def _tick(self) -> None:
        try:
            more = self.recorder.frame()
            self.sigProgress.emit(self.recorder.done, self.recorder.total)
            if self.finished:  # cancelled from a progress slot
                return
            if not more:
                self._end()
                self.sigDone.emit(str(self.recorder.finish()))
        except Exception as e:  # one line for the user; the half-written file is dropped
            self._end()
            self.recorder.abort()
            lines = str(e).strip().splitlines()
            self.sigFailed.emit(lines[0] if lines else type(e).__name__)

    def _end(self) -> None:
        self.finished, self.running = True, False
        self._timer.stop()
