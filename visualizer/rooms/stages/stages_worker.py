"""The worker that trains a stage off the GUI thread.

``StageWorker`` is a QThread that runs one job: ``Pipeline.run_stage(name, callbacks)``
followed by reading the models (``stages_reading.read_models``: the room's answers and
comparison, computed here so the GUI thread never spends the 0.2 s), or the traced GRPO
update. The engine's callbacks fire on the worker thread; they only emit signals
(queued to the GUI thread), carrying the engine's frozen ``Progress`` and ``Evaluation``
records, so the window never reads a model while it trains. ``stop`` sets a flag that
``Callbacks.should_stop`` reads before every step: the stage halts after the step in
flight and resumes bit for bit (the pipeline's contract). An exception becomes
``sigFailed`` with one line, shown in the window.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal

from core.stages.pipeline import Callbacks, Evaluation, Pipeline, Progress, StageName
from visualizer.rooms.stages.stages_reading import Reading, read_models


@dataclass(frozen=True)
class StageRun:
    """What a stage's worker returns: whether the stage reached its last step, and the
    models as they are when it stopped (finished, paused or cancelled)."""

    finished: bool
    reading: Reading


class StageWorker(QThread):
    """Runs ``job`` once; ``sigResult(object)`` with its return value, or ``sigFailed``."""

    sigStep = Signal(object)  # core.stages.pipeline.Progress
    sigEval = Signal(object)  # core.stages.pipeline.Evaluation
    sigResult = Signal(object)
    sigFailed = Signal(str)

    def __init__(self, job: Callable[[StageWorker], object], parent: QObject | None = None):
        super().__init__(parent)
        self._job = job
        self._stop = threading.Event()

    @classmethod
    def for_stage(
        cls, pipeline: Pipeline, name: StageName, parent: QObject | None = None
    ) -> StageWorker:
        """A worker that trains stage ``name`` to its end (or until ``stop``), then reads
        the models; its result is a ``StageRun``."""

        def job(w: StageWorker) -> object:
            cb = Callbacks(on_step=w._emit_step, on_eval=w._emit_eval, should_stop=w.stopping)
            finished = pipeline.run_stage(name, cb)
            return StageRun(finished, read_models(pipeline))

        return cls(job, parent)

    def _emit_step(self, progress: Progress) -> None:
        self.sigStep.emit(progress)

    def _emit_eval(self, ev: Evaluation) -> None:
        self.sigEval.emit(ev)

    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Ask the job to halt before its next step (safe from any thread)."""
        self._stop.set()

    def run(self) -> None:  # the worker thread
        try:
            result = self._job(self)
        except Exception as e:  # any failure is shown in the window, one line
            self.sigFailed.emit(f"{type(e).__name__}: {e}".splitlines()[0])
            return
        self.sigResult.emit(result)
