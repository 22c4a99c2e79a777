"""The numbers the loss view draws, read once per trace from a training-step trace.

For every target position t: the model's top-5 guesses (``probs``), the true token
(``tgt.target``), its probability and rank, and the traced per-token loss
(``loss.per_token``). ``nll`` is −log p recomputed from ``probs`` only to check that the
trace agrees with itself; the view shows the traced loss.

A decoder-only (GPT) model is graded on its answer only: ``loss.mask`` says which
positions count, the prompt's positions have a traced loss of 0 and the mean is over
the counted positions (``counted``), which the view marks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.trace import Trace

TOP_K = 5


@dataclass(frozen=True)
class LossRow:
    t: int
    context: str  # the decoder's input token at t (teacher forcing)
    true_id: int
    true_label: str
    p_true: float
    rank: int  # 1 = the model's first guess
    loss: float  # traced loss.per_token[0, t]
    nll: float  # −log probs[0, t, true_id]
    top: tuple[tuple[int, str, float], ...]  # (id, label, p), best first
    counted: bool = True  # False at a prompt position of a decoder-only model

    @property
    def in_top(self) -> bool:
        return any(i == self.true_id for i, _, _ in self.top)


@dataclass(frozen=True)
class LossData:
    rows: tuple[LossRow, ...]
    mean: float  # traced ``loss``
    after: float | None  # loss after the update, when the trace says
    worst: int  # position with the largest traced loss
    mismatch: float  # max |−log p − traced loss| over the counted positions

    @property
    def counted(self) -> int:
        return sum(r.counted for r in self.rows)

    @property
    def max_loss(self) -> float:
        return max((r.loss for r in self.rows), default=0.0)


def has_loss(trace: Trace | None) -> bool:
    return trace is not None and all(
        k in trace.tensors for k in ("probs", "loss.per_token", "loss", "tgt.target")
    )


def loss_data(trace: Trace | None, token: Callable[[int], str]) -> LossData | None:
    """None when the trace holds no loss (a translation trace)."""
    if not has_loss(trace):
        return None
    assert trace is not None
    probs = np.asarray(trace.value("probs"), dtype=np.float64).reshape(
        -1, trace.value("probs").shape[-1]
    )
    per_token = np.asarray(trace.value("loss.per_token"), dtype=np.float64).reshape(-1)
    target = np.asarray(trace.value("tgt.target")).reshape(-1).astype(int)
    meta = trace.meta
    mask = (
        np.asarray(trace.value("loss.mask")).reshape(-1).astype(bool)
        if "loss.mask" in trace.tensors
        else np.ones(len(per_token), dtype=bool)
    )
    out_tokens = list(meta.get("tgt_out_tokens") or [])
    in_tokens = list(meta.get("tgt_in_tokens") or [])
    rows: list[LossRow] = []
    for t in range(min(len(per_token), len(target), len(probs))):
        p = probs[t]
        tid = int(target[t])
        order = np.argsort(-p, kind="stable")[:TOP_K]
        p_true = float(p[tid])
        rows.append(
            LossRow(
                t=t,
                context=in_tokens[t] if t < len(in_tokens) else "",
                true_id=tid,
                true_label=out_tokens[t] if t < len(out_tokens) else token(tid),
                p_true=p_true,
                rank=int(np.sum(p > p_true)) + 1,
                loss=float(per_token[t]),
                nll=float(-np.log(max(p_true, 1e-300))),
                top=tuple((int(i), token(int(i)), float(p[i])) for i in order),
                counted=bool(mask[t]) if t < len(mask) else True,
            )
        )
    losses = [r.loss if r.counted else -1.0 for r in rows]
    after = meta.get("loss_after")
    return LossData(
        rows=tuple(rows),
        mean=float(np.asarray(trace.value("loss")).reshape(-1)[0]),
        after=float(after) if after is not None else None,
        worst=int(np.argmax(losses)) if losses else 0,
        mismatch=max((abs(r.nll - r.loss) for r in rows if r.counted), default=0.0),
    )
