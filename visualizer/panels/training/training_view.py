"""Live training in the window: start, pause, resume, cancel, replay; charts and snapshots.

The run happens in a child process (``train_worker.py`` around
``core.train_process``, reporting with the messages of ``core.train_messages``) on a
copy of the model saved to a run folder, so the window stays responsive and the
session keeps translating with its own weights. Each run
folder (in the user's data folder, ``transformer-sim/autosave``) keeps the weights it
started from (``initial``: Restart replays the run exactly) and what it learned
(``final``, written even when cancelled or when the window closes), so trained
weights are never lost silently. When a run ends its weights replace the session's
model and the current sentence is run again.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.messages import Msg, message_of
from visualizer.i18n import say, tr
from visualizer.panels.training.train_charts import TrainCharts
from visualizer.panels.training.train_snapshots import SnapshotPanel
from visualizer.panels.training.train_worker import TrainProcess
from visualizer.panels.training.training_texts import REASONS, STRINGS
from visualizer.theme import ui_font

if TYPE_CHECKING:
    from core.bundle import Bundle
    from core.config import ModelConfig, TrainConfig
    from core.session import Session
    from core.train import EvalStats
    from core.train_messages import Progress, Snapshot
    from visualizer.bridge import SessionBridge
    from visualizer.panels.training.model_dialog import ModelDialog


def autosave_folder() -> Path:
    """Where runs are saved: the user's data folder, transformer-sim/autosave."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "transformer-sim" / "autosave"


