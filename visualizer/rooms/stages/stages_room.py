"""The stages room, "How an LLM is made": pre-training, fine-tuning (SFT) and RL with GRPO
on one tiny GPT, run in order, with the 9.11 vs 9.9 question asked after each stage.

Layout: the intro and the token split across the top; on the left each stage's Run /
Pause / Cancel with its progress and the RL knobs; in the middle a page per stage (the
corpus, loss and samples; the SFT examples and train vs held-out loss; the RL curves and
the reward-hacking verdict) and a page that steps one GRPO update; on the right the answer
with its evidence and the stage comparison table; the shared timeline at the bottom.

Training runs in a ``StageWorker`` (a QThread) one stage at a time; the GUI thread only
receives the engine's ``Progress`` / ``Evaluation`` records and redraws, so the window
stays smooth. Pause stops after the step in flight (the stage resumes bit for bit); Cancel
stops and discards the stage and the ones after it. The answers, evidence and comparison
are read from the models by the worker once its stage stops (``stages_reading``: 0.2 s
of Python that froze the window at every stage's end while the GUI thread did it); the
GUI thread reads them itself only when the room opens and after a stage failed. The
first optimiser's imports (``prepare_training``, about 1 s) happen when the room is
built, not in the worker's first second (bench/stages_gui.py: no stall at a stage's start
or end). The GRPO update's trace is put on the room's ``Navigator`` (``lab``), so the
shared timeline and the stepping keys walk it.

``create()`` opens on the built-in run shipped in ``assets/stages`` (``make models``),
loaded with ``Pipeline.resume`` on the GUI thread (0.2-1.2 s on the 2-core machine, once,
when the room is first shown), so every page shows real results at once; Run on a
finished stage trains it again live. Chapter scenes drive it through ``apply_scene``.
"""

from __future__ import annotations

import html
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.messages import message_of, msg
from core.navigator import Navigator
from core.stages.pipeline import (
    SAMPLE_PROMPTS,
    STAGES,
    AnswerRow,
    Evaluation,
    Pipeline,
    Progress,
    Settings,
    StageError,
    StageName,
    drift,
    prepare_training,
)
from core.stages.questions import HELD_OUT, THE_QUESTION
from core.trace import Trace
from visualizer.i18n import say
from visualizer.panels.timeline.timeline_view import TimelineView
from visualizer.rooms.stages.stages_controls import RlKnobs, StageBox
from visualizer.rooms.stages.stages_curves import CurvePlot
from visualizer.rooms.stages.stages_panels import (
    AnswerPanel,
    ComparisonTable,
    GrpoStepView,
    StageAnswer,
    corpus_html,
    label,
    legend_html,
    read_only_text,
    split_html,
)
from visualizer.rooms.stages.stages_reading import Reading, read_models, with_models
from visualizer.rooms.stages.stages_text import t
from visualizer.rooms.stages.stages_worker import StageRun, StageWorker
from visualizer.theme import MUTED, PHASE_COLORS, TEXT, get_scale

if TYPE_CHECKING:
    from visualizer.bridge import SessionBridge

SPLIT_TEXTS = ("9.11", "9.9")
PAGES = ("pretrain", "sft", "grpo", "trace", "compare")
GAP = 3.0  # held-out loss this many times the examples' loss: called a gap
SIDE_W, ANSWER_W = 230, 260  # px at zoom 1: the stage controls; the answer's least width
SAMPLES_H = 90  # px at zoom 1: the samples table's least height (it scrolls below that)
REDRAW_S = 0.1  # curves redraw at most 10 times a second while a stage trains
C1, C2, C3, C4 = TEXT, PHASE_COLORS["loss"], PHASE_COLORS["forward"], PHASE_COLORS["decode"]


