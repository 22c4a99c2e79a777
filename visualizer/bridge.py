"""Session events -> Qt signals, and the playback clock.

The session is plain Python and may be touched from a worker thread; views must only
be touched from the GUI thread. The bridge re-emits every session event as a Qt
signal (queued across threads automatically), and owns the QTimer that advances the
cursor while ``session.playing`` is true. Views connect to these signals only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from core.session import Session


class SessionBridge(QObject):
    sigCursor = Signal(int)  # the current step changed
    sigTrace = Signal(object)  # a new run (new trace) replaced the old one
    sigSelection = Signal(object)  # head / cell selection changed
    sigLang = Signal(str)  # "en" or "zh"
    sigError = Signal(str)  # "" clears the message
    sigPlaying = Signal(bool)
    sigSpeed = Signal(float)
    sigAnimate = Signal(bool)
    sigSource = Signal(str)
    sigPair = Signal(str)
    sigDecode = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
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
        ]
        for field, signal in pairs:
            ev.get(field).connect(signal.emit)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.sigPlaying.connect(self._on_playing)
        self.sigSpeed.connect(lambda _: self._on_playing(session.playing))

    def _on_playing(self, playing: bool) -> None:
        if playing:
            self._timer.start(max(1, round(1000 / max(0.1, self.session.speed))))
        else:
            self._timer.stop()

    def _tick(self) -> None:
        self.session.step_forward()  # stops playback itself at the last step
