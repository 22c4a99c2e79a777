"""The three stages in order -- pre-training, SFT, GRPO -- seeded, resumable, saved.

``Pipeline(settings)`` owns the tokenizer, the corpus, one model per stage and each stage's
progress. ``run_stage(name, callbacks)`` trains a stage from where it stopped: every batch,
every sampled group is drawn from ``(seed, stage, step)`` alone and each stage keeps its
Adam state, so a stage stopped by ``callbacks.should_stop`` (pause, cancel) and run again
ends with bit-for-bit the weights of an uninterrupted run, and two pipelines with one seed
give the same numbers. Training runs on one thread (``core.threads.one_thread``) for the
same reason. A finished stage is saved (``save``) as a checkpoint folder
(``core.checkpoint``: safetensors + JSON, never pickle) whose config.json holds the stage,
the settings, its metrics and its curves; ``Pipeline.resume(out, settings)`` picks
finished stages up again from their folders, curves included (the stages room opens on
the run shipped in ``assets/stages`` this way).

Each stage starts from the previous one's weights; GRPO's reference (``ref``) is a frozen
copy of the SFT model. ``evaluate`` (held-out accuracy and the 9.11 answer) and
``comparison`` (the stage table) read the models as they are.

Measured on this 2-core machine (shared, load 2-7): the built-in pipeline takes about
15 s (pre-training 7, SFT 0.3, GRPO 7; ``bench/stages.py``). On seeds 0-5 the pre-trained
model answers 9.11 (p 0.68-0.96) and gets every held-out "trap" wrong, and the GRPO model
answers 9.9 (p > 0.98); held-out accuracy after GRPO is 50-90% depending on the seed.
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import torch

from core import atomic, checkpoint
from core.bundle import Bundle
from core.config import ModelConfig
from core.messages import message_of, msg
from core.model_decoder import DecoderOnly
from core.stages import grpo, pretrain, sft
from core.stages.corpus import Corpus
from core.stages.corpus import generate as generate_corpus
from core.stages.lm import (
    MODEL,
    answer_logprobs,
    continue_text,
    generate,
    new_model,
    prompt_ids,
)
from core.stages.questions import HELD_OUT, Question, first_number, sample_questions
from core.stages.tokenizer import StageTokenizer
from core.threads import one_thread
from core.trace import Trace

StageName = Literal["pretrain", "sft", "grpo"]
STAGES: tuple[StageName, ...] = ("pretrain", "sft", "grpo")
PAIR = "stages"
SAMPLE_PROMPTS = (
    "version 9.9 came out before",
    "section 9.11 comes",
    "which is bigger: 9.11 or 9.9? →",
)  # what a stages checkpoint's config.json says its task is


class StageError(ValueError):
    """A stage cannot run (e.g. its previous stage is not finished); one line."""


@dataclass(frozen=True)
class Settings:
    """The built-in settings; every number of a run follows from these."""

    seed: int = 0
    corpus_lines: int = 3000
    pretrain_steps: int = 1000
    pretrain_batch: int = 32
    pretrain_lr: float = 3e-3
    sft_examples: int = 40
    sft_steps: int = 60
    sft_batch: int = 16
    sft_lr: float = 1e-3
    grpo_steps: int = 150
    grpo_lr: float = 5e-4
    grpo: grpo.GrpoSettings = field(default_factory=grpo.GrpoSettings)
    eval_every: int = 25
    model: ModelConfig = MODEL

    def __post_init__(self) -> None:
        counts = {
            "corpus_lines": self.corpus_lines,
            "pretrain_batch": self.pretrain_batch,
            "sft_examples": self.sft_examples,
            "sft_batch": self.sft_batch,
            "eval_every": self.eval_every,
            "grpo.prompts": self.grpo.prompts,
            "grpo.inner_steps": self.grpo.inner_steps,
        }
        for what, n in counts.items():
            if n < 1:
                raise StageError(msg("stage_count_min", what=what, n=n))
        for what, n in (
            ("pretrain", self.pretrain_steps),
            ("sft", self.sft_steps),
            ("grpo", self.grpo_steps),
        ):
            if n < 0:
                raise StageError(msg("stage_steps_min", what=what, n=n))
        if self.grpo.group < 2:
            raise StageError(msg("stage_grpo_group", n=self.grpo.group))
        if self.grpo.beta < 0 or self.grpo.temperature <= 0 or not 0 < self.grpo.clip_eps < 1:
            raise StageError(msg("stage_grpo_options"))

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d


@dataclass(frozen=True)
class Progress:
    """One training step of a stage: ``loss``; for GRPO also the mean reward, the share of
    correct answers, mean KL per token to the reference and the mean answer length."""

    stage: StageName
    step: int
    total: int
    loss: float
    reward: float = math.nan
    correct: float = math.nan
    kl: float = math.nan
    length: float = math.nan


@dataclass(frozen=True)
class Evaluation:
    """Held-out accuracy and the 9.11 vs 9.9 answer at one point of a stage."""

    stage: StageName
    step: int
    accuracy: float
    answer: str
    p_answer: float  # P(the answer starts with that number | question); 0 if neither
    train_loss: float = math.nan  # SFT: loss on its own examples ...
    held_out_loss: float = math.nan  # ... and on the held-out answers (over-fitting shows)
    samples: tuple[str, ...] = ()  # pre-training: greedy continuations of ``SAMPLE_PROMPTS``


@dataclass
class Callbacks:
    """Hooks like ``core.train.Callbacks``: progress per step, evaluations, and a stop
    request checked before every step (a stopped stage resumes where it was)."""

    on_step: Callable[[Progress], None] | None = None
    on_eval: Callable[[Evaluation], None] | None = None
    should_stop: Callable[[], bool] | None = None


@dataclass
class StageState:
    """One stage's model, optimiser, step and history; ``done`` once it reached ``total``."""

    name: StageName
    model: DecoderOnly
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LambdaLR  # linear decay to 10% of the stage's rate
    total: int
    step: int = 0
    history: list[Progress] = field(default_factory=list)
    evals: list[Evaluation] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        return self.step >= self.total


