"""A training run in its own process, reporting through a queue.

Why a process and not a thread: the GUI and the fit loop both need the Python
interpreter, and on two cores a training thread and the event loop fight over the
GIL and the BLAS threads (measured in a thread: 233 ms stalls and half the command
line's speed). A child process trains at full speed while the window only drains a
queue every few dozen milliseconds.

The child never touches Qt and is forked from a ``forkserver`` (``process_context``:
a fresh interpreter that imported torch once, never a fork of the window's Qt threads;
``spawn`` where there is none). Weights travel as checkpoint folders written by our own code
(safetensors + JSON), never pickled; the queue carries the message dataclasses of
``core.train_messages`` (plain numbers, strings and small NumPy arrays).
``run_training_job`` is the same function in-process, so tests check the run's
content without paying for a process start.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.messages import Msg, message_of
from core.train_messages import (
    Evaluation,
    Failed,
    Finished,
    LayerRouting,
    Message,
    Progress,
    Snapshot,
    Started,
)

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Event

    from core.bundle import Bundle
    from core.config import ModelConfig, TrainConfig
    from core.corpus import Corpus
    from core.trace import Trace

__all__ = [  # the messages are re-exported: callers may name them from here
    "Control",
    "Evaluation",
    "Failed",
    "Finished",
    "LayerRouting",
    "Message",
    "Progress",
    "Snapshot",
    "Started",
    "TrainJob",
    "child_main",
    "fresh_bundle",
    "load_corpus",
    "rms_by_name",
    "routing_of",
    "run_training_job",
    "snapshot",
]

NICE = 10  # the training process yields the CPU to the window
EMIT_EVERY_S = 0.2  # progress messages at most this often: five a second reads as live


@dataclass(frozen=True)
class TrainJob:
    """Everything a run needs, as plain data (it crosses the process boundary).

    ``start`` is a checkpoint folder with the starting weights and tokenizers; with
    ``from_scratch`` only its tokenizers and shape are used and the weights are drawn
    afresh from ``train.seed``. The run writes ``out/initial`` (the weights it started
    from, so it can be replayed exactly) and ``out/final``.
    """

    start: str
    out: str
    train: TrainConfig
    corpus: str = "builtin:en-de"  # or the path of a user TSV file
    from_scratch: bool = False
    demo_source: str = "Time flies like an arrow"
    snapshot_every: int = 50
    model: ModelConfig | None = None  # a new shape (implies from_scratch)


@dataclass
class Control:
    """How the window steers a run; the child checks it before every step."""

    cancelled: Callable[[], bool]
    wait_if_paused: Callable[[], object] = lambda: None  # blocks while paused


def load_corpus(spec: str) -> Corpus:
    from core.builtin_corpus import builtin_corpus
    from core.corpus import load_tsv

    if spec.startswith("builtin:"):
        return builtin_corpus(spec.removeprefix("builtin:"))
    return load_tsv(spec)


def snapshot(bundle: Bundle, source: str, step: int) -> Snapshot:
    """Translate the demo sentence (traced) and keep the last decoding step's
    cross-attention of every decoder layer (one row per target token) and, for a
    mixture-of-experts model, how every MoE layer routed the sentence."""
    from core.tracing import trace_translation

    trace, result = trace_translation(bundle, source)
    last = max((s.t for s in trace.steps if s.t is not None), default=None)
    cross = []
    for layer in range(bundle.cfg.n_dec_layers):
        key = f"t{last}/dec.{layer}.cross_attn.weights"
        if last is not None and key in trace.tensors:
            cross.append(trace.value(key)[0])  # (1, H, T, S) -> (H, T, S)
    return Snapshot(
        step,
        result.text,
        list(trace.meta["src_tokens"]),
        list(trace.meta["tgt_tokens"]),
        cross,
        rms_by_name(trace),
        routing_of(trace, bundle),
    )


PROBS, TOPK = ".router.probs", ".topk.experts"


def routing_of(trace: Trace, bundle: Bundle) -> tuple[LayerRouting, ...]:
    """Each MoE layer's last router call of a traced translation: the tokens it routed
    (read from the traced token ids with the model's own vocabulary), the chosen experts
    and the mean router probability per expert. The last call of a decoder layer is
    the last decoding step, which re-reads the whole sentence (no cache)."""
    import numpy as np

    last: dict[str, str] = {}  # block -> key of its last router probabilities
    for s in trace.steps:
        if s.phase in ("forward", "decode") and s.name.endswith(PROBS):
            last[s.name.removesuffix(PROBS)] = s.key
    out = []
    for block, key in last.items():
        stem = key.removesuffix(PROBS)
        if stem + TOPK not in trace.tensors:
            continue
        probs = np.asarray(trace.value(key), dtype=np.float64)[0]  # (1, T, E) -> (T, E)
        chosen = np.asarray(trace.value(stem + TOPK), dtype=np.int64)[0]  # (1, T, k) -> (T, k)
        out.append(
            LayerRouting(
                block=block,
                tokens=_routed_tokens(trace, bundle, stem, block, len(chosen)),
                chosen=tuple(tuple(int(e) for e in row) for row in chosen),
                mean_prob=tuple(float(p) for p in probs.mean(axis=0)),  # (E,)
            )
        )
    return tuple(out)


def _routed_tokens(trace: Trace, bundle: Bundle, stem: str, block: str, n: int) -> tuple[str, ...]:
    """The tokens a router call read: the encoder's source ids, or the decoder's input
    ids at that decoding step (``t3/tgt.tokens``), looked up in the vocabulary."""
    prefix = stem[: -len(block)]  # "t3/" or ""
    enc = block.startswith("enc.")
    key = prefix + ("src.tokens" if enc else "tgt.tokens")
    tok = bundle.src_tok if enc else bundle.tgt_tok
    if key in trace.tensors:
        ids = trace.value(key).reshape(-1)  # (1, T) -> (T,)
        if len(ids) == n:
            return tuple(tok.token(int(i)) for i in ids)
    return tuple(str(i) for i in range(n))  # no ids traced: positions


def rms_by_name(trace: Trace) -> dict[str, float]:
    """sqrt(mean(x²)) of each step's output at the name's last occurrence (the final
    decoding step): what the watch list plots across training snapshots."""
    import numpy as np

    last = {s.name: s.key for s in trace.steps}  # later occurrences overwrite earlier
    out = {}
    for name, key in last.items():
        x = trace.value(key)
        if np.issubdtype(x.dtype, np.floating) and x.size:
            finite = x[np.isfinite(x)]
            out[name] = float(np.sqrt(np.mean(np.square(finite, dtype=np.float64))))
    return out


def run_training_job(job: TrainJob, send: Callable[[Message], None], ctl: Control) -> None:
    """Train per ``job``, reporting through ``send`` (see ``core.train_messages``):
    ``Started``, ``Progress``, ``Evaluation``, ``Snapshot`` and last ``Finished`` or
    ``Failed``."""
    try:
        _run(job, send, ctl)
    except Exception as e:  # the window shows it; the run stops cleanly
        send(Failed(_one_line(e)))


def _run(job: TrainJob, send: Callable[[Message], None], ctl: Control) -> None:

    from core import checkpoint
    from core.threads import one_thread
    from core.train import Callbacks, EvalStats, StepStats, Trainer

    bundle = checkpoint.load(job.start)
    corpus = load_corpus(job.corpus)
    if job.from_scratch or job.model is not None:
        bundle = fresh_bundle(bundle, corpus, job.model or bundle.cfg, job.train.seed)
    out = Path(job.out)
    send(Started(str(checkpoint.save(out / "initial", bundle, extra={"role": "initial"}))))
    trainer = Trainer(bundle, corpus, job.train)
    send(snapshot(bundle, job.demo_source, 0))
    start = last = time.perf_counter()
    emit_next, sent = True, -1
    latest: StepStats | None = None

    def progress(s: StepStats) -> None:
        nonlocal last, sent
        last, sent = time.perf_counter(), s.step
        rate = s.step / max(last - start, 1e-9)
        send(
            Progress(
                step=s.step,
                total=job.train.steps,
                loss=s.loss,
                grad_norm=s.grad_norm,
                lr=s.lr,
                groups=trainer.group_norms,
                steps_per_s=rate,
                eta_s=(job.train.steps - s.step) / max(rate, 1e-9),
            )
        )

    def on_step(s: StepStats) -> None:
        nonlocal emit_next, latest
        latest = s
        if emit_next or s.step == job.train.steps:
            progress(s)
        if job.snapshot_every and s.step % job.snapshot_every == 0:
            send(snapshot(bundle, job.demo_source, s.step))
        emit_next = time.perf_counter() - last >= EMIT_EVERY_S

    def should_stop() -> bool:
        ctl.wait_if_paused()
        trainer.want_group_norms = emit_next
        return ctl.cancelled()

    def on_eval(e: EvalStats) -> None:
        send(Evaluation(e))

    with one_thread():  # the same bits as `transformer-sim train`, and a core left for the window
        result = trainer.fit(callbacks=Callbacks(on_step, on_eval, should_stop))
    if latest is not None and latest.step != sent:
        progress(latest)  # the bar and charts end on the last step taken
    bundle.model.eval()
    final = checkpoint.save(
        out / "final", bundle, extra={"role": "final", "stopped": result.reason}
    )
    send(Finished(str(final), result.reason))


def fresh_bundle(start: Bundle, corpus: Corpus, shape: ModelConfig, seed: int) -> Bundle:
    """Random weights of ``shape`` (seeded), built by the family's factory so the
    config's ``arch`` picks the class (a decoder-only or MoE run trains a ``DecoderOnly``).

    The same architecture keeps the start's tokenizers (a run from scratch replays with
    the same ids); another architecture needs other vocabularies (a decoder-only model
    reads one joint prompt vocabulary), fitted on the corpus as ``transformer-sim train``
    does. An encoder-only classifier is not trained from a translation corpus here."""
    import torch

    from core import bundle as bundles
    from core.models import build_model

    if shape.arch == "encoder-only" and start.cfg.arch != "encoder-only":
        raise ValueError(
            "an encoder-only classifier is trained with `transformer-sim train --preset bert-who`"
        )
    if shape.arch != start.cfg.arch:
        return bundles.new_bundle(corpus, shape, "word", seed=seed)
    torch.manual_seed(seed)
    src, tgt = start.src_tok.size, start.tgt_tok.size
    model = build_model(shape, src, tgt)
    return bundles.Bundle(model, start.src_tok, start.tgt_tok, start.pair, start.labels)


def _one_line(e: Exception) -> str:
    kept = message_of(e)
    if isinstance(e, ValueError) and isinstance(kept, Msg) and "\n" not in kept:
        return kept  # the window says it in its own language
    text = " ".join(str(e).split()) or type(e).__name__
    return text if isinstance(e, ValueError) else f"{type(e).__name__}: {text}"


# What a training child imports before its first step: the forkserver imports it once,
# and every child forked from it starts training at once (a spawned child spent ~1.5 s
# of CPU importing torch again for every run).
PRELOAD = ("torch", "core.checkpoint", "core.train", "core.tracing", "core.builtin_corpus")


def process_context() -> ForkServerContext | SpawnContext:
    """Where training children come from: a ``forkserver`` (a fresh interpreter, never a
    fork of the window and its Qt threads, that imported torch and the engine once and
    forks each child from there) where the system has one, else ``spawn`` (Windows)."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))  # a name that fails to import is skipped
    return ctx


def child_main(job: TrainJob, queue: Queue[Message], cancel: Event, resume: Event) -> None:
    """Entry point of the spawned process (``multiprocessing`` events and queue).

    The child runs at a lower priority: on two cores its two PyTorch threads would
    otherwise hold both while the window waits for a turn (150-230 ms stalls,
    measured); niced, the window gets the CPU the moment it has something to draw."""
    with contextlib.suppress(AttributeError, OSError):  # no nice here: train anyway
        os.nice(NICE)
    ctl = Control(cancelled=cancel.is_set, wait_if_paused=resume.wait)
    run_training_job(job, queue.put, ctl)
