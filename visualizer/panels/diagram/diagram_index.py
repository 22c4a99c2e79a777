"""Which diagram box each step of a trace belongs to, built once per trace (no Qt).

A box is a sublayer of the figure (``enc.0.self_attn``, ``dec.1.an2`` = add & norm 2,
``src.embed``, ``linear`` ...), a part of a mixture of experts (``dec.0.moe.router``,
``dec.0.moe.expert.2``, ``dec.0.moe.combine``) or of a classifier's head (``cls`` = the
[CLS] vector, ``cls.head``). The steps of one box at one decoding step (and phase) are
its *ops*: the pills an expanded box shows, in execution order. ``experts`` says which
experts the current token was routed to, read from the trace's ``…moe.topk`` steps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.trace import Step, Trace

Context = tuple[str, int | None]  # (phase, decoding step)
_ADD_NORM = re.compile(r"(?:add|norm)(\d+)")


def box_of(name: str, classifier: bool = False) -> str | None:
    """The box a step (or parameter) name belongs to, or None (drawn nowhere).
    ``classifier``: an encoder-only model, whose ``head`` is the classification head."""
    p = name.split(".")
    head = p[0]
    if name in ("tgt.target", "cls.target") or head == "loss" or name == "next.token":
        return "output"
    if name in ("next.probs", "cls.probs") or head == "probs":
        return "softmax"
    if name == "cls.logits" or (head == "head" and classifier):
        return "cls.head"
    if name == "cls.vector":
        return "cls"
    if head == "mlm":  # a pre-trained BERT's masked-word head: its steps and parameters
        return "mlm"
    if head in ("logits", "head"):
        return "linear"
    if head in ("cls_token", "patch_embed"):  # a picture model's embedding parameters
        return "src.embed"
    if head in ("src", "tgt") and len(p) > 1:
        return f"{head}.pos" if p[1] in ("pos", "input") else f"{head}.embed"
    if head in ("src_embed", "tgt_embed"):
        return head.replace("_", ".")
    if head == "pos_embed":
        return "src.pos"
    if head in ("enc_norm", "dec_norm"):
        return head.replace("_", ".")
    if head in ("enc", "dec") and len(p) > 1:
        if p[1] == "norm":
            return f"{head}.norm"
        if p[1].isdigit() and len(p) > 2:
            layer = f"{head}.{p[1]}"
            if p[2] in ("self_attn", "cross_attn", "ffn"):
                return f"{layer}.{p[2]}"
            if p[2] == "moe":
                return _moe_box(layer, p[3:])
            m = _ADD_NORM.fullmatch(p[2])
            if m:
                return f"{layer}.an{m[1]}"
    return None


def _moe_box(layer: str, rest: list[str]) -> str:
    """``L.moe.router.*``, ``.topk.*``, ``.aux_loss`` -> the router; ``.expert.E.*`` (and
    the parameters ``.experts.E.*``) -> expert E; ``.combine`` (and ``L.moe``) -> the sum."""
    if rest and rest[0] in ("router", "topk", "aux_loss"):
        return f"{layer}.moe.router"
    if len(rest) > 1 and rest[0] in ("expert", "experts") and rest[1].isdigit():
        return f"{layer}.moe.expert.{rest[1]}"
    return f"{layer}.moe.combine"


def op_name(box: str, step_name: str) -> str:
    """What is left of a step's name inside its box: "scores", "w_q.weight", "norm1"."""
    if box.endswith(".moe.router") or box.endswith(".moe.combine"):
        return step_name.split(".moe.", 1)[-1]  # "router.probs", "topk.experts", "combine"
    stem = box.rsplit(".", 1)[0] if ".an" in box else box
    for prefix in (stem, box.replace(".", "_"), box.replace(".expert.", ".experts.")):
        if step_name.startswith(prefix + "."):
            return step_name[len(prefix) + 1 :]
    return step_name.rsplit(".", 1)[-1] if "." in step_name else step_name


class DiagramIndex:
    """Step -> box, and box -> its steps grouped by (phase, decoding step)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.arch: str = trace.meta.get("arch", "encoder-decoder")
        self.classification = trace.meta.get("kind") == "classification"
        classifier = self.arch == "encoder-only"
        self.box: list[str | None] = [box_of(s.name, classifier) for s in trace.steps]
        self.groups: dict[str, dict[Context, list[int]]] = {}
        for s, box in zip(trace.steps, self.box, strict=True):
            if box is not None:
                self.groups.setdefault(box, {}).setdefault((s.phase, s.t), []).append(s.index)
        ts = [s.t for s in trace.steps if s.t is not None]
        self.n_decode = max(ts) + 1 if ts else 0
        self.translation = trace.meta.get("kind") == "translation"
        self.topk: dict[str, dict[Context, Step]] = {}  # layer -> its routing per context
        for s in trace.steps:
            if s.name.endswith(".moe.topk.experts") and s.phase != "backward":
                self.topk.setdefault(s.name.split(".moe.")[0], {})[(s.phase, s.t)] = s

    def count(self, box: str) -> int:
        return sum(len(v) for v in self.groups.get(box, {}).values())

    def context(self, box: str, cur: Step | None) -> Context | None:
        """The group a click on ``box`` goes to: the cursor's phase and decoding step
        when the box ran there, else the nearest such (e.g. t=0 from the encoder)."""
        groups = self.groups.get(box)
        if not groups:
            return None
        if cur is None:
            return next(iter(groups))
        return min(groups, key=lambda c: (c[0] != cur.phase, c[1] != cur.t, groups[c][0]))

    def ops(self, box: str, cur: Step | None) -> list[int]:
        """Step indices of the box in the click context of ``cur`` (execution order)."""
        ctx = self.context(box, cur)
        return self.groups[box][ctx] if ctx is not None else []

    def target(self, box: str, cur: Step | None) -> int | None:
        """Where a click on the box seeks: its first op in that context."""
        ops = self.ops(box, cur)
        return ops[0] if ops else None

    def experts(self, cur: Step | None) -> dict[str, float | None]:
        """Expert box -> its router weight, for the experts the current token was sent to
        in every mixture-of-experts layer whose routing the cursor has reached (at this
        decoding step, the last position: the token being read; outside decoding, every
        position's choice, without a weight)."""
        out: dict[str, float | None] = {}
        if cur is None:
            return out
        for layer, by_ctx in self.topk.items():
            step = by_ctx.get((cur.phase, cur.t)) or by_ctx.get(("forward", cur.t))
            if step is None or step.index > cur.index:
                continue
            ids = self.trace.value(step.key)[0]  # (positions, k)
            key = step.key.replace("topk.experts", "topk.weights")
            weights = self.trace.tensors.get(key)
            if cur.t is not None and step.phase == "decode":
                pos = len(ids) - 1
                for j, e in enumerate(ids[pos]):
                    w = float(weights[0][pos][j]) if weights is not None else None
                    out[f"{layer}.moe.expert.{int(e)}"] = w
            else:
                for e in ids.reshape(-1):
                    out[f"{layer}.moe.expert.{int(e)}"] = None
        return out

    def tokens(self, side: str, t: int | None, label: Callable[[int], str]) -> list[str]:
        """The token ids fed to a side's embedding at decoding step t, as labels."""
        key = ("" if t is None else f"t{t}/") + f"{side}.tokens"
        if key not in self.trace.tensors:
            key = f"{side}.tokens"
        if key not in self.trace.tensors:
            meta = self.trace.meta
            return list(meta.get("src_tokens" if side == "src" else "tgt_in_tokens", []))
        ids = self.trace.value(key).reshape(-1)
        return [label(int(i)) for i in ids]