class TrainingView(QWidget):
    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        from core.config import PRESETS

        self.session, self.bridge = session, bridge
        self.proc: TrainProcess | None = None
        self.train_cfg = replace(PRESETS["demo-de"].train, eval_every=50)
        self.corpus_spec: str | None = None  # None: the model's own built-in corpus
        self.initial_dir: str | None = None  # the weights the last run started from
        self.last_saved: Path | None = None
        self.dialog: ModelDialog | None = None
        self._paused = False
        self._said: tuple[str, dict[str, Any]] = ("", {})
        self._reason = "steps"
        self._run_pair = session.pair
        self.start_button, self.pause_button = QPushButton(), QPushButton()
        self.cancel_button, self.restart_button = QPushButton(), QPushButton()
        self.model_button = QPushButton()
        self.steps = QSpinBox()
        self.steps.setRange(10, 1_000_000)
        self.steps.setValue(300)
        self.scratch, self.until_right = QCheckBox(), QCheckBox()
        self.steps_label = QLabel()
        self.bar = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setFont(ui_font(10))
        self.start_button.clicked.connect(lambda: self.start())
        self.pause_button.clicked.connect(self._toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.restart_button.clicked.connect(self.restart)
        self.model_button.clicked.connect(self.open_dialog)
        self.charts = TrainCharts()
        self.snapshots = SnapshotPanel()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.charts)
        split.addWidget(self.snapshots)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        row, options = QHBoxLayout(), QHBoxLayout()  # two rows: the dock stays narrow
        for button in (
            self.start_button,
            self.pause_button,
            self.cancel_button,
            self.restart_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.model_button)
        for option in (self.steps_label, self.steps, self.scratch, self.until_right):
            options.addWidget(option)
        options.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addLayout(options)
        lay.addWidget(self.bar)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)
        bridge.connect_relabel(self._relabel)
        self._set_running(False)
        self._relabel()

    @property
    def history(self) -> dict[str, list[float]]:
        return self.charts.history

    # -- controls --------------------------------------------------------------------
    def start(self, from_dir: str | None = None) -> None:
        """Train the session's model (or random weights, or ``from_dir``'s) in a child."""
        from core import checkpoint
        from core.train_process import TrainJob

        if self.proc is not None:
            return
        self.charts.reset()
        self.snapshots.clear()
        self.session.update(snapshot_routing=(), snapshots=())
        self.snapshots.source = self.session.source
        stamp = time.strftime("%Y%m%d-%H%M%S-") + f"{time.time_ns() % 10**6:06d}"
        run = autosave_folder() / stamp
        try:
            start = from_dir or str(checkpoint.save(run / "start", self.session.bundle))
        except OSError as e:
            self._on_failed(Msg("could_not_write_run", path=str(run), reason=message_of(e)))
            return
        cfg = replace(
            self.train_cfg,
            steps=self.steps.value(),
            stop_when_lecture_correct=self.until_right.isChecked(),
        )
        job = TrainJob(
            start=start,
            out=str(run),
            train=cfg,
            corpus=self.corpus_spec or f"builtin:{self.session.bundle.pair}",
            from_scratch=self.scratch.isChecked() and from_dir is None,
            demo_source=self.session.source,
        )
        self.proc = TrainProcess(job, self)
        self.proc.sigStarted.connect(self._on_started)
        self.proc.sigProgress.connect(self._on_progress)
        self.proc.sigEval.connect(self._on_eval)
        self.proc.sigSnapshot.connect(self._on_snapshot)
        self.proc.sigFinished.connect(self._on_finished)
        self.proc.sigFailed.connect(self._on_failed)
        self.bar.setRange(0, cfg.steps)
        self.charts.set_total(cfg.steps)
        self.bar.setValue(0)
        self._paused = False
        self._set_running(True)
        self._say("starting")
        self._run_pair = self.session.pair  # the run's result belongs to this pair only
        self.proc.start()

    def restart(self) -> None:
        """Run again from the weights the last run started from: same seed and settings
        give the same run, step for step."""
        if self.initial_dir is not None:
            self.start(from_dir=self.initial_dir)

    def cancel(self) -> None:
        if self.proc is not None:
            self.proc.cancel()

    def _toggle_pause(self) -> None:
        if self.proc is not None:
            self._paused = not self._paused
            self.proc.pause(self._paused)
            key = "resume" if self._paused else "pause"
            self.pause_button.setText(tr(STRINGS[key], self.session.lang))

    def _set_running(self, running: bool) -> None:
        for w in (self.start_button, self.steps, self.scratch, self.until_right):
            w.setEnabled(not running)
        self.model_button.setEnabled(not running)
        self.restart_button.setEnabled(not running and self.initial_dir is not None)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)

    # -- the model dialog ------------------------------------------------------------
    def open_dialog(self) -> None:
        from visualizer.panels.training.model_dialog import ModelDialog

        if self.dialog is None:
            cfg = replace(self.train_cfg, steps=self.steps.value())
            corpus = self.corpus_spec or f"builtin:{self.session.bundle.pair}"
            self.dialog = ModelDialog(self.session.lang, self.session.bundle.cfg, cfg, corpus, self)
            self.dialog.sigApply.connect(self.apply_settings)
            self.dialog.sigReset.connect(self.reset_weights)
            self.dialog.sigOpenModel.connect(self.session.open_model)  # bad folder: a message
            self.dialog.sigSaveModel.connect(self.save_model)
            self.bridge.connect_relabel(self.dialog.relabel)
        self.dialog.show()
        self.dialog.raise_()

    def apply_settings(self, model: ModelConfig, train: TrainConfig, corpus: str) -> None:
        """Keep the recipe for the next run; a new shape or corpus needs new weights."""
        self.train_cfg = replace(train, eval_every=self.train_cfg.eval_every)
        self.steps.setValue(train.steps)
        own = f"builtin:{self.session.bundle.pair}"
        if model != self.session.bundle.cfg or corpus != (self.corpus_spec or own):
            self.reset_weights(model, train, corpus)

    def reset_weights(self, model: ModelConfig, train: TrainConfig, corpus: str) -> None:
        """A new model with random weights (seeded) of this shape, for this corpus."""
        from core.bundle import new_bundle
        from core.train_process import load_corpus

        try:
            data = load_corpus(corpus)
            kind = "word" if corpus.startswith("builtin:") else "bpe"
            bundle = new_bundle(data, model, kind, seed=train.seed)
        except ValueError as e:
            self.session.error = message_of(e)
            self.status.setText(say(self.session.error, self.session.lang))
            return
        self.train_cfg = replace(train, eval_every=self.train_cfg.eval_every)
        self.corpus_spec = None if corpus == f"builtin:{bundle.pair}" else corpus
        self.session.bundle = bundle
        self.session.rerun()
        self._say("reset", n=_params(bundle))

    def save_model(self, folder: str) -> bool:
        ok = self.session.save_model(folder)  # a failure is the session's error
        if ok:
            self.status.setText(str(folder))
        return ok

    # -- the child's messages --------------------------------------------------------
    def _on_started(self, initial: str) -> None:
        self.initial_dir = initial

    def _on_snapshot(self, snap: Snapshot) -> None:
        self.snapshots.add(snap)
        s = self.session
        s.update(  # the routing first: the snapshots' event announces both
            snapshot_routing=(*s.snapshot_routing, (snap.step, snap.routing)),
            snapshots=(*s.snapshots, (snap.step, snap.rms)),
        )

    def _on_progress(self, p: Progress) -> None:
        self.charts.add_progress(p)
        self.bar.setValue(int(p.step))
        self._say(
            "progress",
            step=int(p.step),
            total=int(p.total),
            loss=p.loss,
            rate=p.steps_per_s,
            eta=p.eta_s,
        )

    def _on_eval(self, e: EvalStats) -> None:
        self.charts.add_eval(e)
        out = e.lecture_outputs[0] if e.lecture_outputs else ""
        self._say(
            "eval",
            step=e.step,
            val=e.val_loss,
            acc=e.token_acc,
            bleu=e.bleu,
            right=e.lecture_correct,
            of=e.lecture_total,
            out=out,
        )

    def _on_finished(self, folder: str, reason: str) -> None:
        self.charts.end_run()
        self._end_run()
        self.last_saved = Path(folder)
        steps = int(self.history["step"][-1]) if self.history["step"] else 0
        self._reason = reason
        if self.session.pair != self._run_pair:
            # The user switched the language pair while it trained: the other pair's model
            # must not translate under this selector. The weights stay in the run folder.
            self._say("other_pair", steps=steps, path=folder, pair=self._run_pair.upper())
            return
        # loaded and run through the session's runner: off the GUI thread in the app
        self.session.open_model(folder)
        self._say("done", steps=steps, path=folder)

    def _on_failed(self, message: str) -> None:
        self.charts.end_run()
        self._end_run()
        self._said = ("", {})
        self.status.setText(say(message, self.session.lang))
        self.session.error = message

    def _say(self, key: str, **values: Any) -> None:
        """Show a status line; kept as (key, values) so a language switch re-renders it."""
        self._said = (key, values)
        lang = self.session.lang
        if key in ("done", "other_pair"):
            values = {**values, "reason": tr(REASONS.get(self._reason, REASONS["steps"]), lang)}
        self.status.setText(tr(STRINGS[key], lang).format(**values))

    def _end_run(self) -> None:
        if self.proc is not None:
            self.proc.deleteLater()  # frees its queue and events (OS semaphores) now
        self.proc = None
        self._paused = False
        self._set_running(False)
        self.pause_button.setText(tr(STRINGS["pause"], self.session.lang))  # not a full relabel:
        # re-titling the charts and the snapshot heatmap costs ~60 ms, a visible hitch

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """The window is closing: stop a run, wait (at most ``timeout_s``) for it to save
        what it learned, and say on stderr where that is."""
        if self.proc is not None:
            self.proc.shutdown(timeout_s)
            if self.proc.final_dir is not None:
                print(
                    f"training stopped; the weights so far are in {self.proc.final_dir}",
                    file=sys.stderr,
                )

    def _relabel(self, _lang: str = "") -> None:
        lang = self.session.lang
        for button, key in (
            (self.start_button, "start"),
            (self.pause_button, "resume" if self._paused else "pause"),
            (self.cancel_button, "cancel"),
            (self.restart_button, "restart"),
            (self.model_button, "model"),
        ):
            button.setText(tr(STRINGS[key], lang))
        self.restart_button.setToolTip(tr(STRINGS["restart_tip"], lang))
        self.steps_label.setText(tr(STRINGS["steps"], lang))
        self.scratch.setText(tr(STRINGS["scratch"], lang))
        self.until_right.setText(tr(STRINGS["until"], lang))
        if self.proc is None and not self.history["step"] and self._said[0] != "reset":
            self._said = ("idle", {})
        if self._said[0]:
            self._say(self._said[0], **self._said[1])
        self.charts.relabel(lang)
        self.snapshots.relabel(lang)


def _params(bundle: Bundle) -> int:
    return sum(p.numel() for p in bundle.model.parameters())
