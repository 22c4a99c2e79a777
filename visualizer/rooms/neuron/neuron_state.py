"""What the neuron figure shows at a cursor: the values the trace has produced so far.

Why separate from the painting: "values appear as the run reaches them" is a rule about
the trace, not about pixels, so it is plain Python (no Qt) and tested on its own. Per
trace, the index of the step that produced each key is found once; a cursor change is
then a handful of dictionary look-ups, far below a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.trace import Step, Trace

# (phase, step name) -> the part of the figure the step is about
FOCUS = {
    ("forward", "neuron.inputs"): "inputs",
    ("forward", "neuron.w"): "weights",
    ("forward", "neuron.b"): "bias",
    ("forward", "neuron.weighted"): "weighted",
    ("forward", "neuron.sum"): "sum",
    ("forward", "neuron.out"): "act",
    ("loss", "target"): "target",
    ("loss", "loss"): "loss",
    ("backward", "loss"): "loss",
    ("backward", "neuron.out"): "out",
    ("backward", "neuron.sum"): "slope",
    ("backward", "neuron.weighted"): "weighted",
    ("backward", "neuron.w"): "weights",
    ("backward", "neuron.b"): "bias",
    ("update", "neuron.w"): "weights",
    ("update", "neuron.b"): "bias",
}
GRADS = ("loss", "neuron.out", "neuron.sum", "neuron.weighted", "neuron.w", "neuron.b")


def _floats(x: object) -> list[float]:
    return [float(v) for v in np.asarray(x, dtype=np.float64).reshape(-1)]


@dataclass
class FigureState:
    """Numbers for the figure; ``None`` where the run has not produced them yet."""

    phase: str = "forward"
    focus: str = ""
    step: Step | None = None
    a: list[float] | None = None  # inputs (3)
    w: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # weights before any update
    b: float = 0.0
    wa: list[float] | None = None  # products w_i·a_i (3)
    s: float | None = None  # weighted sum + bias
    z: float | None = None  # output
    y: float | None = None  # target (None: no target in this trace)
    loss: float | None = None
    grad: dict[str, list[float]] = field(default_factory=dict)  # "neuron.w" -> ∂L/∂w …
    w_after: list[float] | None = None
    b_after: float | None = None
    lr: float | None = None
    has_target: bool = False
    applied: bool = False

    def g(self, name: str, i: int = 0) -> float | None:
        values = self.grad.get(name)
        return None if values is None else values[i]


class NeuronPicture:
    """Reads one trace; ``at(cursor)`` gives the ``FigureState`` for a step."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.first: dict[str, int] = {}
        for s in trace.steps:
            for key in (s.key, *s.tensors.values()):
                self.first.setdefault(key, s.index)
        self.has_target = "target" in trace.tensors

    def _get(self, key: str, cursor: int) -> list[float] | None:
        if key not in self.trace.tensors or self.first.get(key, 1 << 30) > cursor:
            return None
        return _floats(self.trace.tensors[key].numpy())

    def at(self, cursor: int) -> FigureState:
        steps = self.trace.steps
        st = FigureState(has_target=self.has_target, applied=bool(self.trace.meta.get("applied")))
        if not steps:
            return st
        step = steps[max(0, min(cursor, len(steps) - 1))]
        st.step, st.phase = step, step.phase
        st.focus = FOCUS.get((step.phase, step.name), "")
        get = lambda key: self._get(key, step.index)  # noqa: E731
        st.w = _floats(self.trace.tensors["neuron.w"].numpy())  # parameters exist all along
        st.b = _floats(self.trace.tensors["neuron.b"].numpy())[0]
        st.a, st.wa = get("neuron.inputs"), get("neuron.weighted")
        for name, attr in (
            ("neuron.sum", "s"),
            ("neuron.out", "z"),
            ("target", "y"),
            ("loss", "loss"),
        ):
            v = get(name)
            setattr(st, attr, None if v is None else v[0])
        for name in GRADS:
            v = get("d/" + name)
            if v is not None:
                st.grad[name] = v
        st.w_after = get("neuron.w@after")
        b_after = get("neuron.b@after")
        st.b_after = None if b_after is None else b_after[0]
        lr = get("lr")
        st.lr = None if lr is None else lr[0]
        return st
