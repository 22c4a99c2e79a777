"""Recording whole runs: one training step, a forward pass, a translation.

These functions decide what a run's timeline contains and in which phase each
part lands. A training step is forward (teacher forcing), loss, backward (as
autograd produced it) and update (per parameter: before, the gradient Adam used,
the moments, the update, after), plus the loss on the same pair after the update,
so the window can say how much one step helped.

A decoder-only (GPT) model records the same phases on one sequence, prompt and answer
together: ``tgt.tokens`` … ``logits``, ``probs``, then ``tgt.target`` (the next tokens),
``loss.mask`` (which positions are graded: the answer and ``<eos>``, never the prompt),
``loss.per_token`` and ``loss``. Its translation trace names every decoding step
``t{n}/tgt.tokens`` … ``t{n}/logits``, ``t{n}/next.probs``, ``t{n}/next.token``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from core.batches import Batch
from core.bundle import Bundle, Translation
from core.classify_data import LabelBatch
from core.classify_task import encode_sentence
from core.config import TrainConfig
from core.decode import DecodeSettings
from core.light_trace import (
    LightWatch,
    TracePlan,
    drop_unrecorded,
    plan_trace,
    record_light_update,
    watch_light,
)
from core.pictures import patch_grid
from core.prompt_task import PromptBatch, collate, translates
from core.tokenizer import WordTokenizer, check_text
from core.trace import GRAD, Intervention, Trace, Tracer, point
from core.train import AnyBatch, Trainer


def _pair_batch(bundle: Bundle, source: str, target: str) -> tuple[AnyBatch, dict[str, Any]]:
    if bundle.cfg.arch == "decoder-only":
        return _prompt_batch(bundle, source, target)
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
    return Batch(src, tgt_in, tgt_out, bundle.translator().pad_id), meta


def _prompt_batch(bundle: Bundle, source: str, target: str) -> tuple[PromptBatch, dict[str, Any]]:
    """Decoder-only: the pair as one sequence; its token strips and where the answer starts."""
    ex = bundle.prompt_example(source, target)
    _, enc = bundle.encode_prompt(source)
    tok = bundle.tgt_tok.token
    meta = {
        "tokens": [tok(i) for i in ex.ids],
        "src_tokens": [tok(i) for i in ex.ids[: ex.prompt_len]],
        "tgt_in_tokens": [tok(i) for i in ex.ids[:-1]],
        "tgt_out_tokens": [tok(i) for i in ex.ids[1:]],
        "loss_mask": list(ex.loss_mask[1:]),
        "prompt_len": ex.prompt_len,
        "unknown": list(enc.unknown),
        "target_unknown": [],
    }
    return collate([ex]), meta


def _forward_and_loss(trainer: Trainer, tracer: Tracer, batch: AnyBatch) -> torch.Tensor:
    with tracer.active():
        tracer.phase = "forward"
        logits = trainer.forward(batch)  # (1, T, V)
        if isinstance(batch, LabelBatch):  # the model itself recorded cls.probs
            tracer.phase = "loss"
            point("cls.target", batch.labels, "tokens", {}, ("batch",))
            return trainer.loss(logits, batch)
        with torch.no_grad():  # shown, not trained through: the loss uses log-softmax
            point(
                "probs",
                torch.softmax(logits, -1),
                "softmax",
                {"x": "logits"},
                ("batch", "tgt", "vocab"),
            )
        tracer.phase = "loss"
        labels = batch.labels if isinstance(batch, PromptBatch) else batch.tgt_out
        point("tgt.target", labels, "tokens", {}, ("batch", "label"))
        return trainer.loss(logits, batch)


def trace_training_step(
    trainer: Trainer,
    source: str,
    target: str,
    block: str = "",
    before: Mapping[str, torch.Tensor] | None = None,
) -> Trace:
    """Run and record one full training step on one sentence pair (it does update).

    What is recorded is planned first (``core.light_trace.plan_trace``, before anything is
    copied): every parameter in full when that fits ``limits.PARAM_TRACE_BYTES``, else
    (or when ``block`` names one, e.g. ``"dec.11"``) the light trace: that block and the
    output parts in full, every other parameter as norms. ``before``: the parameters'
    values before the step held elsewhere (``trace_step_on_copy``'s original), which
    spares the light trace a copy. For an encoder-only classifier ``target`` is the
    label's name (``trace_classify_step``)."""
    if trainer.bundle.cfg.arch == "encoder-only":
        return trace_classify_step(trainer, source, target, block, before)
    plan = plan_trace(trainer.bundle.model, block)
    batch, meta = _pair_batch(trainer.bundle, source, target)
    trace = trace_batch_step(trainer, batch, full=plan.full, before=before)
    trace.meta.update(meta, source=source, target=target, **plan_meta(plan))
    return trace


def plan_meta(plan: TracePlan) -> dict[str, Any]:
    """What a training trace says about its recording plan (the window's light-trace
    line reads it): parameters, bytes of a full trace, of this one, of the step itself."""
    return {
        "parameters": plan.params,
        "full_trace_bytes": plan.full_bytes,
        "trace_bytes": plan.bytes,
        "step_bytes": plan.step_bytes,
        "light_block": plan.block,
    }


def trace_batch_step(
    trainer: Trainer,
    batch: AnyBatch,
    loss_after: bool = True,
    full: Sequence[str] | None = None,
    before: Mapping[str, torch.Tensor] | None = None,
) -> Trace:
    """Run and record one full training step on any batch (it does update).

    ``loss_after`` adds one more forward pass: the batch's loss with the new weights,
    which is what tells a user whether the step helped. ``full``: globs of the parameter
    names recorded in full (``None``: every one); the others are recorded as norms
    (``core.light_trace``), their values before the step read from ``before`` when given.
    """
    bundle = trainer.bundle
    tracer = Tracer(grads=True)
    model = bundle.model
    light: LightWatch | None = None
    if full is None:
        tracer.watch_parameters(model, clone=True)  # clones are the "before" values
    else:
        light = watch_light(tracer, model, full, before)
    try:
        loss = _forward_and_loss(trainer, tracer, batch)
        trainer.backward(loss)
    finally:
        tracer.close()
        if light is not None:
            light.close()
    lr = trainer.sched.get_last_lr()[0]
    norm = trainer.clip()
    clipped = bool(trainer.cfg.grad_clip) and norm > trainer.cfg.grad_clip
    trainer.apply()
    record_update(tracer, model, trainer.opt, clipped, light)
    trace = tracer.trace
    trace.meta.update(
        light=light is not None,
        recorded_in_full=list(full) if full is not None else ["*"],
        light_parameters=len(light.light) if light is not None else 0,
    )
    if light is not None:
        drop_unrecorded(trace, light.light)
        light.before = {}  # the light parameters' old values (or clones) can go now
    if loss_after:
        with torch.no_grad():
            trace.meta["loss_after"] = float(trainer.loss(trainer.forward(batch), batch))
    trace.meta.update(
        kind="train_step",
        arch=bundle.cfg.arch,
        loss=float(loss.detach()),
        lr=lr,
        grad_norm=norm,
        clip=trainer.cfg.grad_clip,
        step=trainer.step_count,
    )
    return trace


TRAIN_STEP_LR = 1e-4  # a step small enough to lower a trained model's loss, not wreck it


def record_update(
    tracer: Tracer,
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    clipped: bool,
    light: LightWatch | None = None,
) -> None:
    """Record the optimizer step just taken, one ``adam`` step per parameter: before,
    the gradient Adam used (the recorded one, unless clipping scaled it), its moments,
    the change and the result. Shared by every traced training step (translator,
    classifier, GRPO). ``light``: the parameters a light trace records as norms."""
    trace = tracer.trace
    as_norms = set(light.light) if light is not None else set()
    for name, p in model.named_parameters():
        if p.grad is None:
            continue
        if name in as_norms:
            assert light is not None
            record_light_update(tracer, name, p, light.before[name], clipped)
            continue
        used = tracer.store(f"{name}@grad", p.grad.clone()) if clipped else GRAD + name
        state = opt.state[p]
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


def trace_step_on_copy(
    bundle: Bundle, source: str, target: str, lr: float = TRAIN_STEP_LR, block: str = ""
) -> Trace:
    """One traced training step on a copy of the model: the original is not changed, so
    stepping through "how it learns" never alters the model that translates.

    The recording is planned before the copy is made (a light trace past the ceiling:
    ``block``, see ``trace_training_step``); a light trace reads the old values of the
    parameters it records as norms from the untouched original."""
    plan_trace(bundle.model, block)  # refuses (one line) before anything is copied
    trainer = Trainer(copy.deepcopy(bundle), None, TrainConfig(warmup=0, lr=lr))
    before = dict(bundle.model.named_parameters())
    return trace_training_step(trainer, source, target, block, before)


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
    prompt = bundle.cfg.arch == "decoder-only"
    tracer.trace.meta.update(
        kind="translation",
        arch=bundle.cfg.arch,
        source=source,
        translation=result.text,
        src_tokens=list(result.source.tokens) if prompt else [*result.source.tokens, "<eos>"],
        tgt_tokens=result.tokens,
        unknown=list(result.source.unknown),
    )
    if prompt and not translates(bundle):  # a language model continues the text (core.hf)
        tracer.trace.meta["task"] = "continue"
    return tracer.trace, result


def _label_batch(
    bundle: Bundle, item: str | torch.Tensor, label: str
) -> tuple[LabelBatch, dict[str, Any]]:
    """A classifier's input: a sentence (``[CLS]`` + words) or a (C, H, W) picture, and
    its label by name."""
    if label not in bundle.labels:
        raise ValueError(f"unknown label {label!r}; this model knows: {', '.join(bundle.labels)}")
    target = torch.tensor([bundle.labels.index(label)])
    if isinstance(item, str):
        tok = bundle.src_tok
        if tok.kind == "hf":  # a Hugging Face BERT: its own [CLS] ... [SEP] (core.hf)
            enc = tok.encode(check_text(item))
        elif not isinstance(tok, WordTokenizer):
            raise ValueError("this classifier has no word vocabulary")
        else:
            enc = encode_sentence(tok, item)
        meta: dict[str, Any] = {"src_tokens": list(enc.tokens), "unknown": list(enc.unknown)}
        return LabelBatch(torch.tensor([enc.ids]), target), meta
    rows, cols = patch_grid(bundle.cfg.image_size, bundle.cfg.patch_size)
    return LabelBatch(item[None].float(), target), {
        "src_tokens": picture_tokens(rows * cols),
        "unknown": [],
    }


PATCH_MARK = "▦"  # a patch's name is the mark and its 1-based raster number: ▦1 … ▦16


def picture_tokens(n_patches: int) -> list[str]:
    """The names of a picture model's positions: ``[CLS]`` (position 0), then patch ``p``
    (raster order, ``core.pictures``) as ``▦{p + 1}``, so position ``i`` is ``▦i``. Every
    view (tensor and attention axes, the diagram, the classification head) reads them from
    ``trace.meta["src_tokens"]``, so they number the patches the same way."""
    return ["[CLS]", *(f"{PATCH_MARK}{p + 1}" for p in range(n_patches))]


def trace_classify_step(
    trainer: Trainer,
    item: str | torch.Tensor,
    label: str,
    block: str = "",
    before: Mapping[str, torch.Tensor] | None = None,
) -> Trace:
    """One traced training step of a classifier on one sentence (or picture) and its label:
    forward (… ``cls.vector``, ``cls.logits``, ``cls.probs``), loss (``cls.target``,
    ``loss.per_example``, ``loss``), backward and update; planned as
    ``trace_training_step`` plans it (full, or the light trace of ``block``)."""
    plan = plan_trace(trainer.bundle.model, block)
    batch, meta = _label_batch(trainer.bundle, item, label)
    trace = trace_batch_step(trainer, batch, full=plan.full, before=before)
    trace.meta.update(meta, source=item if isinstance(item, str) else "", target=label)
    trace.meta.update(plan_meta(plan))
    trace.meta["labels"] = list(trainer.bundle.labels)
    return trace


def trace_classification(
    bundle: Bundle, item: str | torch.Tensor, interventions: Sequence[Intervention] = ()
) -> Trace:
    """A classifier's traced forward pass (no loss, no update): every step up to
    ``cls.probs``; ``meta["ranked"]`` holds the labels by probability."""
    model = bundle.classifier()
    batch, meta = _label_batch(bundle, item, bundle.labels[0])
    tracer = Tracer(grads=False, interventions=interventions)
    tracer.watch_parameters(model, clone=False)
    model.eval()
    with torch.no_grad(), tracer.active():
        tracer.phase = "forward"
        probs = torch.softmax(model(batch.inputs)[0], -1)
    order = torch.argsort(probs, descending=True, stable=True).tolist()
    tracer.trace.meta.update(
        meta,
        kind="classification",
        arch=bundle.cfg.arch,
        source=item if isinstance(item, str) else "",
        labels=list(bundle.labels),
        ranked=[(bundle.labels[i], float(probs[i])) for i in order],
        interventions=[i.name for i in interventions],
    )
    return tracer.trace


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
