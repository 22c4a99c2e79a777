"""The simulator's state, without Qt: model, input, trace, cursor, selection, playback.

Everything the window shows is derived from these fields, and every control only
assigns one of them. Assigning ``source``, ``pair`` or ``decode`` re-runs the
model; a failure (an emoji, a 5,000-character sentence) lands in ``error`` and the
previous trace stays on screen. The same object drives a script or a notebook:

    s = Session.open_builtin("en-de")
    s.events.cursor.connect(lambda i: print(s.step.name))
    s.source = "Fruit flies like a banana"
    s.seek_name("dec.1.cross_attn.weights")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from core import assets, checkpoint
from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle, Classification, Translation
from core.classify_run import (
    PICTURE_NAMES,
    classifier_input,
    is_picture_model,
    known_label,
    trace_answer,
    trace_classify,
    trace_fill_step,
)
from core.corpus import sentence_key
from core.debugging import FIELDS as DEBUG_FIELDS
from core.debugging import Debugging
from core.decode import DecodeSettings
from core.fill_mask import EXAMPLE as MASK_EXAMPLE
from core.fill_mask import MASK, FillMask, is_masked_lm
from core.interventions import Intervention, run_with
from core.messages import message_of, msg
from core.navigator import Navigator, Selection, block_path  # noqa: F401 (re-exported)
from core.stages.stage_bundle import stage_example
from core.trace import Step, Trace
from core.tracing import trace_step_on_copy, trace_translation

MODELS = assets.path("models")
BUILTIN_MODELS = {"en-de": "demo-de", "en-fr": "demo-fr"}
EXAMPLES = {
    "en-de": (
        "Time flies like an arrow",
        "Fruit flies like a banana",
        "The dog sees the cat",
        "The children like an apple",
        "The woman reads a book",
    ),
    "en-fr": ("You like this course", "I like this course", "We like this book", "I have a cat"),
}


Runner = Callable[[Callable[[], Any], Callable[[Any], None]], None]
Mode = Literal["translate", "train"]  # trace a translation, or one training step


def run_now(job: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """The default runner: do the work now, on this thread."""
    done(job())


def _guarded(job: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, result), or (False, one-line message): a runner never sees an exception."""
    try:
        return True, job()
    except ValueError as e:  # bad input, a bad checkpoint: the user's to fix
        return False, message_of(e)
    except Exception as e:  # a bug must not take the window down; say what happened
        return False, f"{type(e).__name__}: {e}"


