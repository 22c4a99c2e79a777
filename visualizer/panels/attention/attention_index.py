"""Which attention weights belong to a cursor position: a per-trace index, no Qt.

Every softmax step of an attention sublayer (``enc.N.self_attn.weights``,
``t3/dec.N.self_attn.weights``, ``t3/dec.N.cross_attn.weights``) is filed under
``(kind, layer, t)`` once per trace, so moving the cursor is a dictionary lookup
plus a bisection. ``resolve(step)`` says which weights to show and how they relate
to the cursor: the cursor's own block ("here"), its block before the softmax has
run ("later"), the most recent weights outside any attention block ("recent"), or
the first weights when nothing has been attended yet ("ahead").
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from core.trace import Step, Trace

Kind = Literal["enc_self", "dec_self", "cross"]
Relation = Literal["here", "later", "recent", "ahead"]
KINDS: tuple[Kind, ...] = ("enc_self", "dec_self", "cross")


def attention_kind(block: str) -> Kind | None:
    """``"enc.0.self_attn"`` -> ``"enc_self"``; ``"dec.1.cross_attn"`` -> ``"cross"``."""
    if block.endswith(".cross_attn"):
        return "cross"
    if block.endswith(".self_attn"):
        return "enc_self" if block.startswith("enc.") else "dec_self"
    return None


@dataclass(frozen=True)
class Resolved:
    """The weights step to show for a cursor, and why."""

    weights: Step  # the softmax step (its key holds (1, H, Tq, Tk))
    kind: Kind
    layer: int
    t: int | None
    relation: Relation


class AttentionIndex:
    """All attention-weight steps of one trace, by (kind, layer, t) and by position."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.by_key: dict[tuple[Kind, int, int | None], Step] = {}
        self.order: list[Step] = []  # weights steps in trace order
        self._values: dict[str, np.ndarray] = {}
        for s in trace.steps:
            if s.phase not in ("forward", "decode") or not s.name.endswith(".weights"):
                continue
            kind = attention_kind(s.name.rsplit(".", 1)[0])
            if kind is None or s.layer is None or len(s.shape) != 4:
                continue
            self.by_key.setdefault((kind, s.layer, s.t), s)
            self.order.append(s)
        self._positions = [s.index for s in self.order]

    def __bool__(self) -> bool:
        return bool(self.order)

    def weights(self, step: Step) -> np.ndarray:
        """(H, Tq, Tk) float32: the traced weights of a softmax step, batch dropped."""
        v = self._values.get(step.key)
        if v is None:
            v = np.asarray(self.trace.value(step.key), dtype=np.float32)[0]
            self._values[step.key] = v
        return v

    def layers(self, kind: Kind, t: int | None) -> list[Step]:
        """The weights steps of every layer for one kind and decoding step, by layer."""
        found = [(layer, s) for (k, layer, tt), s in self.by_key.items() if k == kind and tt == t]
        return [s for _, s in sorted(found, key=lambda p: p[0])]

    def resolve(self, step: Step) -> Resolved | None:
        """What to show at ``step``; None when the trace has no attention weights."""
        for block in reversed(step.block):
            kind = attention_kind(block)
            if kind is None or step.layer is None:
                continue
            found = self.by_key.get((kind, step.layer, step.t))
            if found is not None:
                later = step.phase in ("forward", "decode") and step.index < found.index
                return Resolved(found, kind, step.layer, step.t, "later" if later else "here")
        if not self.order:
            return None
        i = bisect.bisect_right(self._positions, step.index) - 1
        found = self.order[max(i, 0)]
        relation: Relation = "recent" if i >= 0 else "ahead"
        kind = attention_kind(found.name.rsplit(".", 1)[0]) or "enc_self"
        return Resolved(found, kind, found.layer or 0, found.t, relation)
