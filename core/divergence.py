"""The NaN-breakpoint demo: train until the numbers blow up, then trace the step that did it.

``diverge`` trains a copy of a model with the ``diverge-de`` recipe (a learning rate
far too high, no gradient clipping) on its built-in corpus until a training step
leaves a weight that is not finite (or the loss itself is: ``TrainingError``). The
model *before* that step is kept, with the optimizer state, so the step can be
replayed exactly; the replay is traced on one sentence pair of the batch that blew
up (the caller's own sentence first, when it blows up too). In that trace the
first non-finite number appears somewhere a ``nonfinite`` breakpoint stops at.

``load_divergence_demo(session)`` puts all of it into a session: the model just
before the blow-up, train mode on that sentence pair, the traced step as the
session's trace, a ``nonfinite`` breakpoint, and (by default) the cursor on the
first non-finite step. The work runs through the session's runner (a worker
thread in the window); a failure is one line in ``session.error``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from core.batches import Batch
from core.breakpoints import Breakpoint, Breakpoints
from core.builtin_corpus import builtin_corpus, builtin_pairs
from core.bundle import Bundle, Translation
from core.classify_data import LabelBatch, LabelData
from core.config import preset
from core.corpus import Corpus
from core.prompt_task import PromptBatch
from core.tokenizer import PAD_ID
from core.trace import Trace
from core.tracing import trace_training_step
from core.train import AnyBatch, Trainer, TrainingError

if TYPE_CHECKING:
    from core.session import Session

PRESET = "diverge-de"
NONFINITE = Breakpoint("nonfinite")


@dataclass
class Divergence:
    """A model just before its training blew up, and that step traced on one pair."""

    bundle: Bundle  # the weights before the step that blew up (all finite)
    trace: Trace  # that step, replayed on (source, target) with the same optimizer state
    source: str
    target: str
    steps: int  # training steps that went through before it
    first: int | None  # index of the first step of ``trace`` whose output is not finite


_State = tuple[dict[str, Any], dict[str, Any], dict[str, Any], int]


def _finite(bundle: Bundle) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in bundle.model.parameters())


def _state(trainer: Trainer) -> _State:
    return copy.deepcopy(
        (
            trainer.bundle.model.state_dict(),
            trainer.opt.state_dict(),
            trainer.sched.state_dict(),
            trainer.step_count,
        )
    )


def _replay(trainer: Trainer, state: _State) -> Trainer:
    """A new trainer (no corpus) on a copy of the model, exactly as it was at ``state``."""
    bundle = copy.deepcopy(trainer.bundle)
    bundle.model.load_state_dict(state[0])
    out = Trainer(bundle, None, trainer.cfg)
    out.opt.load_state_dict(state[1])
    out.sched.load_state_dict(state[2])
    out.step_count = state[3]
    return out


def _blows_up(trainer: Trainer, state: _State, source: str, target: str) -> bool:
    """Does the replayed step, on this one pair, leave a weight (or the loss) non-finite?"""
    t = _replay(trainer, state)
    try:
        src, _ = t.bundle.encode_source(source)
        tgt_in, tgt_out, _ = t.bundle.encode_target(target)
    except ValueError:  # a word the model cannot read, too long: not a candidate
        return False
    try:
        t.step(Batch(src, tgt_in, tgt_out))
    except TrainingError:
        return True
    return not _finite(t.bundle)


def _by_loss(trainer: Trainer, batch: AnyBatch) -> list[int]:
    """Rows of ``batch`` by their own loss, largest first: the pair whose gradient is
    likeliest to overflow on its own is tried first (one forward pass for all)."""
    labels = batch.labels if isinstance(batch, (PromptBatch, LabelBatch)) else batch.tgt_out
    with torch.no_grad():
        logits = trainer.forward(batch).double()
        per_token = F.cross_entropy(
            logits.transpose(1, 2), labels, ignore_index=PAD_ID, reduction="none"
        )
        count = (labels != PAD_ID).sum(1).clamp(min=1)
        loss = (per_token.sum(1) / count).nan_to_num(nan=math.inf)
    return [int(i) for i in torch.argsort(loss, descending=True, stable=True)]


def _corpus(bundle: Bundle) -> Corpus:
    pair = bundle.pair or preset(PRESET).pair
    if pair not in builtin_pairs():
        raise ValueError(f"the divergence demo needs a built-in language pair; got {pair!r}")
    return builtin_corpus(pair)


def diverge(
    bundle: Bundle,
    corpus: Corpus | None = None,
    prefer: Sequence[tuple[str, str]] = (),
    max_steps: int | None = None,
) -> Divergence:
    """Train a copy of ``bundle`` with the ``diverge-de`` recipe until a step blows up.

    ``prefer``: sentence pairs to trace that step on, tried before the batch's own
    pairs (the first one whose single-pair step also blows up is used). The model
    passed in is never changed. A recipe that does not blow up within ``max_steps``
    (default: the preset's steps) is a ValueError.
    """
    recipe = preset(PRESET).train
    corpus = corpus or _corpus(bundle)
    trainer = Trainer(copy.deepcopy(bundle), corpus, recipe)
    data = trainer.train_data
    if isinstance(data, LabelData):
        raise ValueError("the divergence demo trains a translator, not a classifier")
    if not len(data):
        raise ValueError("no training pairs fit the model")
    limit = recipe.steps if max_steps is None else max_steps
    for _ in range(limit):
        state = _state(trainer)
        n = len(data)  # as Trainer.next_batch draws, but keeping the indices
        idx = torch.randint(n, (min(recipe.batch_size, n),), generator=trainer.rng).tolist()
        try:
            trainer.step(data.batch(idx))
        except TrainingError:
            break
        if not _finite(trainer.bundle):
            break
    else:
        raise ValueError(f"training with {PRESET} did not blow up within {limit} steps")
    order = _by_loss(_replay(trainer, state), data.batch(idx))  # likeliest to blow up first
    pairs = [*prefer, *((data.pairs[idx[k]].source, data.pairs[idx[k]].target) for k in order)]
    chosen = next((p for p in pairs if _blows_up(trainer, state, *p)), None)
    if chosen is None:
        raise ValueError("no single sentence of the batch that blew up blows up on its own")
    before = _replay(trainer, state).bundle
    trace = trace_training_step(_replay(trainer, state), *chosen)
    return Divergence(before, trace, chosen[0], chosen[1], state[3], first_nonfinite(trace))


def first_nonfinite(trace: Trace) -> int | None:
    """The first step whose output holds NaN or ±Inf (a mask's -inf does not count)."""
    hit = Breakpoints([NONFINITE]).next_hit(trace, -1)
    return hit[0] if hit else None


def show(session: Session, demo: Divergence, translation: Translation | None = None) -> None:
    """Put a divergence into a session: the model before the blow-up, train mode on the
    demo's pair, and its traced step as the trace (no re-run replaces it)."""
    session.set_without_rerun(bundle=demo.bundle, mode="train", target=demo.target)
    session.show_run(demo.source, demo.trace, translation, clean=None, cursor=0, stopped="")


def load_divergence_demo(session: Session, run: bool = True) -> None:
    """Train the session's model into divergence and show the step where it happens,
    with a ``nonfinite`` breakpoint; ``run``: also move to the first non-finite step
    (else the cursor waits at step 0 for "run to breakpoint")."""
    from core.session import reference_translation

    bundle, decode = session.bundle, session.decode
    source = session.source
    target = session.target or reference_translation(session.pair, source)
    prefer = [(source, target)] if target else []

    def job() -> tuple[Divergence, Translation]:
        demo = diverge(bundle, prefer=prefer)
        return demo, demo.bundle.translate(demo.source, decode)

    def done(out: tuple[Divergence, Translation]) -> None:
        show(session, *out)
        session.add_breakpoint(NONFINITE)
        if run:
            session.run_to_breakpoint(+1)

    session._submit(job, done)