class StagesRoom(QWidget):
    """The room (see the module docstring). ``sigStageEnded(name, finished)`` fires when a
    stage's worker ends (finished: it reached its last step); ``sigTraced`` when a GRPO
    update's trace is on the timeline."""

    sigStageEnded = Signal(str, bool)
    sigTraced = Signal()

    def __init__(
        self,
        pipeline: Pipeline,
        lab: Navigator,
        bridge: SessionBridge,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.pipeline, self.lab, self.bridge = pipeline, lab, bridge
        self.worker: StageWorker | None = None
        self.running: StageName | None = None
        self.errors: dict[str, str] = {}
        self.answers: dict[StageName, StageAnswer] = {}
        self.table: dict[StageName, list[AnswerRow]] = {}
        self.reading = Reading({}, {})
        self._fresh: Reading | None = None  # what the ending worker read

        self.intro = label(10)
        self.split = label(10)
        self.split_note = label(9)
        self.boxes = {name: StageBox(name) for name in STAGES}
        self.knobs = RlKnobs(pipeline.settings.grpo)
        self.trace_button = QPushButton()
        self.message = label(9)

        # pre-training page
        self.corpus_title = label(10, bold=True)
        self.corpus = read_only_text()
        self.corpus.setHtml(corpus_html(pipeline.corpus))
        self.pt_loss = CurvePlot()
        self.samples = read_only_text()  # a table that scrolls in its own view
        # SFT page
        self.examples_title = label(10, bold=True)
        self.examples = read_only_text()
        self.examples.setPlainText(
            "\n".join(f"{q.prompt} {q.answer}" for q in pipeline.sft_examples)
        )
        self.sft_loss = CurvePlot()
        self.overfit = label(9)
        # RL page
        self.rl_reward, self.rl_accuracy = CurvePlot(height=90), CurvePlot(height=90)
        self.rl_kl, self.rl_length = CurvePlot(height=90), CurvePlot(height=90)
        self.verdict = label(10)
        # GRPO update page
        self.step_view = GrpoStepView()
        # right side
        self.answer = AnswerPanel()
        self.compare_title = label(10, bold=True)
        self.compare = ComparisonTable()
        self.compare.setMinimumHeight(200)
        self.timeline = TimelineView(lab, bridge)
        self.tabs = QTabWidget()
        self._build_layout()

        for box in self.boxes.values():
            box.sigRun.connect(self.run_stage)
            box.sigPause.connect(self.pause)
            box.sigCancel.connect(self.cancel)
        self.knobs.sigChanged.connect(self._on_knobs)
        self.trace_button.clicked.connect(self.trace_update)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(self._relabel)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        prepare_training()
        self._take(read_models(pipeline))  # the shipped run's models: once, on opening
        self._relabel(lab.lang)

    @classmethod
    def create(  # type: ignore[override]  # a room factory, not Qt's window hook
        cls, parent: QWidget | None = None, settings: Settings | None = None
    ) -> StagesRoom:
        """A room on a fresh pipeline (``settings``: the built-in ones by default), its own
        Navigator and bridge. (It shadows QWidget.create, which Qt never calls from
        Python; the rooms' contract names it so.)"""
        from visualizer.bridge import SessionBridge

        lab = Navigator()
        bridge = SessionBridge(lab)
        pipeline, problem = (Pipeline(settings), "") if settings else shipped_pipeline()
        room = cls(pipeline, lab, bridge, parent)
        bridge.setParent(room)
        if problem:
            room.errors["shipped"] = problem
            room._show_state()
        return room

    def apply_scene(self, settings: dict[str, Any]) -> None:
        """A chapter scene's ``lab`` settings (checked by ``core.chapter_rules``): record
        the GRPO update (``trace``: here, at once, so the scene's step can be put on it),
        pick the evidence's stage and the page. Raises StageError (one line) when the
        stages the scene needs are not finished."""
        if settings.get("trace"):
            if self.worker is not None:
                raise StageError(t("busy", "en"))
            if not self.pipeline.finished("sft"):
                raise StageError(msg("stage_grpo_needs_sft"))
            self._on_traced(self.pipeline.trace_grpo_update())
        if "evidence" in settings:
            stage: StageName = settings["evidence"]
            if stage not in self.answers:
                raise StageError(msg("stage_no_evidence", stage=stage))
            self.answer.picked = stage
            self.answer.show_answers(self.answers, self.lab.lang)
        if "page" in settings:
            self.tabs.setCurrentIndex(PAGES.index(settings["page"]))
        self.fit_header()

    def fit_header(self) -> None:
        """Show the intro and the token split, and the timeline while it holds no trace,
        only where the window's scroll area has the height for the whole room: under a
        chapter's narration bar at presentation zoom they go (the bar narrates), so the
        page and the answer the scene is about are not scrolled out of sight. Called on
        every resize and when a trace arrives, so they come back."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is None:
            return
        lay = self.layout()
        gap = lay.spacing() if lay else 0
        need = self.minimumSizeHint().height()
        for part in (self.header, self.timeline):
            if part.isHidden():
                need += part.sizeHint().height() + gap
        fits = area.viewport().height() >= need
        for part, shown in (
            (self.header, fits),
            (self.timeline, fits or bool(self.lab.trace.steps)),
        ):
            if part.isHidden() == shown:
                part.setVisible(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_header()

    def hasHeightForWidth(self) -> bool:
        """No: the room fills the window's scroll area and its pages share what it gets.
        (A box layout's height-for-width adds up *preferred* heights -- the plots' --
        so the lab's scroll area would otherwise grow the room past the window.)"""
        return False

    def heightForWidth(self, _width: int) -> int:
        return -1  # QScrollArea asks the layout, not hasHeightForWidth: no preference

    def _build_layout(self) -> None:
        left = QVBoxLayout()
        for box in self.boxes.values():
            left.addWidget(box)
        left.addWidget(self.knobs)
        left.addWidget(self.trace_button)
        left.addWidget(self.message)
        left.addStretch(1)
        controls = QWidget()
        controls.setLayout(left)
        controls.setFixedWidth(round(SIDE_W * get_scale()))  # built at the zoom of the day
        # Scrolled on its own, so the controls never make the room taller than the pages
        # need (under a chapter's narration bar, at presentation zoom).
        side = QScrollArea()
        side.setWidget(controls)
        side.setWidgetResizable(True)
        side.setFrameShape(QFrame.Shape.NoFrame)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = side.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        side.setFixedWidth(controls.width() + bar)  # room for its scroll bar when shown
        self.controls = controls

        pt = QWidget()
        lay = QVBoxLayout(pt)
        lay.addWidget(self.corpus_title)
        lay.addWidget(self.corpus, 2)
        lay.addWidget(self.pt_loss, 2)
        # The samples table scrolls (both ways) where the page is short or narrow (a
        # 1366 x 768 window at presentation zoom) instead of being cut off.
        self.samples.setMinimumHeight(round(SAMPLES_H * get_scale()))
        lay.addWidget(self.samples, 2)
        sft = QWidget()
        lay = QVBoxLayout(sft)
        lay.addWidget(self.examples_title)
        lay.addWidget(self.examples, 1)
        lay.addWidget(self.sft_loss, 1)
        lay.addWidget(self.overfit)
        rl = QWidget()
        lay = QVBoxLayout(rl)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        row1.addWidget(self.rl_reward)
        row1.addWidget(self.rl_accuracy)
        row2.addWidget(self.rl_kl)
        row2.addWidget(self.rl_length)
        lay.addLayout(row1, 1)
        lay.addLayout(row2, 1)
        lay.addWidget(self.verdict)
        table = QWidget()
        lay = QVBoxLayout(table)
        lay.addWidget(self.compare_title)
        lay.addWidget(self.compare, 1)
        for page in (pt, sft, rl, self.step_view, table):
            self.tabs.addTab(page, "")
        self.tabs.setUsesScrollButtons(True)  # tabs that do not fit scroll, never squeeze
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)

        answer = QScrollArea()  # at presentation zoom the evidence may outgrow the height
        answer.setWidget(self.answer)
        answer.setWidgetResizable(True)
        answer.setFrameShape(QFrame.Shape.NoFrame)
        answer.setMinimumWidth(round(ANSWER_W * get_scale()))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(answer)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([3000, 2000])  # 3 : 2 from the start (else each one's size hint)
        split.setChildrenCollapsible(False)
        self.splitter = split

        self.header = QWidget()
        top = QHBoxLayout(self.header)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.intro, 3)
        words = QVBoxLayout()
        words.addWidget(self.split)
        words.addWidget(self.split_note)
        top.addLayout(words, 2)
        body = QHBoxLayout()
        body.addWidget(side)
        body.addWidget(split, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.header)
        outer.addLayout(body, 1)
        outer.addWidget(self.timeline)

    # -- running stages -------------------------------------------------------------------
    def run_stage(self, name: str) -> bool:
        """Start (or resume) stage ``name`` in the worker; False (and a message) when
        another stage is running or the stage before is not finished."""
        stage: StageName = name  # type: ignore[assignment]  # a StageBox names a stage
        if self.worker is not None:
            self.message.setText(t("busy", self.lab.lang))
            return False
        if not self._can_run(stage):
            return False
        if self.pipeline.finished(stage):  # run again (a shipped stage, say): from step 0
            self.pipeline.discard(stage)
        self.errors.pop(stage, None)
        self.running = stage
        self.tabs.setCurrentIndex(PAGES.index(stage))
        worker = StageWorker.for_stage(self.pipeline, stage, self)
        worker.sigStep.connect(self._on_step)
        worker.sigEval.connect(self._on_eval)
        worker.sigResult.connect(self._on_stage_result)
        worker.sigFailed.connect(self._on_failed)
        worker.finished.connect(self._on_worker_finished)
        self.worker = worker
        worker.start()
        self._show_state()
        return True

    def pause(self, _name: str = "") -> None:
        if self.worker is not None:
            self.worker.stop()

    def cancel(self, name: str) -> None:
        """Stop the stage if it runs, then forget it and the stages after it."""
        stage: StageName = name  # type: ignore[assignment]
        self._cancelled = stage
        if self.worker is not None and self.running == stage:
            self.worker.stop()  # discarded when the worker has ended (_on_worker_finished)
            return
        if self.worker is None:
            self._discard(stage)

    _cancelled: StageName | None = None

    def shutdown(self) -> None:
        """Stop a running stage and wait for its thread (the application is quitting)."""
        worker = self.worker
        if worker is not None:
            worker.stop()
            worker.wait()

    def _discard(self, stage: StageName) -> None:
        self._cancelled = None
        self.pipeline.discard(stage)
        self._after_change()

    def _can_run(self, stage: StageName) -> bool:
        """The stage before is finished (a finished stage may run again, from scratch)."""
        i = STAGES.index(stage)
        return i == 0 or self.pipeline.finished(STAGES[i - 1])

    def _on_step(self, p: Progress) -> None:
        """Progress at every step; curves at most every ``REDRAW_S`` (and at the end), so
        drawing never slows the training thread down."""
        now = time.monotonic()
        if now - self._drawn_at >= REDRAW_S or p.step == p.total:
            self._drawn_at = now
            self._draw_curves(self.running)
        self._show_state()

    _drawn_at = 0.0
    _samples_html = ""

    def _on_eval(self, _ev: Evaluation) -> None:
        self._draw_curves(self.running)

    def _on_stage_result(self, run: object) -> None:
        assert isinstance(run, StageRun)
        self._last_result = run.finished
        self._fresh = run.reading

    _last_result = False

    def _on_failed(self, message: str) -> None:
        self.errors[self.running or "trace"] = message
        self._last_result = False

    def _on_worker_finished(self) -> None:
        worker, stage = self.worker, self.running
        self.worker, self.running = None, None
        if worker is not None:
            worker.deleteLater()
        finished = self._last_result
        self._last_result = False
        fresh, self._fresh = self._fresh, None
        if stage is not None:  # a stage's worker read the models; one that failed did not
            self._take(fresh if fresh is not None else read_models(self.pipeline))
        if stage is not None and self._cancelled == stage:
            self._discard(stage)
        else:
            self._after_change()
        if stage is not None:
            self.sigStageEnded.emit(stage, finished)

    def _on_knobs(self, changes: dict[str, Any]) -> None:
        """New RL settings: the RL stage (if begun) starts again from the SFT model."""
        s = self.pipeline.settings
        self.pipeline.settings = replace(s, grpo=replace(s.grpo, **changes))
        if "grpo" in self.pipeline.states and self.running != "grpo":
            self.pipeline.discard("grpo")
        if self.worker is None:  # never read the models while a stage trains them
            self._after_change()
        else:
            self._draw_curves("grpo")
            self._show_state()

    def trace_update(self) -> bool:
        """Record the RL stage's next GRPO update (on a copy) in the worker; its trace
        goes on the timeline. False when a stage is training or SFT is not finished."""
        if self.worker is not None or not self.pipeline.finished("sft"):
            if self.worker is not None:
                self.message.setText(t("busy", self.lab.lang))
            return False
        pipeline = self.pipeline

        def job(_w: StageWorker) -> object:
            return pipeline.trace_grpo_update()

        self.errors.pop("trace", None)
        worker = StageWorker(job, self)
        worker.sigResult.connect(self._on_traced)
        worker.sigFailed.connect(self._on_failed)
        worker.finished.connect(self._on_worker_finished)
        self.worker = worker
        self.running = None
        worker.start()
        self._show_state()
        return True

    def _on_traced(self, trace: object) -> None:
        assert isinstance(trace, Trace)
        self.lab.update(trace=trace, cursor=0, playing=False)
        self.fit_header()  # a timeline with a trace is always shown
        self.tabs.setCurrentIndex(PAGES.index("trace"))
        self.sigTraced.emit()

    # -- drawing ----------------------------------------------------------------------------
    def _after_change(self) -> None:
        """A stage ended, was cancelled, or the settings changed: show what the models
        said (the last ``reading``, less the stages that have no model any more)."""
        self._take(self.reading.keep(with_models(self.pipeline)))
        for name in STAGES:
            self._draw_curves(name)
        self.answer.show_answers(self.answers, self.lab.lang)
        self.compare.show_rows(HELD_OUT, self.table, self.lab.lang)
        self._show_state()

    def _take(self, reading: Reading) -> None:
        """Keep what the models said (drawn by ``_after_change``)."""
        self.reading = reading
        self.table = reading.table
        self.answers = dict(reading.answers)

    def _draw_curves(self, name: StageName | None) -> None:
        if name is None:
            return
        lang = self.lab.lang
        st = self.pipeline.states.get(name)
        hist = list(st.history) if st else []  # one snapshot: the worker may append meanwhile
        evals = list(st.evals) if st else []
        steps = [h.step for h in hist]
        if name == "pretrain":
            self.pt_loss.set_curves([(steps, [h.loss for h in hist], C1, t("pt_loss", lang))])
            table = samples_html(evals, lang)
            if table != self._samples_html:  # a new table only: keep where it is scrolled
                self._samples_html = table
                self.samples.setHtml(table)
        elif name == "sft":
            es = [e.step for e in evals]
            self.sft_loss.set_curves(
                [
                    (steps, [h.loss for h in hist], MUTED, t("step_loss", lang)),
                    (es, [e.train_loss for e in evals], C1, t("train_loss", lang)),
                    (es, [e.held_out_loss for e in evals], C2, t("held_loss", lang)),
                ]
            )
            self.overfit.setText(_overfit_text(evals, lang))
        else:
            es = [e.step for e in evals]
            self.rl_reward.set_curves([(steps, [h.reward for h in hist], C1, t("rl_reward", lang))])
            self.rl_accuracy.set_curves(
                [(es, [e.accuracy for e in evals], C4, t("rl_accuracy", lang))]
            )
            self.rl_kl.set_curves([(steps, [h.kl for h in hist], C2, t("rl_kl", lang))])
            self.rl_length.set_curves([(steps, [h.length for h in hist], C3, t("rl_length", lang))])
            self.verdict.setText(self._verdict(hist, lang))

    def _verdict(self, hist: list[Progress], lang: str) -> str:
        if (
            self.running == "grpo"
            or len(hist) < 4
            or (st := self.pipeline.states.get("grpo")) is None
            or not st.done
        ):
            return ""
        d = drift(hist)
        key = "hacked" if d.hacked else "not_hacked"
        colour = PHASE_COLORS["loss"] if d.hacked else PHASE_COLORS["decode"]
        text = t(key, lang, dl=round(d.length_change, 1) + 0.0, dc=d.correct_change, kl=d.kl_last)
        return f"<span style='color:{colour}'><b>{text}</b></span>"

    def _show_state(self) -> None:
        lang, p = self.lab.lang, self.pipeline
        for name, box in self.boxes.items():
            st = p.states.get(name)
            step = st.step if st else 0
            total = st.total if st else _total(p.settings, name)
            running = self.running == name
            can = self.worker is None and self._can_run(name)
            if name in self.errors:
                text = t("error", lang, msg=say(self.errors[name], lang))
            elif st is not None and st.done and st.seconds == 0:
                text = t("loaded", lang, total=st.total)  # resumed from its folder
            elif st is not None and st.done:
                text = t("done", lang, total=st.total, sec=st.seconds)
            elif running:
                text = t("running", lang, step=step, total=total)
            elif step > 0:
                text = t("paused", lang, step=step, total=total)
            else:
                text = t("ready" if can else "waiting", lang)
            box.show_state(lang, step, total, running, can, text)
        self.knobs.setEnabled(self.running != "grpo")
        self.trace_button.setEnabled(self.worker is None and p.finished("sft"))
        if self.worker is None:
            failed, shipped = self.errors.get("trace"), self.errors.get("shipped")
            text = t("error", lang, msg=say(failed, lang)) if failed else ""
            self.message.setText(
                text or (t("not_shipped", lang, msg=say(shipped, lang)) if shipped else "")
            )

    def _on_trace(self, _trace: object) -> None:
        self._on_cursor(self.lab.cursor)

    def _on_cursor(self, _i: int) -> None:
        lab = self.lab
        if lab.trace.steps:
            self.step_view.show_step(lab.trace, lab.step, list(self.pipeline.tok.vocab), lab.lang)
        else:
            self.step_view.show_empty(lab.lang)

    def _relabel(self, lang: str) -> None:
        self.intro.setText(f"<b>{t('title', lang)}</b> — {t('intro', lang)}")
        tok = self.pipeline.tok
        self.split.setText(
            f"<b>{t('tokens', lang)}</b>"
            + split_html(SPLIT_TEXTS, [tok.split(x) for x in SPLIT_TEXTS])
        )
        self.split_note.setText(t("token_note", lang))
        for name, box in self.boxes.items():
            box.relabel(lang)
            self.tabs.setTabText(PAGES.index(name), t(name, lang))
        self.tabs.setTabText(PAGES.index("trace"), t("grpo_step", lang))
        self.tabs.setTabText(PAGES.index("compare"), t("compare_tab", lang))
        self.knobs.relabel(lang)
        self.trace_button.setText(t("trace_btn", lang))
        self.trace_button.setToolTip(t("trace_tip", lang))
        self.corpus_title.setText(
            f"{t('corpus', lang)} — "
            + t("corpus_note", lang, n=len(self.pipeline.corpus.lines), legend=legend_html(lang))
        )
        self.examples_title.setText(t("sft_examples", lang, n=len(self.pipeline.sft_examples)))
        self.sft_loss.set_title(t("sft_loss", lang))
        self.pt_loss.set_title(t("pt_loss", lang))
        for plot, key in (
            (self.rl_reward, "rl_reward"),
            (self.rl_accuracy, "rl_accuracy"),
            (self.rl_kl, "rl_kl"),
            (self.rl_length, "rl_length"),
        ):
            plot.set_title(t(key, lang))
        self.compare_title.setText(t("compare", lang))
        if self.worker is None:
            self._after_change()
        else:
            for name in STAGES:
                self._draw_curves(name)
        self._on_cursor(self.lab.cursor)


