"""Session events -> Qt signals, and the playback clock.

The session is plain Python and may be touched from a worker thread; views must only
be touched from the GUI thread. The bridge re-emits every session event as a Qt
signal (queued across threads automatically), and owns the QTimer that advances the
cursor while ``session.playing`` is true. Views connect to these signals only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

if TYPE_CHECKING:
    from core.navigator import Navigator


class SessionBridge(QObject):
    sigCursor = Signal(int)  # the current step changed
    sigTrace = Signal(object)  # a new run (new trace) replaced the old one
    sigSelection = Signal(object)  # head / cell selection changed
    sigLang = Signal(str)  # "en" or "zh"
    sigZoom = Signal(float)  # the presentation zoom rescaled fonts and lines (1.0 = 100 %)
    sigError = Signal(object)  # "" clears it; a str, or a core.messages.Msg (any language)
    sigPlaying = Signal(bool)
    sigSpeed = Signal(float)
    sigAnimate = Signal(bool)
    sigSource = Signal(str)
    sigPair = Signal(str)
    sigDecode = Signal(object)
    sigBusy = Signal(bool)  # the model is running in the worker thread
    sigMode = Signal(str)  # "translate" or "train"
    sigTarget = Signal(str)
    sigInterventions = Signal(object)  # tuple of core.trace.Intervention
    sigDisabled = Signal(object)  # frozenset of intervention indices switched off
    sigWatches = Signal(object)  # tuple of pinned step names
    sigClean = Signal(object)  # the run without interventions (Trace) or None
    sigStopped = Signal(str)  # label of the breakpoint the cursor stopped at, or ""
    sigSnapshots = Signal(object)  # (step, {name: RMS}) of the last training run
    sigBreakpoints = Signal(object)  # the breakpoint list changed (tuple of Breakpoint)
    _sigJobDone = Signal(object, object)  # (done callback, outcome), delivered on this thread

    def __init__(
        self, session: Navigator, parent: QObject | None = None, threaded: bool = False
    ) -> None:
        """``threaded``: run the model in a worker thread (the app); otherwise at once
        (tests, screenshots and benchmarks, which want the result before they go on)."""
        super().__init__(parent)
        self.session = session
        ev = session.events
        pairs: list[tuple[str, Any]] = [
            ("cursor", self.sigCursor),
            ("trace", self.sigTrace),
            ("selection", self.sigSelection),
            ("lang", self.sigLang),
            ("error", self.sigError),
            ("playing", self.sigPlaying),
            ("speed", self.sigSpeed),
            ("animate", self.sigAnimate),
            ("source", self.sigSource),
            ("pair", self.sigPair),
            ("decode", self.sigDecode),
            ("busy", self.sigBusy),
            ("mode", self.sigMode),
            ("target", self.sigTarget),
            ("interventions", self.sigInterventions),
            ("disabled", self.sigDisabled),
            ("watches", self.sigWatches),
            ("clean", self.sigClean),
            ("stopped", self.sigStopped),
            ("snapshots", self.sigSnapshots),
        ]
        for field, signal in pairs:
            if field in session.FIELDS:  # a lab's navigator has no source, pair, …
                ev.get(field).connect(signal.emit)
        breakpoints = getattr(session, "breakpoints", None)
        if breakpoints is not None:
            breakpoints.changed.connect(self.sigBreakpoints.emit)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # runs queue up; the session applies only the newest
        self._sigJobDone.connect(self._finish)
        if threaded:
            session.runner = self.run_in_worker
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.sigPlaying.connect(self._on_playing)
        self.sigSpeed.connect(lambda _: self._on_playing(session.playing))

    def connect_relabel(self, slot: Callable[[str], object], owner: QObject | None = None) -> None:
        """``slot(lang)`` when the language changes, and when the presentation zoom does
        (a view measures its text anew at the new size, in the same language).

        The connection lives as long as ``owner`` (default: the object ``slot`` is a
        method of): a deleted view is never called again, even through a lambda."""
        if owner is None:
            bound = getattr(slot, "__self__", None)
            owner = bound if isinstance(bound, QObject) else self
        relay = _Relabel(slot, self.session, owner)
        self.sigLang.connect(relay.fire)
        self.sigZoom.connect(relay.fire)

    def run_in_worker(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        """The session's runner in the GUI: model runs leave the GUI thread free, and the
        result is applied back on the GUI thread, where the views read it."""
        self._pool.start(_Job(job, lambda out: self._sigJobDone.emit(done, out)))

    def _finish(self, done: Callable[[object], None], outcome: object) -> None:
        done(outcome)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until queued model runs are done and applied (for tests and shots)."""
        from PySide6.QtCore import QCoreApplication

        ok = self._pool.waitForDone(msecs)
        QCoreApplication.processEvents()
        return ok

    def _on_playing(self, playing: bool) -> None:
        if playing:
            self._timer.start(max(1, round(1000 / max(0.1, self.session.speed))))
        else:
            self._timer.stop()

    def _tick(self) -> None:
        self.session.step_forward()  # stops playback itself at the last step


class _Relabel(QObject):
    """A language or zoom change passed on as ``slot(lang)``, owned by the slot's view:
    a plain lambda would outlive a deleted view and call into it; this child object is
    deleted with the view, and Qt drops its connections then."""

    def __init__(self, slot: Callable[[str], object], session: Navigator, owner: QObject) -> None:
        super().__init__(owner)
        self._slot, self._session = slot, session

    def fire(self, _lang_or_zoom: object) -> None:
        self._slot(self._session.lang)


class _Job(QRunnable):
    def __init__(self, job: Callable[[], object], report: Callable[[object], None]) -> None:
        super().__init__()
        self.job, self.report = job, report

    def run(self) -> None:
        self.report(self.job())  # the session's job never raises (it returns an outcome)
