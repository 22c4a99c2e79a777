"""Gradient norms per block of one training step, read once per trace.

A block is the source / target embedding, each sublayer of each layer (self_attn,
cross_attn, ffn, and the add & norm steps) and the output head. For each, the L2
norm of the gradient at the block's output activation (the last forward step of the
block that has a ``d/`` tensor: e.g. ``d/enc.0.self_attn.out``, ``d/enc.0.norm1``,
``d/logits``) and the L2 norm of all its parameter gradients together (the
``param_grad`` steps of the backward phase). Blocks are ordered as the forward pass
meets them: input first, output last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.trace import Trace

_SUB = re.compile(r"^((?:enc|dec)\.\d+)\.(self_attn|cross_attn|ffn|norm\d+|add\d+)(?:\.|$)")


def block_of(name: str) -> str | None:
    """The block a step (forward, backward or update, by its name) belongs to."""
    if name.startswith(("src.", "src_embed.")):
        return "src"
    if name.startswith(("tgt.", "tgt_embed.")) and name != "tgt.target":
        return "tgt"
    if name in ("logits", "probs") or name.startswith("head."):
        return "head"
    m = _SUB.match(name)
    if not m:
        return None
    sub = m.group(2)
    if sub.startswith("add"):
        sub = "norm" + sub[3:]  # the residual add belongs to its add & norm
    return f"{m.group(1)}.{sub}"


@dataclass(frozen=True)
class Block:
    id: str
    act_key: str | None  # d/<activation> whose norm is shown
    act_norm: float
    param_norm: float
    n_params: int  # parameter tensors counted
    first_backward: int | None  # step index the click seeks to


@dataclass(frozen=True)
class GradFlow:
    blocks: tuple[Block, ...]  # input first
    grad_norm: float | None
    clip: float | None
    lr: float | None

    def index(self, block_id: str | None) -> int | None:
        for i, b in enumerate(self.blocks):
            if b.id == block_id:
                return i
        return None


def _norm(trace: Trace, key: str) -> float:
    return float(np.sqrt(np.sum(np.square(trace.value(key).astype(np.float64)))))


def grad_flow(trace: Trace | None) -> GradFlow | None:
    """None when the trace has no backward phase (a translation trace)."""
    if trace is None or not any(s.phase == "backward" for s in trace.steps):
        return None
    order: list[str] = []
    act: dict[str, str] = {}
    for s in trace.steps:
        if s.phase != "forward":
            continue
        b = block_of(s.name)
        if b is None:
            continue
        if b not in order:
            order.append(b)
        if "d/" + s.key in trace.tensors:
            act[b] = "d/" + s.key
    sq: dict[str, float] = {}
    count: dict[str, int] = {}
    first: dict[str, int] = {}
    for s in trace.steps:
        if s.phase != "backward":
            continue
        b = block_of(s.name)
        if b is None:
            continue
        first.setdefault(b, s.index)
        if s.kind == "param_grad":
            key = s.tensors.get("out", s.key)
            sq[b] = sq.get(b, 0.0) + _norm(trace, key) ** 2
            count[b] = count.get(b, 0) + 1
    blocks = tuple(
        Block(
            id=b,
            act_key=act.get(b),
            act_norm=_norm(trace, act[b]) if b in act else 0.0,
            param_norm=float(np.sqrt(sq.get(b, 0.0))),
            n_params=count.get(b, 0),
            first_backward=first.get(b),
        )
        for b in order
    )
    meta = trace.meta

    def num(k: str) -> float | None:
        v = meta.get(k)
        return float(v) if isinstance(v, (int, float)) else None

    return GradFlow(blocks, num("grad_norm"), num("clip"), num("lr"))


def block_label(block_id: str, lang: str) -> str:
    """'enc.0 self-attn', '编码器 0 自注意力', ..."""
    names = {
        "src": {"en": "source embedding", "zh": "源语言嵌入"},
        "tgt": {"en": "target embedding", "zh": "目标语言嵌入"},
        "head": {"en": "output head", "zh": "分类头"},
        "self_attn": {"en": "self-attn", "zh": "自注意力"},
        "cross_attn": {"en": "cross-attn", "zh": "交叉注意力"},
        "ffn": {"en": "FFN", "zh": "前馈网络"},
        "norm": {"en": "add & norm {n}", "zh": "残差+归一化 {n}"},
        "enc": {"en": "enc.{n}", "zh": "编码器{n}"},
        "dec": {"en": "dec.{n}", "zh": "解码器{n}"},
    }
    key = "zh" if lang == "zh" else "en"
    if block_id in names:
        return names[block_id][key]
    side, n, sub = block_id.split(".", 2)
    where = names[side][key].format(n=n)
    if sub.startswith("norm"):
        return f"{where} " + names["norm"][key].format(n=sub[4:])
    return f"{where} " + names.get(sub, {key: sub})[key]