@dataclass(frozen=True)
class AnswerRow:
    """One held-out question after one stage: the greedy answer, P of each option."""

    question: str
    right: str
    answer: str  # the number the answer gives (``questions.first_number``)
    text: str  # the whole greedy answer
    p_right: float  # P(the answer starts with the right number)
    p_wrong: float  # P(... with the other one)

    wrong: str = ""

    @property
    def correct(self) -> bool:
        return self.answer == self.right


class Pipeline:
    """The stages of one seeded run (see the module docstring)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = s = settings or Settings()
        self.corpus: Corpus = generate_corpus(s.seed, s.corpus_lines)
        self.tok = StageTokenizer.build(self.corpus.lines)
        self.sft_examples: list[Question] = sft.examples(s.seed, s.sft_examples)
        self.states: dict[StageName, StageState] = {}
        self.ref: DecoderOnly | None = None  # GRPO's frozen reference (the SFT model)

    @classmethod
    def resume(cls, out: str | Path, settings: Settings | None = None) -> Pipeline:
        """A pipeline whose stages already saved under ``out`` (``out/pretrain`` ...) are
        loaded as finished, in order, up to the first missing one; a folder made with other
        settings is refused (its numbers would not be this run's)."""
        p = cls(settings)
        want = json.loads(json.dumps(p.settings.to_json()))
        for name in STAGES:
            folder = Path(out) / name
            if not (folder / checkpoint.CONFIG).exists():
                break
            model, tok, info = load_stage(folder)
            if (
                info.get("stage") != name
                or _settings_json(info.get("settings")) != want
                or tok.vocab != p.tok.vocab
            ):
                raise StageError(msg("in_file", path=str(folder), reason=msg("stage_other_run")))
            st = p._start(name)
            st.model.load_state_dict(model.state_dict())
            st.step = st.total
            _restore_history(st, info)
            if not st.evals or st.evals[-1].step != st.step:
                # a folder saved without its last evaluation: compute it (one that has it
                # holds the run's numbers, bit for bit: 0.3 s per stage not spent here)
                p._evaluate(st, Callbacks())
        return p

    # -- stages -----------------------------------------------------------------------
    def model(self, name: StageName) -> DecoderOnly:
        """The stage's model as it is now (finished or not)."""
        if name not in self.states:
            raise StageError(msg("stage_not_started", name=name))
        return self.states[name].model

    def discard(self, name: StageName) -> None:
        """Forget a stage and the stages after it (a cancel): it starts again from step 0."""
        for later in STAGES[STAGES.index(name) :]:
            self.states.pop(later, None)
        self.ref = None  # GRPO is always among them; its reference is rebuilt on start

    def finished(self, name: StageName) -> bool:
        return name in self.states and self.states[name].done

    def _start(self, name: StageName) -> StageState:
        s = self.settings
        if name == "pretrain":
            model = new_model(s.model, self.tok, s.seed)
            lr, total = s.pretrain_lr, s.pretrain_steps
        else:
            before = STAGES[STAGES.index(name) - 1]
            if not self.finished(before):
                raise StageError(msg("stage_order", before=before, name=name))
            model = copy.deepcopy(self.states[before].model)
            lr, total = (s.sft_lr, s.sft_steps) if name == "sft" else (s.grpo_lr, s.grpo_steps)
            if name == "grpo":
                self.ref = copy.deepcopy(self.states["sft"].model).eval()
                self.ref.requires_grad_(False)
        opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda k: 1.0 - 0.9 * min(k, total) / max(total, 1)
        )
        state = StageState(name, model, opt, sched, total)
        self.states[name] = state
        return state

    def run(self, callbacks: Callbacks | None = None) -> bool:
        """Run (or resume) every unfinished stage in order; False when stopped early."""
        return all(self.run_stage(name, callbacks) for name in STAGES)

    def run_stage(self, name: StageName, callbacks: Callbacks | None = None) -> bool:
        """Train one stage to its end, or until ``should_stop``; True when it finished."""
        cb = callbacks or Callbacks()
        state = self.states.get(name) or self._start(name)
        step_fn = {"pretrain": self._pretrain_step, "sft": self._sft_step, "grpo": self._grpo_step}[
            name
        ]
        if name == "pretrain":
            self._lines = pretrain.encode_lines(self.tok, self.corpus)
        with one_thread():
            if state.step == 0 and not state.evals:
                self._evaluate(state, cb)
            while not state.done:
                if cb.should_stop and cb.should_stop():
                    return False
                t0 = time.perf_counter()
                progress = step_fn(state)
                state.sched.step()
                state.step += 1
                state.seconds += time.perf_counter() - t0
                state.history.append(progress)
                if cb.on_step:
                    cb.on_step(progress)
                if state.step % self.settings.eval_every == 0 or state.done:
                    self._evaluate(state, cb)
        return True

    def _pretrain_step(self, st: StageState) -> Progress:
        s = self.settings
        seqs = pretrain.batch(self._lines, s.seed, st.step, s.pretrain_batch)
        st.model.train()
        st.opt.zero_grad(set_to_none=True)
        loss = pretrain.lm_loss(st.model, seqs)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(st.model.parameters(), 1.0)
        st.opt.step()
        return Progress("pretrain", st.step + 1, st.total, float(loss.detach()))

    def _sft_step(self, st: StageState) -> Progress:
        s = self.settings
        rng = random.Random(f"{s.seed}:sft:{st.step}")
        chosen = [
            self.sft_examples[rng.randrange(len(self.sft_examples))] for _ in range(s.sft_batch)
        ]
        st.model.train()
        st.opt.zero_grad(set_to_none=True)
        loss = sft.sft_loss(st.model, sft.make_batch(self.tok, chosen))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(st.model.parameters(), 1.0)
        st.opt.step()
        return Progress("sft", st.step + 1, st.total, float(loss.detach()))

    def grpo_group(self, step: int) -> grpo.Group:
        """The group GRPO samples at ``step`` (from ``(seed, step)``), under the policy now."""
        s = self.settings
        assert self.ref is not None
        questions = sample_questions(random.Random(f"{s.seed}:grpo:{step}"), s.grpo.prompts)
        gen = torch.Generator().manual_seed((s.seed * 1_000_003 + step) % 2**63)
        return grpo.sample_group(self.model("grpo"), self.ref, self.tok, questions, s.grpo, gen)

    def trace_grpo_update(self, step: int | None = None) -> Trace:
        """One GRPO update recorded op by op, on a copy (the stage is not changed): the
        group the stage samples at ``step`` (default: its next step), the first
        ``inner_steps - 1`` updates untraced, then the last one traced -- so the ratios
        and the clipping have moved away from 1 as they do in training."""
        st = self.states.get("grpo") or self._start("grpo")
        step = st.step if step is None else step
        s = self.settings.grpo
        group = self.grpo_group(step)
        policy = copy.deepcopy(st.model)
        opt = torch.optim.Adam(
            policy.parameters(), lr=st.sched.get_last_lr()[0], betas=(0.9, 0.98), eps=1e-9
        )
        with one_thread():
            for _ in range(s.inner_steps - 1):
                grpo.update(policy, opt, group, s)
            trace = grpo.trace_update(policy, opt, group, s, self.tok)
        trace.meta.update(step=step, inner_step=s.inner_steps)
        return trace

    def _grpo_step(self, st: StageState) -> Progress:
        s = self.settings
        group = self.grpo_group(st.step)
        parts = grpo.update(st.model, st.opt, group, s.grpo)
        for _ in range(s.grpo.inner_steps - 1):
            parts = grpo.update(st.model, st.opt, group, s.grpo)
        lengths = group.answers.lengths
        return Progress(
            "grpo",
            st.step + 1,
            st.total,
            float(parts.loss.detach()),
            reward=float(group.reward_total.mean()),
            correct=sum(r.correct for r in group.rewards) / len(group.rewards),
            kl=parts.kl,
            length=sum(lengths) / len(lengths),
        )

    def _evaluate(self, st: StageState, cb: Callbacks) -> None:
        rows = answers(st.model, self.tok)
        the = rows[0]
        p = the.p_right if the.correct else the.p_wrong if the.answer == the.wrong else 0.0
        train_loss = held_out_loss = math.nan
        samples: tuple[str, ...] = ()
        if st.name == "sft":
            with torch.no_grad():
                st.model.eval()
                train_loss = float(
                    sft.sft_loss(st.model, sft.make_batch(self.tok, self.sft_examples))
                )
                held_out_loss = float(sft.sft_loss(st.model, sft.make_batch(self.tok, HELD_OUT)))
        if st.name == "pretrain":
            samples = tuple(continue_text(st.model, self.tok, t) for t in SAMPLE_PROMPTS)
        ev = Evaluation(
            st.name, st.step, accuracy(rows), the.answer, p, train_loss, held_out_loss, samples
        )
        st.evals.append(ev)
        if cb.on_eval:
            cb.on_eval(ev)

    # -- saving ---------------------------------------------------------------------------
    def bundle(self, name: StageName) -> Bundle:
        """The stage's model as a ``core.bundle.Bundle`` (what a checkpoint stores)."""
        word = self.tok.to_word_tokenizer()
        return Bundle(self.model(name), word, word, PAIR)

    def save(self, name: StageName, folder: str | Path) -> Path:
        """Write the finished stage's model folder (atomically; overwriting is the caller's
        check, ``core.atomic.check_target_folder``)."""
        if not self.finished(name):
            raise StageError(msg("stage_not_finished", name=name))
        st = self.states[name]
        last = st.evals[-1]
        extra = {
            "stages": {
                "stage": name,
                "settings": self.settings.to_json(),
                "step": st.step,
                "accuracy": last.accuracy,
                "answer": last.answer,
                "p_answer": last.p_answer,
                # the curves, so a resumed run (the shipped one) shows them at once
                "history": [asdict(h) for h in st.history],
                "evals": [asdict(e) for e in st.evals],
            }
        }
        return checkpoint.save(folder, self.bundle(name), extra)