class Session(Debugging, Navigator):
    FIELDS: ClassVar[tuple[str, ...]] = (
        *Navigator.FIELDS,
        *DEBUG_FIELDS,
        "bundle",
        "pair",
        "source",
        "decode",
        "translation",
        "classification",
        "fill_mask",
        "mode",
        "target",
        "light_block",
    )
    runner: Runner = staticmethod(run_now)

    def __init__(self, bundle: Bundle, pair: str, source: str) -> None:
        super().__init__()
        # Plain attributes, not observable fields: the run's own bookkeeping.
        self._ran_source: str | None = None  # the sentence the shown trace is a run of
        self._pending_cursor: int | None = None  # where the next run puts the cursor
        self._hold = False  # set_without_rerun is assigning fields: no run, one follows
        self._loading: str | Path | None = None  # a model folder whose load is in flight
        self.bundle = bundle
        self.pair = pair
        self.decode = bundle.decode_settings(DecodeSettings(max_len=bundle.cfg.max_len - 1))
        self.translation: Translation | None = None
        self.classification: Classification | None = None  # an encoder-only model's answer
        self.fill_mask: FillMask | None = None  # a pre-trained BERT's answer: its [MASK]s filled
        self.mode: Mode = "translate"
        self.target = ""  # the reference translation a training step learns from
        # The block a traced training step records in full when the model is too large
        # for a full trace (core.light_trace; "" = the last block, or everything in full
        # when that fits limits.PARAM_TRACE_BYTES); naming one asks for the light trace.
        self.light_block = ""
        self._init_debugging()
        self.source = ""
        self._set_source(source)
        self.events.source.connect(self._set_source)
        self.events.decode.connect(lambda _: self.rerun())
        self.events.pair.connect(self._load_pair)
        self.events.mode.connect(lambda _: self.rerun())
        self.events.target.connect(self._on_target)
        self.events.light_block.connect(self._on_target)  # a train-mode rerun, as the target

    @classmethod
    def open_builtin(cls, pair: str = "en-de", source: str | None = None) -> Session:
        bundle = checkpoint.load(MODELS / BUILTIN_MODELS[pair])
        return cls(bundle, pair, source or EXAMPLES[pair][0])

    # -- running the model -------------------------------------------------------------
    def _set_source(self, text: str) -> None:
        if text != self._ran_source:
            self.rerun(text)

    def set_without_rerun(self, **fields: Any) -> None:
        """Assign several fields that would each re-run the model (bundle, pair, mode,
        target, decode, source …) and emit their events, without any run; the caller
        runs once afterwards (``rerun``) or installs a trace of its own."""
        self._hold = True
        if "bundle" in fields:
            self._loading = None  # a model given directly replaces one on its way
        try:
            self.update(**fields)
        finally:
            self._hold = False

    def restore_run(self, source: str, cursor: int, **fields: Any) -> None:
        """Assign ``fields`` together (as ``set_without_rerun``), then run ``source`` once
        and put the cursor on step ``cursor`` of the new trace (or its last step): how a
        session file is reopened. The trace on screen no longer counts as a run of any
        sentence, so assigning ``source`` later runs the model even for the same text."""
        self._pending_cursor = cursor
        self._ran_source = None
        self.set_without_rerun(**fields)
        self.rerun(source)

    def show_run(
        self,
        text: str,
        trace: Trace,
        translation: Translation | None,
        clean: Trace | None = None,
        cursor: int = 0,
        **more: Any,
    ) -> None:
        """Show ``trace`` (and ``translation``) as the run of ``text``, in one update:
        ``source`` becomes ``text`` without running the model again, and ``error`` is
        cleared. ``more``: further fields of the same update (``stopped=""``)."""
        self._ran_source = text
        self.update(
            error="",
            translation=translation,
            trace=trace,
            clean=clean,
            source=text,
            cursor=cursor,
            **more,
        )

    def _on_target(self, _target: str) -> None:
        if self.mode == "train":
            self.rerun()

    def rerun(self, text: str | None = None) -> None:
        """Translate (and trace) the source again; keeps the cursor on the same kind of step.

        The work goes through ``self.runner``: at once by default, in a worker thread
        when the GUI installs one (a base-size model takes seconds). Only the newest
        request is applied; a failure lands in ``error`` and the old trace stays.
        """
        if self._hold:
            return  # fields are being restored together; one run follows
        if self._loading is not None:
            # A model is on its way (a pair or model just chosen): run the newest sentence
            # on it, never on the model it replaces (that run would supersede the load).
            self.open_model(self._loading, self.source if text is None else text)
            return
        text = self.source if text is None else text
        bundle, decode = self.bundle, self.decode
        active = self.active_interventions()
        if bundle.cfg.arch == "encoder-only":
            self._classify(text, active)
            return
        if self.mode == "train":
            target = self.target or reference_translation(self.pair, text)
            block = self.light_block

            def train_job() -> tuple[Trace, Translation]:
                result = bundle.translate(text, decode)  # what the model says before learning
                trace = trace_step_on_copy(bundle, text, target or result.text, block=block)
                return trace, result

            self._submit(train_job, lambda done: self._apply(text, *done))
            return

        def job() -> tuple[Trace, Translation, Trace | None]:
            if not active:
                return (*trace_translation(bundle, text, decode), None)
            clean, _ = trace_translation(bundle, text, decode)
            return (*run_with(bundle, text, active, decode), clean)

        undo = self._take_undo()

        def failed() -> None:
            if undo is not None:  # a refused intervention leaves the list as it was
                self.update(interventions=undo[0], disabled=undo[1])

        self._submit(job, lambda done: self._apply(text, *done), failed)

    def _classify(self, text: str, active: list[Intervention]) -> None:
        """An encoder-only model: classify ``text`` (a sentence, or the picture it names:
        ``core.classify_run``), or trace one training step towards ``target`` (a label;
        default: the right label of a lecture sentence, else the model's own answer).
        A pre-trained BERT fills the sentence's [MASK]s instead (``core.fill_mask``); its
        training step's target is a word per mask (default: its own best fills)."""
        bundle = self.bundle
        if self.mode == "train" and is_masked_lm(bundle):  # target: a word piece per [MASK]
            wanted, block = self.target, self.light_block
            self._submit(
                lambda: trace_fill_step(bundle, text, wanted, block),
                lambda done: self._apply(text, *done),
            )
            return
        if self.mode == "train":
            wanted, block = self.target, self.light_block

            def train_job() -> tuple[Trace, Classification]:
                _, result = trace_classify(bundle, text)
                label = wanted or known_label(bundle, text) or result.label
                item = classifier_input(bundle, text)
                trace = trace_step_on_copy(bundle, item, label, block=block)  # type: ignore[arg-type]  # a picture is a tensor: trace_training_step takes it
                trace.meta["source"] = text  # the picture's name, not ""
                return trace, result

            self._submit(train_job, lambda done: self._apply(text, *done))
            return

        def job() -> tuple[Trace, Classification | FillMask, Trace | None]:
            if not active:
                return (*trace_answer(bundle, text), None)
            clean, _ = trace_answer(bundle, text)
            return (*trace_answer(bundle, text, active), clean)

        undo = self._take_undo()

        def failed() -> None:
            if undo is not None:
                self.update(interventions=undo[0], disabled=undo[1])

        self._submit(job, lambda done: self._apply(text, *done), failed)

    def _apply(
        self,
        text: str,
        trace: Trace,
        result: Translation | Classification | FillMask,
        clean: Trace | None = None,
    ) -> None:
        old = self.step if self.trace.steps else None
        pending, self._pending_cursor = self._pending_cursor, None
        cursor = _same_kind(trace, old) if pending is None else min(pending, len(trace.steps) - 1)
        if isinstance(result, Classification):
            self.show_run(text, trace, None, clean, cursor, classification=result, fill_mask=None)
        elif isinstance(result, FillMask):
            self.show_run(text, trace, None, clean, cursor, classification=None, fill_mask=result)
        else:
            self.show_run(text, trace, result, clean, cursor, classification=None, fill_mask=None)

    def _load_pair(self, pair: str) -> None:
        if self._hold:
            return  # a session file brings its own model
        if pair not in BUILTIN_MODELS:
            self.error = msg("no_builtin_model", pair=repr(pair))
            return
        self.open_model(MODELS / BUILTIN_MODELS[pair], EXAMPLES[pair][0])

    def open_model(self, folder: str | Path, source: str | None = None) -> None:
        """Load a model folder (safetensors + JSON) and run the sentence on it; a bad
        folder leaves the current model in place and says why in ``error``."""
        text = self.source if source is None else source
        decode = self.decode

        def job() -> tuple[Bundle, str, Trace, Translation | Classification | FillMask]:
            bundle = checkpoint.load(folder)
            first = example_for(bundle, text)
            if bundle.cfg.arch == "encoder-only":
                return (bundle, first, *trace_answer(bundle, first))
            return (
                bundle,
                first,
                *trace_translation(bundle, first, bundle.decode_settings(decode)),
            )

        def done(out: tuple[Bundle, str, Trace, Translation | Classification | FillMask]) -> None:
            bundle, first, trace, result = out
            self.set_without_rerun(
                bundle=bundle,
                decode=bundle.decode_settings(self.decode),
                mode="translate",
                target="",
                light_block="",
            )
            self._apply(first, trace, result)

        def failed() -> None:
            self._loading = None  # the old model stays, and later runs use it

        self._loading = folder
        self._submit(job, done, failed)

    def save_model(self, folder: str | Path) -> bool:
        """Save the current model (e.g. after training in the window); errors go to ``error``."""
        try:
            checkpoint.save(folder, self.bundle, extra={"saved_from": "transformer-sim window"})
        except (OSError, ValueError) as e:
            self.error = msg("could_not_save_model", path=str(folder), reason=message_of(e))
            return False
        return True

    def _submit(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[], None] | None = None,
    ) -> None:
        """Run ``job`` with the runner; apply its result unless a newer job was submitted
        (``failed`` undoes what asked for the run when it fails)."""
        self._generation = getattr(self, "_generation", 0) + 1
        ticket = self._generation
        self.busy = True

        def finish(outcome: tuple[bool, Any]) -> None:
            if ticket != self._generation:
                return  # superseded by a newer request
            ok, value = outcome
            self.busy = False
            if ok:
                done(value)
            else:
                if failed is not None:
                    failed()
                self.error = value

        self.runner(lambda: _guarded(job), finish)

    def set_decode(self, **changes: object) -> None:
        self.decode = replace(self.decode, **changes)  # type: ignore[arg-type]  # DecodeSettings checks each field


