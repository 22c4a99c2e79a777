"""Live training in the window: start, pause, resume, cancel; progress and live charts.

The run happens in a worker thread on a copy of the model (see
``widgets/train_worker.py``), so the window stays responsive and the session keeps
translating with its own weights. When the run ends the trained weights replace the
session's model, the current sentence is run again, and the model is saved to the
autosave folder, so minutes of training are never lost.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import QStandardPaths, QThread
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.theme import PHASE_COLORS, ui_font
from visualizer.widgets.train_worker import TrainWorker

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

TEXTS = {
    "start": {"en": "Train", "zh": "训练"},
    "pause": {"en": "Pause", "zh": "暂停"},
    "resume": {"en": "Resume", "zh": "继续"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "steps": {"en": "Steps", "zh": "步数"},
    "scratch": {"en": "from random weights", "zh": "从随机权重开始"},
    "idle": {
        "en": "Press Train: the model learns in a worker thread; the window stays live.",
        "zh": "按“训练”：模型在后台线程中学习，窗口保持响应。",
    },
    "progress": {
        "en": "step {step}/{total} · loss {loss:.3f} · {rate:.0f} steps/s · {eta:.0f} s left",
        "zh": "第 {step}/{total} 步 · 损失 {loss:.3f} · 每秒 {rate:.0f} 步 · 剩余 {eta:.0f} 秒",
    },
    "eval": {
        "en": "step {step}: val loss {val:.3f} · token acc {acc:.1%} · BLEU {bleu:.1f} · "
        "“{src}” → “{out}”",
        "zh": "第 {step} 步：验证损失 {val:.3f} · 词元准确率 {acc:.1%} · BLEU {bleu:.1f} · "
        "“{src}” → “{out}”",
    },
    "done": {
        "en": "Finished after {steps} steps ({reason}); saved to {path}",
        "zh": "训练结束：{steps} 步（{reason}）；已保存到 {path}",
    },
    "loss": {"en": "loss", "zh": "损失"},
    "quality": {"en": "accuracy / BLEU", "zh": "准确率 / BLEU"},
    "grad": {"en": "gradient norm", "zh": "梯度范数"},
}


REASONS = {
    "steps": {"en": "all steps done", "zh": "全部步数完成"},
    "cancelled": {"en": "cancelled", "zh": "已取消"},
    "lecture": {"en": "the lecture sentences are right", "zh": "讲课例句已全部正确"},
}


def autosave_folder() -> Path:
    """Where finished runs are saved: the user's data folder, transformer-sim/autosave."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "transformer-sim" / "autosave"