def shipped_pipeline() -> tuple[Pipeline, str]:
    """The built-in run shipped in ``assets/stages`` (``make models``), loaded with
    ``Pipeline.resume`` so every page shows its results at once; a fresh pipeline and a
    one-line reason (the engine's, untranslated) when it is missing or was made with
    other settings."""
    from core import assets
    from core.checkpoint import CheckpointError

    try:
        return Pipeline.resume(assets.path("stages")), ""
    except (StageError, CheckpointError, RuntimeError, OSError) as e:
        return Pipeline(), message_of(e)  # a Msg: shown in the room's language


def _total(s: Settings, name: StageName) -> int:
    return {"pretrain": s.pretrain_steps, "sft": s.sft_steps, "grpo": s.grpo_steps}[name]


def samples_html(evals: list[Evaluation], lang: str) -> str:
    """The greedy continuations of ``SAMPLE_PROMPTS`` at the first, a middle and the
    latest evaluation: what pre-training teaches the model to write, as it goes."""
    with_samples = [e for e in evals if e.samples]
    if not with_samples:
        return t("no_samples", lang)
    picked = sorted({0, len(with_samples) // 2, len(with_samples) - 1})
    shown = [with_samples[i] for i in picked]
    head = "".join(f"<th align='left'>{t('at_step', lang, step=e.step)}</th>" for e in shown)
    # The room's question first: where the page is short (under a chapter's narration
    # bar at presentation zoom) the last row is the one cut off.
    order = sorted(
        range(len(SAMPLE_PROMPTS)), key=lambda k: SAMPLE_PROMPTS[k] != THE_QUESTION.prompt
    )
    rows = "".join(
        f"<tr><td style='color:{MUTED}'>{html.escape(SAMPLE_PROMPTS[k])} …</td>"
        + "".join(f"<td>{html.escape(e.samples[k])}</td>" for e in shown)
        + "</tr>"
        for k in order
    )
    return (
        f"<b>{t('samples', lang)}</b><table cellspacing='0' cellpadding='2'>"
        f"<tr><th></th>{head}</tr>{rows}</table>"
    )


def _overfit_text(evals: list[Evaluation], lang: str) -> str:
    """Held-out accuracy before fine-tuning and now; train vs held-out loss at the last
    evaluation, and where held-out was lowest."""
    if not evals:
        return ""
    first, last = evals[0], evals[-1]
    accuracy = t("sft_accuracy", lang, before=first.accuracy, after=last.accuracy, step=last.step)
    return f"{accuracy}<br>{_loss_gap_text(evals, lang)}"


def _loss_gap_text(evals: list[Evaluation], lang: str) -> str:
    last = evals[-1]
    best = min(evals, key=lambda e: e.held_out_loss)
    if (
        best.step < last.step
        and last.held_out_loss > best.held_out_loss
        and last.train_loss < best.train_loss
    ):
        return t(
            "overfit",
            lang,
            train=last.train_loss,
            held=last.held_out_loss,
            best=best.held_out_loss,
            at=best.step,
        )
    if last.train_loss > 0 and last.held_out_loss > GAP * last.train_loss:
        x = last.held_out_loss / last.train_loss
        return t("gap", lang, train=last.train_loss, held=last.held_out_loss, x=x)
    return t("no_overfit", lang, train=last.train_loss, held=last.held_out_loss)