def example_for(bundle: Bundle, source: str) -> str:
    """The sentence to show a newly opened model on: the current one if the model can
    read it, else its task's first example (a picture for a picture classifier)."""
    if stage := stage_example(bundle, source):  # a stages model: a question it can read
        return stage
    if is_masked_lm(bundle):  # a pre-trained BERT reads a sentence with [MASK] in it
        return source if MASK.lower() in source.lower() else MASK_EXAMPLE
    if is_picture_model(bundle):
        name = source.strip()
        return source if name.lower() in PICTURE_NAMES or Path(name).is_file() else PICTURE_NAMES[0]
    if source.strip() and source.strip().lower() not in PICTURE_NAMES:
        return source
    return EXAMPLES.get(bundle.pair, EXAMPLES["en-de"])[0]


def reference_translation(pair: str, source: str) -> str:
    """The built-in corpus' translation of a lecture sentence ("" for any other text)."""
    return _lecture_targets(pair).get(sentence_key(source), "")


@cache
def _lecture_targets(pair: str) -> dict[str, str]:
    if pair not in BUILTIN_MODELS:
        return {}
    return {sentence_key(p.source): p.target for p in builtin_corpus(pair).lecture}


def _same_kind(trace: Trace, old: Step | None) -> int:
    """Index in a new trace of the step most like ``old`` (same name, nearest t)."""
    if old is None or not trace.steps:
        return 0
    same = [s for s in trace.steps if s.name == old.name and s.phase == old.phase]
    if not same:
        return min(old.index, len(trace.steps) - 1)
    return min(same, key=lambda s: abs((s.t or 0) - (old.t or 0))).index
