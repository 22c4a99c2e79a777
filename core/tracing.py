"""Recording whole runs: one training step, a forward pass, a translation.

These functions decide what a run's timeline contains and in which phase each
part lands. A training step is forward (teacher forcing), loss, backward (as
autograd produced it) and update (per parameter: before, the gradient Adam used,
the moments, the update, after), plus the loss on the same pair after the update,
so the window can say how much one step helped.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from core.batches import Batch
from core.bundle import Bundle, Translation
from core.config import TrainConfig
from core.decode import DecodeSettings
from core.trace import GRAD, Intervention, Trace, Tracer, point
from core.train import Trainer


def _pair_batch(bundle: Bundle, source: str, target: str) -> tuple[Batch, dict[str, list[str]]]:
    src, enc = bundle.encode_source(source)
    tgt_in, tgt_out, tenc = bundle.encode_target(target)
    tok = bundle.tgt_tok.token
    meta = {
        "src_tokens": [*enc.tokens, "<eos>"],
        "tgt_in_tokens": [tok(int(i)) for i in tgt_in[0]],
        "tgt_out_tokens": [tok(int(i)) for i in tgt_out[0]],
        "unknown": list(enc.unknown),
        "target_unknown": list(tenc.unknown),
    }
    return Batch(src, tgt_in, tgt_out), meta


def _forward_and_loss(trainer: Trainer, tracer: Tracer, batch: Batch) -> torch.Tensor:
    with tracer.active():
        tracer.phase = "forward"
        logits = trainer.forward(batch)  # (1, T, V)
        with torch.no_grad():  # shown, not trained through: the loss uses log-softmax
            point(
                "probs",
                torch.softmax(logits, -1),
                "softmax",
                {"x": "logits"},
                ("batch", "tgt", "vocab"),
            )
        tracer.phase = "loss"
        point("tgt.target", batch.tgt_out, "tokens", {}, ("batch", "label"))
        return trainer.loss(logits, batch)


def trace_training_step(trainer: Trainer, source: str, target: str) -> Trace:
    """Run and record one full training step on one sentence pair (it does update)."""
    batch, meta = _pair_batch(trainer.bundle, source, target)
    trace = trace_batch_step(trainer, batch)
    trace.meta.update(meta, source=source, target=target)
    return trace


def trace_batch_step(trainer: Trainer, batch: Batch, loss_after: bool = True) -> Trace:
    """Run and record one full training step on any batch (it does update).

    ``loss_after`` adds one more forward pass: the batch's loss with the new weights,
    which is what tells a user whether the step helped.
    """
    bundle = trainer.bundle
    tracer = Tracer(grads=True)
    model = bundle.model
    tracer.watch_parameters(model, clone=True)  # clones are the "before" values
    try:
        loss = _forward_and_loss(trainer, tracer, batch)
        trainer.backward(loss)
    finally:
        tracer.close()
    lr = trainer.sched.get_last_lr()[0]
    norm = trainer.clip()
    clipped = bool(trainer.cfg.grad_clip) and norm > trainer.cfg.grad_clip
    trainer.apply()
    trace = tracer.trace
    for name, p in model.named_parameters():
        if p.grad is None:
            continue
        used = GRAD + name  # the recorded gradient, unless clipping scaled what Adam used
        if clipped:
            used = tracer.store(f"{name}@grad", p.grad.clone())
        state = trainer.opt.state[p]
        after = tracer.store(f"{name}@after", p.detach().clone())
        tracer.store(f"{name}@update", trace.tensors[after] - trace.tensors[name])
        tracer.add_step(
            name,
            "adam",
            {
                "before": name,
                "grad": used,
                "m": tracer.store(f"{name}@m", state["exp_avg"].clone()),
                "v": tracer.store(f"{name}@v", state["exp_avg_sq"].clone()),
                "update": f"{name}@update",
                "out": after,
            },
            phase="update",
        )
    if loss_after:
        with torch.no_grad():
            trace.meta["loss_after"] = float(trainer.loss(trainer.forward(batch), batch))
    trace.meta.update(
        kind="train_step",
        loss=float(loss.detach()),
        lr=lr,
        grad_norm=norm,
        clip=trainer.cfg.grad_clip,
        step=trainer.step_count,
    )
    return trace


TRAIN_STEP_LR = 1e-4  # a step small enough to lower a trained model's loss, not wreck it


def trace_step_on_copy(
    bundle: Bundle, source: str, target: str, lr: float = TRAIN_STEP_LR
) -> Trace:
    """One traced training step on a copy of the model: the original is not changed, so
    stepping through "how it learns" never alters the model that translates."""
    trainer = Trainer(copy.deepcopy(bundle), None, TrainConfig(warmup=0, lr=lr))
    return trace_training_step(trainer, source, target)


def trace_forward(
    trainer: Trainer, source: str, target: str, interventions: Sequence[Intervention] = ()
) -> Trace:
    """Forward and loss only (no update), optionally with interventions."""
    batch, meta = _pair_batch(trainer.bundle, source, target)
    tracer = Tracer(grads=False, interventions=interventions)
    tracer.watch_parameters(trainer.bundle.model, clone=False)
    with torch.no_grad():
        loss = _forward_and_loss(trainer, tracer, batch)
    tracer.trace.meta.update(
        meta,
        kind="forward",
        source=source,
        target=target,
        loss=float(loss),
        interventions=[i.name for i in interventions],
    )
    return tracer.trace


def trace_translation(
    bundle: Bundle,
    source: str,
    settings: DecodeSettings | None = None,
    interventions: Sequence[Intervention] = (),
) -> tuple[Trace, Translation]:
    """Encode once and decode token by token, every decoding step traced."""
    tracer = Tracer(grads=False, interventions=interventions)
    tracer.watch_parameters(bundle.model, clone=False)
    result = bundle.translate(source, settings, tracer=tracer)
    tracer.trace.meta.update(
        kind="translation",
        source=source,
        translation=result.text,
        src_tokens=[*result.source.tokens, "<eos>"],
        tgt_tokens=result.tokens,
        unknown=list(result.source.unknown),
    )
    return tracer.trace, result


@dataclass(frozen=True)
class Change:
    """A tensor that differs between two runs, and by how much."""

    key: str
    step: int
    max_abs_diff: float


def changes(before: Trace, after: Trace) -> list[Change]:
    """Every step output present in both traces whose values differ, in step order."""
    out = []
    for step in after.steps:
        a, b = before.tensors.get(step.key), after.tensors[step.key]
        if a is None or a.shape != b.shape:
            continue
        if not torch.equal(a, b):
            diff = (b.double() - a.double()).abs().nan_to_num(posinf=float("inf"))
            out.append(Change(step.key, step.index, float(diff.max())))
    return out