@dataclass(frozen=True)
class Drift:
    """What GRPO's curves say happened, first quarter of the steps against the last:
    ``hacked`` when answers grew longer (by more than one token) while the share of right
    answers fell -- the reward was chased, not the task. Measured with the length-paying
    reward (hack_weight 0.3, seed 1, 150 steps): beta 0 went from 3 to 8 tokens and from
    45% to 0% right (". 5? → 9.5."), beta 0.5 stayed at 3 tokens, KL below 0.15."""

    length_change: float
    correct_change: float
    kl_last: float
    hacked: bool


def drift(history: list[Progress]) -> Drift:
    """The ``Drift`` of a GRPO history (at least 4 steps)."""
    if len(history) < 4:
        raise StageError(msg("stage_drift_steps"))
    q = len(history) // 4
    first, last = history[:q], history[-q:]

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs)

    dl = mean([h.length for h in last]) - mean([h.length for h in first])
    dc = mean([h.correct for h in last]) - mean([h.correct for h in first])
    return Drift(dl, dc, mean([h.kl for h in last]), dl > 1.0 and dc < 0)


def _settings_json(saved: Any) -> Any:
    """Saved settings as ``Settings.to_json`` writes them today: the model's shape read
    back through ``ModelConfig.from_dict``, so a field added to ``ModelConfig`` later (with
    its default) does not make a folder another run's; anything unreadable stays as it
    was (and differs)."""
    if not isinstance(saved, dict) or not isinstance(saved.get("model"), dict):
        return saved
    try:
        model = ModelConfig.from_dict(saved["model"]).to_dict()
    except (ValueError, TypeError):  # ConfigError is a ValueError
        return saved
    return json.loads(json.dumps({**saved, "model": model}))