class TrainingView(QWidget):
    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.thread: QThread | None = None
        self.worker: TrainWorker | None = None
        self.history: dict[str, list[float]] = {
            k: [] for k in ("step", "loss", "grad", "e_step", "val", "acc", "bleu")
        }
        self.last_saved: Path | None = None
        self.start_button, self.pause_button = QPushButton(), QPushButton()
        self.cancel_button = QPushButton()
        self.steps = QSpinBox()
        self.steps.setRange(10, 100_000)
        self.steps.setValue(300)
        self.scratch = QCheckBox()
        self.steps_label = QLabel()
        self.bar = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setFont(ui_font(10))
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.curves = self._make_charts()
        row = QHBoxLayout()
        for w in (
            self.start_button,
            self.pause_button,
            self.cancel_button,
            self.steps_label,
            self.steps,
            self.scratch,
        ):
            row.addWidget(w)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.bar)
        lay.addWidget(self.status)
        lay.addWidget(self.plots, 1)
        bridge.sigLang.connect(self._relabel)
        self._set_running(False)
        self._relabel()

    # -- charts ----------------------------------------------------------------------
    def _make_charts(self) -> dict[str, Any]:
        curves: dict[str, Any] = {}
        self._charts = []
        for key, rows in (
            ("loss", (("loss", PHASE_COLORS["loss"]), ("val", "#264653"))),
            ("quality", (("acc", "#2a9d8f"), ("bleu", "#8338ec"))),
            ("grad", (("grad", PHASE_COLORS["backward"]),)),
        ):
            plot = self.plots.addPlot()
            plot.addLegend(offset=(-5, 5))
            plot.showGrid(x=True, y=True, alpha=0.2)
            self._charts.append((key, plot))
            for name, color in rows:
                curves[name] = plot.plot([], [], pen=pg.mkPen(color, width=2), name=name)
            self.plots.nextRow()
        return curves

    def _redraw(self) -> None:
        h = self.history
        self.curves["loss"].setData(h["step"], h["loss"])
        self.curves["grad"].setData(h["step"], h["grad"])
        self.curves["val"].setData(h["e_step"], h["val"])
        self.curves["acc"].setData(h["e_step"], h["acc"])
        self.curves["bleu"].setData(h["e_step"], [b / 100 for b in h["bleu"]])

    # -- controls --------------------------------------------------------------------
    def start(self) -> None:
        from dataclasses import replace

        from core.config import TrainConfig

        if self.thread is not None:
            return
        for values in self.history.values():
            values.clear()
        self._redraw()
        cfg = replace(TrainConfig(), steps=self.steps.value(), eval_every=50)
        self.worker = TrainWorker(self.session.bundle, cfg, self.scratch.isChecked())
        self.thread = QThread()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.sigProgress.connect(self._on_progress)
        self.worker.sigEval.connect(self._on_eval)
        self.worker.sigFinished.connect(self._on_finished)
        self.worker.sigFailed.connect(self._on_failed)
        self.bar.setRange(0, cfg.steps)
        self.bar.setValue(0)
        self._paused = False
        self._set_running(True)
        self.thread.start()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _toggle_pause(self) -> None:
        if self.worker is not None:
            self._paused = not self._paused
            self.worker.pause(self._paused)
            self._relabel()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        self.steps.setEnabled(not running)
        self.scratch.setEnabled(not running)

    # -- worker -> window ------------------------------------------------------------
    def _on_progress(self, p: dict[str, float]) -> None:
        self.history["step"].append(p["step"])
        self.history["loss"].append(p["loss"])
        self.history["grad"].append(p["grad_norm"])
        self.bar.setValue(int(p["step"]))
        self.status.setText(
            tr(TEXTS["progress"], self.session.lang).format(
                step=int(p["step"]),
                total=int(p["total"]),
                loss=p["loss"],
                rate=p["steps_per_s"],
                eta=p["eta_s"],
            )
        )
        self._redraw()

    def _on_eval(self, e: Any) -> None:
        self.history["e_step"].append(e.step)
        self.history["val"].append(e.val_loss)
        self.history["acc"].append(e.token_acc)
        self.history["bleu"].append(e.bleu)
        src = self.session.source
        out = e.lecture_outputs[0] if e.lecture_outputs else ""
        self.status.setText(
            tr(TEXTS["eval"], self.session.lang).format(
                step=e.step, val=e.val_loss, acc=e.token_acc, bleu=e.bleu, src=src, out=out
            )
        )
        self._redraw()

    def _on_finished(self, bundle: Any, reason: str) -> None:
        from core import checkpoint

        self._stop_thread()
        folder = autosave_folder() / time.strftime("%Y%m%d-%H%M%S")
        try:
            self.last_saved = checkpoint.save(folder, bundle, extra={"stopped": reason})
        except OSError as e:
            self.session.error = f"could not autosave the trained model: {e}"
        self.session.bundle = bundle
        self.session.rerun()
        self.status.setText(
            tr(TEXTS["done"], self.session.lang).format(
                steps=self.history["step"][-1] if self.history["step"] else 0,
                reason=tr(REASONS.get(reason, {"en": reason}), self.session.lang),
                path=self.last_saved,
            )
        )

    def _on_failed(self, message: str) -> None:
        self._stop_thread()
        self.status.setText(message)
        self.session.error = message

    def shutdown(self) -> None:
        """Stop a running training (the window is closing); what it learned is discarded
        unless it finished, so say so on stderr."""
        if self.worker is not None:
            self.worker.cancel()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(5000)

    def _stop_thread(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(5000)
        self.thread, self.worker = None, None
        self._set_running(False)

    def _relabel(self, _lang: str = "") -> None:
        lang = self.session.lang
        self.start_button.setText(tr(TEXTS["start"], lang))
        paused = getattr(self, "_paused", False)
        self.pause_button.setText(tr(TEXTS["resume" if paused else "pause"], lang))
        self.cancel_button.setText(tr(TEXTS["cancel"], lang))
        self.steps_label.setText(tr(TEXTS["steps"], lang))
        self.scratch.setText(tr(TEXTS["scratch"], lang))
        if self.thread is None and not self.history["step"]:
            self.status.setText(tr(TEXTS["idle"], lang))
        for key, plot in self._charts:
            plot.setTitle(tr(TEXTS[key], lang))
