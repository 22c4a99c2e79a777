"""What the fill-mask part of the decoding view draws, read from the trace (Qt-free).

A pre-trained BERT (``core.fill_mask``) writes no tokens one by one: it fills every
``[MASK]`` at once, from the masked-word head's ``probs`` (B, S, V) at the mask
positions (``meta["masks"]``). Each mask's candidates are the largest entries of its
row of the recorded ``probs``. A training step adds, per mask, the hidden word it
learns (``tgt.target``) and its loss (``loss.per_token``), and the mean loss before and
after the update (``loss``, ``meta["loss_after"]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.trace import Trace

TOP = 5


@dataclass(frozen=True)
class MaskFill:
    position: int  # where the [MASK] is in the sentence
    top: list[tuple[int, float]]  # (token id, probability), most likely first
    target: int | None  # a training step's hidden word (its id), else None
    target_prob: float | None  # its probability at this mask
    loss: float | None  # −log p(target) here (loss.per_token)


@dataclass(frozen=True)
class FillData:
    tokens: list[str]  # the sentence's tokens, [CLS] … [MASK] … [SEP]
    masks: list[MaskFill]
    probs_step: int  # the step index of ``probs``: the guesses exist from here on
    loss: float | None  # a training step's mean loss over the masks
    loss_after: float | None  # the same loss after the update, when measured


def is_fill_trace(trace: Trace) -> bool:
    """A masked-word BERT's trace: its masks in the meta and the head's ``mlm.norm``."""
    return bool(trace.meta.get("masks")) and any(s.name == "mlm.norm" for s in trace.steps)


def fill_data(trace: Trace, k: int = TOP) -> FillData | None:
    """None unless the trace is a masked-word BERT's (``mlm.norm`` and ``probs`` steps,
    ``meta["masks"]``)."""
    forward = {s.name: s for s in trace.steps if s.phase == "forward"}
    where = [int(i) for i in trace.meta.get("masks", [])]
    if "mlm.norm" not in forward or "probs" not in forward or not where:
        return None
    step = forward["probs"]
    probs = np.asarray(trace.value(step.key))[0]  # (S, V)
    loss_steps = {s.name: s for s in trace.steps if s.phase == "loss"}
    targets = per_token = None
    if "tgt.target" in loss_steps and "loss.per_token" in loss_steps:
        targets = np.asarray(trace.value(loss_steps["tgt.target"].key))[0]  # (S,)
        per_token = np.asarray(trace.value(loss_steps["loss.per_token"].key))[0]  # (S,)
    masks = []
    for pos in where:
        row = probs[pos]  # (V,)
        order = np.argsort(-row, kind="stable")[:k]
        target = None if targets is None else int(targets[pos])
        masks.append(
            MaskFill(
                position=pos,
                top=[(int(i), float(row[i])) for i in order],
                target=target,
                target_prob=None if target is None else float(row[target]),
                loss=None if per_token is None else float(per_token[pos]),
            )
        )
    loss = after = None
    if "loss" in loss_steps and targets is not None:
        loss = float(trace.value(loss_steps["loss"].key))
        measured = trace.meta.get("loss_after")
        after = None if measured is None else float(measured)
    tokens = [str(t) for t in trace.meta.get("src_tokens", [])]
    return FillData(tokens, masks, step.index, loss, after)
