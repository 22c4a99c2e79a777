"""Which router call the router view shows at a cursor, and the numbers it draws: no Qt.

A mixture-of-experts sublayer (``core/moe.py``) traces, for every call,
``{moe}.router.probs`` (batch, tokens, experts), ``{moe}.topk.experts`` (batch, tokens,
k: the chosen experts, best first) and ``{moe}.aux_loss`` (the load-balancing loss).
A trace holds one call per MoE layer for a forward pass or a training step, and one
per layer *per decoding step* for a translation (``t3/dec.0.moe.router.probs``): there
is no key/value cache, so decoding step n runs the whole sequence again (the prompt or
``<bos>``, and the n tokens generated so far) and routes every one of those tokens
anew. The view shows one call: the chosen layer's at the cursor's decoding step, so
its rows are every token the model read at that step and the last row is the newest;
stepping through decoding makes the table grow by a row per step.

``RouterIndex`` files the calls once per trace by MoE sublayer (``"dec.0.moe"``) and
decoding step; ``resolve`` answers "which call, and how does it relate to the cursor"
the way the attention view does (here / later: a preview / recent / ahead); ``routing``
reads the call's tensors. The load per expert (the share of routed tokens) and the
mean router probability per expert are the two factors of the traced aux loss,
``E · Σ_e f_e · P_e`` (``core/moe.py``): counted and averaged here from the traced
top-k and probabilities, and the tests check that they give back the traced loss.
A trace is one sentence (batch 1), so no token is padding.

Over training, ``aux_history`` reads each layer's load-balancing loss of the demo
sentence from the training run's snapshots (``session.snapshots``): how even the
load became as the model learned.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from core.trace import Step, Trace

Relation = Literal["here", "later", "recent", "ahead"]
PROBS, TOPK, AUX = ".router.probs", ".topk.experts", ".aux_loss"


@dataclass(frozen=True)
class Call:
    """One router call: a MoE sublayer at one decoding step (None: not decoding)."""

    block: str  # "dec.0.moe", "enc.1.moe"
    t: int | None
    probs: Step  # the softmax step; its key holds (1, T, E)


@dataclass(frozen=True)
class Resolved:
    """The call to show for a cursor, and why."""

    call: Call
    relation: Relation


@dataclass(frozen=True)
class Routing:
    """What the view draws for one call, every number read from (or counted in) the trace."""

    call: Call
    tokens: list[str]  # one label per row
    probs: np.ndarray  # (T, E) float32: the traced router probabilities
    chosen: np.ndarray  # (T, k) int64: the traced top-k experts, best first
    counts: np.ndarray  # (E,) int64: (token, choice) pairs sent to each expert
    share: np.ndarray  # (E,) float64: counts / (T·k), the load (sums to 1)
    first_share: np.ndarray  # (E,) float64: f_e, the share of first choices (= share for k=1)
    mean_prob: np.ndarray  # (E,) float64: P_e, the mean router probability over the tokens
    aux: float | None  # the traced load-balancing loss of this call
    aux_key: str | None
    words: list[list[str]]  # per expert, the tokens sent to it, in sequence order

    @property
    def n_experts(self) -> int:
        return int(self.probs.shape[1])

    @property
    def k(self) -> int:
        return int(self.chosen.shape[1])

    def cells(self) -> list[tuple[int, int]]:
        """(row, expert) of every chosen cell, row by row, best choice first."""
        return [(r, int(e)) for r in range(self.chosen.shape[0]) for e in self.chosen[r]]


def side_layer(block: str) -> tuple[str, int]:
    """``"dec.1.moe"`` -> ("dec", 1)."""
    side, layer, *_ = block.split(".")
    return side, int(layer)


class RouterIndex:
    """Every router call of one trace, by sublayer in the order the model meets them."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.calls: dict[str, list[Call]] = {}  # block -> calls in trace order
        for s in trace.steps:
            if s.phase not in ("forward", "decode") or not s.name.endswith(PROBS):
                continue
            if len(s.shape) != 3 or s.key[: -len(PROBS)] + TOPK not in trace.tensors:
                continue
            block = s.name[: -len(PROBS)]
            self.calls.setdefault(block, []).append(Call(block, s.t, s))
        self._positions = {b: [c.probs.index for c in cs] for b, cs in self.calls.items()}
        self._routing: dict[str, Routing] = {}

    def __bool__(self) -> bool:
        return bool(self.calls)

    @property
    def blocks(self) -> list[str]:
        """The MoE sublayers (``enc.0.moe`` … ``dec.1.moe``), as the trace first meets them."""
        return list(self.calls)

    def block_of(self, step: Step) -> str | None:
        """The MoE sublayer a step belongs to (forward, backward or update), if any."""
        return next((b for b in reversed(step.block) if b in self.calls), None)

    def resolve(self, step: Step, block: str) -> Resolved | None:
        """The call of ``block`` to show with the cursor at ``step``: the one at the
        cursor's decoding step (``later`` while the cursor is before its softmax),
        else the block's last call before the cursor, else its first (a preview)."""
        calls = self.calls.get(block)
        if not calls:
            return None
        same = next((c for c in calls if c.t == step.t), None)
        if same is not None:
            later = step.phase in ("forward", "decode") and step.index < same.probs.index
            return Resolved(same, "later" if later else "here")
        i = bisect.bisect_right(self._positions[block], step.index) - 1
        return Resolved(calls[max(i, 0)], "recent" if i >= 0 else "ahead")

    def routing(self, call: Call) -> Routing:
        """The call's probabilities, choices, load, mean probability and aux loss."""
        key = call.probs.key
        found = self._routing.get(key)
        if found is not None:
            return found
        trace, stem = self.trace, key[: -len(PROBS)]
        probs = np.asarray(trace.value(key), dtype=np.float32)[0]  # (T, E)
        chosen = np.asarray(trace.value(stem + TOPK), dtype=np.int64)[0]  # (T, k)
        n_tokens, n_experts = probs.shape
        counts = np.bincount(chosen.reshape(-1), minlength=n_experts)  # (E,)
        first = np.bincount(chosen[:, 0], minlength=n_experts)  # (E,)
        tokens = token_labels(trace, call.probs, n_tokens)
        words: list[list[str]] = [[] for _ in range(n_experts)]
        for row, experts in enumerate(chosen):
            for e in experts:
                words[int(e)].append(tokens[row])
        aux_key = stem + AUX if stem + AUX in trace.tensors else None
        found = Routing(
            call=call,
            tokens=tokens,
            probs=probs,
            chosen=chosen,
            counts=counts,
            share=counts / max(chosen.size, 1),
            first_share=first / max(n_tokens, 1),
            mean_prob=probs.astype(np.float64).mean(axis=0),
            aux=float(trace.value(aux_key)) if aux_key else None,
            aux_key=aux_key,
            words=words,
        )
        self._routing[key] = found
        return found


