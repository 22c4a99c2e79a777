"""Words and number formatting for the worked examples (see ``worked.py``), EN and 中文."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SHOWN_TERMS = 3  # products written out in a dot product before "…"
STRINGS = {
    "cell": {"en": "cell [{r}, {c}]", "zh": "单元格 [{r}, {c}]"},
    "masked_row": {"en": "row {r} after the mask", "zh": "掩码后的第 {r} 行"},
    "row": {"en": "row “{row}”", "zh": "行“{row}”"},
    "col": {"en": "column “{col}”", "zh": "列“{col}”"},
    "head": {"en": "head {h}", "zh": "第 {h} 个头"},
    "terms": {"en": "{n} terms", "zh": "共 {n} 项"},
    "hidden": {"en": "hidden: “{col}” comes after “{row}”", "zh": "被遮住：“{col}”在“{row}”之后"},
    "visible": {"en": "visible: kept as it was", "zh": "可见：保持不变"},
    "sum": {"en": "the row sums to", "zh": "整行之和为"},
    "largest": {"en": "largest in the row", "zh": "该行最大的几个"},
    "temp": {
        "en": "sampling: softmax of logits / T with T = {T}, top-k {k}, top-p {p}",
        "zh": "采样：对 logits / T 做 softmax，T = {T}，top-k {k}，top-p {p}",
    },
    "greedy": {"en": "greedy: the most likely of {V} tokens", "zh": "贪心：{V} 个词元中概率最大的"},
    "sample": {"en": "sampled at random (seed {s})", "zh": "随机采样（种子 {s}）"},
    "beam": {"en": "the best hypothesis of the beam search", "zh": "束搜索中最好的假设"},
    "over": {"en": "over the {n} values of row {r}", "zh": "对第 {r} 行的 {n} 个值"},
    "feature": {
        "en": "output feature j = {j} (head {h} · {dk} + {c})",
        "zh": "输出特征 j = {j}（头 {h} · {dk} + {c}）",
    },
    "slice": {"en": "column {c} = head {h} · {dk} + {d}", "zh": "第 {c} 列 = 头 {h} · {dk} + {d}"},
    "grad": {
        "en": "the gradient of the loss with respect to this cell",
        "zh": "损失对这个单元格的梯度",
    },
}


def word(key: str, lang: str, **kw: object) -> str:
    entry = STRINGS[key]
    return (entry.get(lang) or entry["en"]).format(**kw)


def fmt(v: float) -> str:
    """A traced number as shown: 3 decimals, small ones in e-notation, −∞ for masked."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "−∞" if v < 0 else "∞"
    small, big = v != 0 and abs(v) < 1e-3, abs(v) >= 1000
    return (f"{v:.2e}" if small else f"{v:.1f}" if big else f"{v:.3f}").replace("-", "−")


def par(v: float) -> str:
    """A number as an operand: negative ones in parentheses, "(−0.029)"."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


def plus(v: float) -> str:
    """ " + 0.101" or " − 0.087": a bias or summand written after a sum."""
    return f" − {fmt(-v)}" if v < 0 else f" + {fmt(v)}"


def esc(text: object) -> str:
    return html.escape(str(text))


def sub(name: str, *idx: object) -> str:
    return f"{name}<sub>{','.join(str(i) for i in idx)}</sub>"


def dot(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, lang: str) -> str:
    """ "(a₀×b₀) + (a₁×b₁) + (a₂×b₂) + … (64 terms)": the start of a traced dot product."""
    terms = [f"{par(x)}×{par(w)}" for x, w in zip(a[:SHOWN_TERMS], b[:SHOWN_TERMS], strict=True)]
    more = f" + … ({word('terms', lang, n=len(a))})" if len(a) > SHOWN_TERMS else ""
    return " + ".join(terms) + more
