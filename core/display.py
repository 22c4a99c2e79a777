"""Turning a traced tensor into what a 2-D view draws: a matrix and its labels.

Views never compute model numbers, but every view needs the same bookkeeping to
show one: drop the batch axis, pick the selected head, name rows and columns by
their tokens ("Zeit", "flies") instead of indices. Keeping it here (no Qt) means
it is tested once and every view labels a tensor the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.trace import GRAD, Step, Trace

# an MoE expert's own tensors (and their gradients): "t2/dec.0.moe.expert.3.hidden"
_EXPERT = re.compile(r"(?P<moe>.+\.moe)\.expert\.(?P<e>\d+)\.[^./]+")


@dataclass(frozen=True)
class Matrix:
    values: np.ndarray  # (rows, cols) float32, exactly the traced numbers
    rows: list[str]
    cols: list[str]
    row_axis: str
    col_axis: str
    head: int | None  # which head was taken from a per-head tensor


def axis_labels(trace: Trace, step: Step, axis: str, size: int, vocab: list[str]) -> list[str]:
    """Labels for one axis of a step's tensor (tokens where the axis is a sequence)."""
    meta = trace.meta
    if axis == "src" and len(meta.get("src_tokens", [])) == size:
        return list(meta["src_tokens"])
    if axis == "tgt":
        if "tgt_in_tokens" in meta and len(meta["tgt_in_tokens"]) == size:
            return list(meta["tgt_in_tokens"])
        if meta.get("arch") == "decoder-only":  # a decoding step: the prompt, then the answer
            prefix = [*meta.get("src_tokens", []), *meta.get("tgt_tokens", [])]
        else:
            # the decoder's first token: <bos>, or a checkpoint's own (Marian's <pad>)
            prefix = [meta.get("tgt_start", "<bos>"), *meta.get("tgt_tokens", [])]
        if size <= len(prefix):
            return prefix[:size]
    if axis == "routed":
        routed = routed_tokens(trace, step, size, vocab)
        if routed is not None:
            return routed
    if axis == "label" and len(meta.get("tgt_out_tokens", [])) == size:
        return list(meta["tgt_out_tokens"])  # what each position must predict
    if axis == "vocab" and len(vocab) == size:
        return vocab
    return [str(i) for i in range(size)]


def routed_tokens(trace: Trace, step: Step, size: int, vocab: list[str]) -> list[str] | None:
    """The tokens an MoE expert's step read, in its rows' order; None when unknown.

    An expert reads only the tokens routed to it: the (token, choice) pairs whose top-k
    expert (the same layer's ``….topk.experts`` in this trace) is this expert, in
    token order (``core.moe`` groups them with a stable sort)."""
    found = _EXPERT.fullmatch(step.key.removeprefix(GRAD))
    if found is None:
        return None
    key = f"{found['moe']}.topk.experts"
    topk = next((s for s in trace.steps if s.key == key), None)
    if topk is None or key not in trace.tensors or len(topk.axes) != 3:
        return None
    chosen = trace.value(key)  # (B, L, k) int64, best first
    _, seq, k = chosen.shape
    picks = np.flatnonzero(chosen.reshape(-1) == int(found["e"]))  # (n_e,) flat choices
    if len(picks) != size:
        return None
    tokens = axis_labels(trace, topk, topk.axes[1], seq, vocab)
    return [tokens[(i // k) % seq] for i in picks]


def as_matrix(
    trace: Trace, step: Step, key: str, head: int = 0, vocab: list[str] | None = None
) -> Matrix:
    """The tensor ``key`` (a role of ``step``) as a 2-D matrix with labelled axes.

    The axes are those of the step's own output when the shapes agree (inputs of the
    same shape, gradients), else generic. Batch is index 0 (traces are one sentence).
    """
    value = trace.value(key).astype(np.float32, copy=False)
    if len(step.axes) == value.ndim and tuple(step.shape) == value.shape:
        axes = list(step.axes)
    else:  # labelled as the step that made it (an expert's rows are that expert's tokens)
        step, axes = _owner(trace, key, value.ndim, step)
    if axes and axes[0] == "batch":
        value, axes = value[0], axes[1:]
    taken = None
    if "head" in axes:
        i = axes.index("head")
        taken = max(0, min(head, value.shape[i] - 1))
        value = np.take(value, taken, axis=i)
        axes.pop(i)
    while value.ndim > 2:  # e.g. an unexpected extra axis: show the first slice
        value, axes = value[0], axes[1:]
    if value.ndim == 0:
        value, axes = value.reshape(1, 1), ["value", "value"]
    elif value.ndim == 1:
        value, axes = value[None, :], ["", axes[0] if axes else "dim0"]
    vocab = vocab or []
    rows = axis_labels(trace, step, axes[0], value.shape[0], vocab)
    cols = axis_labels(trace, step, axes[1], value.shape[1], vocab)
    return Matrix(value, rows, cols, axes[0], axes[1], taken)


def _owner(trace: Trace, key: str, ndim: int, step: Step) -> tuple[Step, list[str]]:
    """The step that made a tensor that is not ``step``'s own output, and its axes (else
    ``step`` and generic axes)."""
    bare = key[2:] if key.startswith("d/") else key
    for s in trace.steps:
        if s.key == bare and len(s.axes) == ndim:
            return s, list(s.axes)
    return step, [f"dim{i}" for i in range(ndim)]


def _guess_axes(trace: Trace, key: str, ndim: int) -> list[str]:
    """Axes of a tensor that is not the step's own output: those of the step that made it."""
    bare = key[2:] if key.startswith("d/") else key
    found = next((s for s in trace.steps if s.key == bare and len(s.axes) == ndim), None)
    return list(found.axes) if found is not None else [f"dim{i}" for i in range(ndim)]


def stats(values: np.ndarray) -> dict[str, float]:
    """Min, max, mean, std over finite entries, and how many entries are not finite."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if not finite.size:
        return {
            "min": float("nan"),
            "max": float("nan"),
            "mean": float("nan"),
            "std": float("nan"),
            "nonfinite": int(v.size),
        }
    return {
        "min": float(finite.min()),
        "max": float(finite.max()),
        "mean": float(finite.mean()),
        "std": float(finite.std()),
        "nonfinite": int(v.size - finite.size),
    }