def token_labels(trace: Trace, step: Step, n: int) -> list[str]:
    """The token of each row of a router tensor. A decoder-only model's translation reads
    the prompt and the answer so far as one sequence, which ``core.display`` does not
    label (it knows ``<bos>`` + answer for a translator's decoder); the rest is its."""
    from core.display import axis_labels

    axis = step.axes[1] if len(step.axes) == 3 else "tokens"
    meta = trace.meta
    if axis == "tgt" and meta.get("arch") == "decoder-only" and "tgt_in_tokens" not in meta:
        sequence = [*meta.get("src_tokens", []), *meta.get("tgt_tokens", [])]
        if n <= len(sequence):
            return [str(x) for x in sequence[:n]]
    return axis_labels(trace, step, axis, n, [])


def aux_history(
    snapshots: Sequence[tuple[int, Mapping[str, float]]], blocks: Sequence[str]
) -> dict[str, tuple[list[int], list[float]]]:
    """Each MoE layer's load-balancing loss across the last training run's snapshots:
    block -> (training steps, losses). A snapshot (``core.train_process.snapshot``)
    keeps the RMS of every tensor of the demo sentence's translation at its last
    decoding step; the RMS of the scalar ``{block}.aux_loss`` (never negative) is the
    loss itself. Layers the snapshots do not name are left out."""
    history: dict[str, tuple[list[int], list[float]]] = {}
    for block in blocks:
        points = [(step, rms[block + AUX]) for step, rms in snapshots if block + AUX in rms]
        if points:
            history[block] = ([s for s, _ in points], [float(v) for _, v in points])
    return history
