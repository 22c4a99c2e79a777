"""Which diagram box each step of a trace belongs to, built once per trace (no Qt).

A box is a sublayer of the figure (``enc.0.self_attn``, ``dec.1.an2`` = add & norm 2,
``src.embed``, ``linear`` ...). The steps of one box at one decoding step (and phase)
are its *ops*: the pills an expanded box shows, in execution order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.trace import Step, Trace

Context = tuple[str, int | None]  # (phase, decoding step)
_ADD_NORM = re.compile(r"(?:add|norm)(\d+)")


def box_of(name: str) -> str | None:
    """The box a step (or parameter) name belongs to, or None (drawn nowhere)."""
    p = name.split(".")
    head = p[0]
    if name == "tgt.target" or head == "loss" or name == "next.token":
        return "output"
    if name == "next.probs" or head == "probs":
        return "softmax"
    if head in ("logits", "head"):
        return "linear"
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
            m = _ADD_NORM.fullmatch(p[2])
            if m:
                return f"{layer}.an{m[1]}"
    return None


def op_name(box: str, step_name: str) -> str:
    """What is left of a step's name inside its box: "scores", "w_q.weight", "norm1"."""
    stem = box.rsplit(".", 1)[0] if ".an" in box else box
    for prefix in (stem, box.replace(".", "_")):
        if step_name.startswith(prefix + "."):
            return step_name[len(prefix) + 1 :]
    return step_name.rsplit(".", 1)[-1] if "." in step_name else step_name


class DiagramIndex:
    """Step -> box, and box -> its steps grouped by (phase, decoding step)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.box: list[str | None] = [box_of(s.name) for s in trace.steps]
        self.groups: dict[str, dict[Context, list[int]]] = {}
        for s, box in zip(trace.steps, self.box, strict=True):
            if box is not None:
                self.groups.setdefault(box, {}).setdefault((s.phase, s.t), []).append(s.index)
        ts = [s.t for s in trace.steps if s.t is not None]
        self.n_decode = max(ts) + 1 if ts else 0
        self.translation = trace.meta.get("kind") == "translation"

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
