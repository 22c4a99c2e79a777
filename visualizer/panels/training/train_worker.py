"""Live training off the GUI: ``core.train_process`` in a child process, watched by a timer.

The child trains at full speed on both cores while the window only drains a queue
every 30 ms (a training thread in this process cost 233 ms stalls and half the
speed, measured by bench/training_gui.py). Pause and cancel are multiprocessing
events the child checks before every step (a step of the demo model is ~20 ms, far
inside the 0.5 s the issue allows). The trained weights come back as a checkpoint
folder written by the child; a child that dies without a word is reported too.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

POLL_MS = 30
MAX_MESSAGES_PER_POLL = 200  # a burst (say, a resumed run) never blocks one frame


class TrainProcess(QObject):
    sigStarted = Signal(str)  # folder of the initial weights (for an exact replay)
    sigProgress = Signal(
        object
    )  # dict: step, total, loss, grad_norm, lr, groups, steps_per_s, eta_s
    sigEval = Signal(object)  # core.train.EvalStats
    sigSnapshot = Signal(object)  # core.train_process.Snapshot
    sigFinished = Signal(str, str)  # (folder of the trained weights, reason)
    sigFailed = Signal(str)  # one line for the window

    def __init__(self, job: Any, parent: QObject | None = None) -> None:
        """``job``: a core.train_process.TrainJob."""
        super().__init__(parent)
        from core.train_process import child_main

        ctx = mp.get_context("spawn")  # never fork a process that runs Qt threads
        self._queue = ctx.Queue()
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
                msg = self._queue.get_nowait()
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
            self.sigFailed.emit(
                f"the training process ended unexpectedly (exit code {code}); "
                "the model in the window is unchanged"
            )

    def _dispatch(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "started":
            self.sigStarted.emit(msg[1])
        elif kind == "progress":
            self.sigProgress.emit(msg[1])
        elif kind == "eval":
            self.sigEval.emit(msg[1])
        elif kind == "snapshot":
            self.sigSnapshot.emit(msg[1])
        elif kind == "finished":
            self._end()
            self.sigFinished.emit(msg[1], msg[2])
        elif kind == "failed":
            self._end()
            self.sigFailed.emit(f"training stopped: {msg[1]}")

    def _end(self) -> None:
        """The run is over; the child exits by itself (an interpreter with PyTorch takes
        a second or two to shut down: never wait for it on the GUI thread)."""
        self.done = True
        self._timer.stop()