def _restore_history(st: StageState, info: dict[str, Any]) -> None:
    """Put a saved stage's curves (``save``: its progress and evaluations, NaN saved as
    null) back on its state; a folder saved without them keeps empty curves. (Not its
    seconds: a saved run is bit for bit the same each time, so it holds no timings.)"""

    def nan(d: dict[str, Any]) -> dict[str, Any]:
        return {k: math.nan if v is None else v for k, v in d.items()}

    st.history = [Progress(**nan(h)) for h in info.get("history", [])]
    st.evals = [
        Evaluation(**{**nan(e), "samples": tuple(e.get("samples", ()))})
        for e in info.get("evals", [])
    ]


def prepare_training() -> None:
    """Import now what a stage's first optimiser imports: ``torch.optim.Adam`` loads
    ``torch._dynamo`` on first use, about 1 s of module code that holds the interpreter.
    The stages room calls this when it is built, so a stage's first second in its
    worker thread does not freeze the window. Draws no random number (no run changes)."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def accuracy(rows: list[AnswerRow]) -> float:
    return sum(r.correct for r in rows) / len(rows)


def answers(
    model: DecoderOnly, tok: StageTokenizer, questions: tuple[Question, ...] = HELD_OUT
) -> list[AnswerRow]:
    """Each question's greedy answer and the probability of the right and wrong option
    (all questions in one batch: they have one token length)."""
    with one_thread():
        texts = generate(model, tok, [prompt_ids(tok, qn) for qn in questions]).texts
        right = answer_logprobs(model, tok, questions, [qn.answer for qn in questions])
        wrong = answer_logprobs(model, tok, questions, [qn.wrong for qn in questions])
    return [
        AnswerRow(qn.prompt, qn.answer, first_number(t), t, math.exp(r), math.exp(w), qn.wrong)
        for qn, t, r, w in zip(questions, texts, right, wrong, strict=True)
    ]


def comparison(
    models: dict[StageName, DecoderOnly], tok: StageTokenizer
) -> dict[StageName, list[AnswerRow]]:
    """The stage comparison table: held-out rows per stage, side by side by question."""
    return {name: answers(m, tok) for name, m in models.items()}


def load_stage(folder: str | Path) -> tuple[DecoderOnly, StageTokenizer, dict[str, Any]]:
    """A stages model folder -> (model, tokenizer, its "stages" record); one-line errors."""
    bundle = checkpoint.load(folder)
    config = checkpoint.read_config(folder)
    info = config.get("stages")
    if (
        bundle.pair != PAIR
        or not isinstance(info, dict)
        or not isinstance(bundle.model, DecoderOnly)
    ):
        raise checkpoint.CheckpointError(
            msg("in_file", path=str(folder), reason=msg("stage_not_stages_model"))
        )
    try:
        tok = StageTokenizer.from_vocab(bundle.tgt_tok.vocab)  # type: ignore[attr-defined]
    except ValueError as e:
        raise checkpoint.CheckpointError(
            msg("in_file", path=str(folder), reason=message_of(e))
        ) from None
    return bundle.model, tok, info


def check_out(out: str | Path, force: bool) -> dict[StageName, Path]:
    """The three stage folders under ``out``, each checked writable (``--force`` to replace)."""
    root = Path(out)
    return {name: atomic.check_target_folder(root / name, force) for name in STAGES}


__all__ = [
    "STAGES",
    "AnswerRow",
    "Callbacks",
    "Evaluation",
    "Pipeline",
    "Progress",
    "Settings",
    "StageError",
    "accuracy",
    "answers",
    "comparison",
    "drift",
    "load_stage",
    "prepare_training",
    "replace",
]
