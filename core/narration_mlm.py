"""The sentences of a pre-trained BERT's masked-word steps (``core.mlm``,
``core.fill_mask``), in English and Chinese, with the step's own numbers.

A masked-word trace reads its answer at the ``[MASK]`` positions, not at the last one
and not at [CLS]: the sentence is about the selected position when it is a mask, else
the first mask. ``logits`` and ``probs`` name the word the model puts there; in a
training step ``tgt.target`` is the hidden word, ``loss.mask`` grades the masks only and
``loss.per_token`` is −log p(hidden word) there. Every other step, and every step of
another model, is left to ``core.narration_family`` (``explain`` returns None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from core.narration_steps import Explained, num, pct

if TYPE_CHECKING:
    from core.narration_steps import _Ctx as Ctx
    from core.trace import Trace


def masks(trace: Trace) -> list[int]:
    """The [MASK] positions of a masked-word trace ([] for any other trace)."""
    if not any(s.name == "mlm.norm" for s in trace.steps):
        return []
    return [int(i) for i in trace.meta.get("masks", [])]


def default_row(trace: Trace) -> int | None:
    """The first [MASK] of a masked-word trace (None for any other trace)."""
    where = masks(trace)
    return where[0] if where else None


def _row(k: Ctx, where: list[int]) -> int:
    """The selected position if it is a mask, else the first mask."""
    chosen = k.selected
    return chosen if chosen is not None and chosen in where else where[0]


def _word(k: Ctx, i: int) -> str:
    return f"“{k.vocab[i]}”" if 0 <= i < len(k.vocab) else f"#{i}"


def _scores(k: Ctx) -> Explained:
    row = _row(k, masks(k.trace))
    z = np.asarray(k.out[0, row], dtype=np.float64)  # (V,)
    best = int(np.argmax(z))
    return k.say(
        f"At [MASK] (position {row}) every one of the {z.size} words gets a score: the "
        f"vector times the word's own input embedding, plus its bias. Highest: "
        f"{_word(k, best)} {num(z[best])}.",
        f"在 [MASK]（位置 {row}）上，词表里 {z.size} 个词各得一个分：该位置的向量乘以这个词"
        f"自己的输入嵌入，再加上它的偏置。最高的是 {_word(k, best)} {num(z[best])}。",
        position=row,
        score=float(z[best]),
    )


def _probs(k: Ctx) -> Explained:
    where = masks(k.trace)
    row = _row(k, where)
    p = np.asarray(k.out[0, row], dtype=np.float64)  # (V,)
    order = [int(i) for i in np.argsort(-p, kind="stable")[:3]]
    listed = ", ".join(f"{_word(k, i)} {pct(p[i])}" for i in order)
    n = len(where)
    return k.say(
        f"Softmax turns the scores into probabilities. The model's guess for [MASK] "
        f"{where.index(row) + 1} of {n}: {listed}.",
        f"softmax 把得分变成概率。模型对第 {where.index(row) + 1} 个 [MASK]（共 {n} 个）的"
        f"猜测：{listed}。",
        position=row,
        **{f"p{j}": float(p[i]) for j, i in enumerate(order)},
    )


def _target(k: Ctx) -> Explained:
    where = masks(k.trace)
    ids = np.asarray(k.out[0]).astype(np.int64)
    words = ", ".join(_word(k, int(ids[i])) for i in where)
    return k.say(
        f"The words hidden behind the {len(where)} [MASK]: {words}. Training makes them likelier.",
        f"藏在 {len(where)} 个 [MASK] 后面的词：{words}。训练会让它们的概率变大。",
        masks=len(where),
    )


def _graded(k: Ctx) -> Explained:
    graded = np.asarray(k.out[0]).astype(bool)
    n = int(graded.sum())
    return k.say(
        f"Only the [MASK] positions are graded: {n} of {graded.size}. The words the model "
        "could see count 0.",
        f"只有 [MASK] 位置计入损失：{graded.size} 个位置中的 {n} 个。模型看得见的词计为 0。",
        graded=n,
        total=int(graded.size),
    )


def _per_token(k: Ctx) -> Explained:
    where = masks(k.trace)
    per = np.asarray(k.out[0], dtype=np.float64)
    listed = ", ".join(f"{num(per[i])}" for i in where)
    return k.say(
        f"−log p(hidden word) at each [MASK]: {listed}; 0 everywhere else.",
        f"每个 [MASK] 上的 −log p(被遮住的词)：{listed}；其余位置为 0。",
        **{f"loss{j}": float(per[i]) for j, i in enumerate(where)},
    )


BY_NAME: dict[str, Callable[[Ctx], Explained]] = {
    "logits": _scores,
    "probs": _probs,
    "tgt.target": _target,
    "loss.mask": _graded,
    "loss.per_token": _per_token,
}


def explain(k: Ctx) -> Explained | None:
    """The sentence for a masked-word step, or None (the family's sentence applies)."""
    fn = BY_NAME.get(k.step.name)
    if fn is None or k.step.phase not in ("forward", "loss") or not masks(k.trace):
        return None
    return fn(k)
