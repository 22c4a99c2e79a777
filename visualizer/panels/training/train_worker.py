"""Live training off the GUI: ``core.train_process`` in a child process, watched by a timer.

The child trains at full speed on both cores while the window only drains a queue
every 30 ms (a training thread in this process cost 233 ms stalls and half the
speed, measured by bench/training_gui.py). Pause and cancel are multiprocessing
events the child checks before every step (a step of the demo model is ~20 ms, far
inside the 0.5 s the issue allows). The child's messages are the dataclasses of
``core.train_messages``, told apart by class; each becomes one of the signals below.
The trained weights come back as a checkpoint folder written by the child; a child
that dies without a word is reported too.
"""

from __future__ import annotations

import queue as queue_mod
import time
from typing import TYPE_CHECKING, assert_never

from PySide6.QtCore import QObject, QTimer, Signal

from core.messages import Msg
from core.train_messages import (
    Evaluation,
    Failed,
    Finished,
    Message,
    Progress,
    Snapshot,
    Started,
)

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from core.train_process import TrainJob

POLL_MS = 30
MAX_MESSAGES_PER_POLL = 200  # a burst (say, a resumed run) never blocks one frame


class TrainProcess(QObject):
    sigStarted = Signal(str)  # folder of the initial weights (for an exact replay)
    sigProgress = Signal(object)  # core.train_messages.Progress
    sigEval = Signal(object)  # core.train.EvalStats
    sigSnapshot = Signal(object)  # core.train_messages.Snapshot
    sigFinished = Signal(str, str)  # (folder of the trained weights, reason)
    sigFailed = Signal(object)  # one line for the window (a core.messages.Msg)

    def __init__(self, job: TrainJob, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from core.train_process import child_main, process_context

        ctx = process_context()  # never a fork of this process and its Qt threads
        self._queue: Queue[Message] = ctx.Queue()
        self._cancel, self._resume = ctx.Event(), ctx.Event()
        self._resume.set()
        self._proc = ctx.Process(
            target=child_main,
            args=(job, self._queue, self._cancel, self._resume),
            name="transformer-sim training",
            daemon=True,
        )
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        self.done = False
        self.final_dir: str | None = None  # where the run saved its last weights

    # -- control (GUI thread) ----------------------------------------------------------
    def start(self) -> None:
        self._proc.start()
        self._timer.start(POLL_MS)

    def cancel(self) -> None:
        self._cancel.set()
        self._resume.set()  # a paused run must wake up to stop

    def pause(self, paused: bool) -> None:
        if paused:
            self._resume.clear()
        else:
            self._resume.set()

    def running(self) -> bool:
        return not self.done

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Cancel and wait for the child to save and exit (the window is closing)."""
        if self.done:
            return
        # The window is going away: nothing may reach its views any more (they are being
        # deleted); the last messages are still read for the folder the run saved to.
        self.blockSignals(True)
        self.cancel()
        deadline = time.monotonic() + timeout_s
        while not self.done and time.monotonic() < deadline:
            self.poll()  # deliver its last messages (the folder it saved to)
            time.sleep(0.02)
        if not self.done:
            self._proc.terminate()
            self._end()

    # -- the child's messages ----------------------------------------------------------
    def poll(self) -> None:
        for _ in range(MAX_MESSAGES_PER_POLL):
            try:
                msg: Message = self._queue.get_nowait()
            except queue_mod.Empty:
                break
            self._dispatch(msg)
            if self.done:
                return
        else:
            return  # more waiting: the next tick takes them
        if not self._proc.is_alive() and not self.done:
            code = self._proc.exitcode
            self._end()
            self.sigFailed.emit(Msg("training_ended", code=code))

    def _dispatch(self, msg: Message) -> None:
        match msg:
            case Started():
                self.sigStarted.emit(msg.initial_dir)
            case Progress():
                self.sigProgress.emit(msg)
            case Evaluation():
                self.sigEval.emit(msg.stats)
            case Snapshot():
                self.sigSnapshot.emit(msg)
            case Finished():
                self.final_dir = msg.final_dir
                self._end()
                self.sigFinished.emit(msg.final_dir, msg.reason)
            case Failed():
                self._end()
                self.sigFailed.emit(Msg("training_stopped", reason=msg.message))
            case _:  # mypy: every kind of message is handled above
                assert_never(msg)

    def _end(self) -> None:
        """The run is over; the child exits by itself (an interpreter with PyTorch takes
        a second or two to shut down: never wait for it on the GUI thread)."""
        self.done = True
        self._timer.stop()
