"""What the network canvas shows at the cursor, read from the recorded iteration.

Between iterations (training, or nothing recorded) the canvas shows the live
network. While one iteration is stepped it shows that iteration, as far as the
cursor has got: forward lights the columns up to the current one and writes each
neuron's value for the highlighted point; loss names it; backward turns the links it
has reached into gradient colours, from the output back; update gives each layer
its new weights as its step passes. Nothing is computed here; every number is one
the trace recorded (or, for the live network, one of its weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core.basics.plane import PlaneField
    from core.basics.playground_lab import PlaygroundLab

GRAD = "d/"


@dataclass
class Frame:
    columns: list[str]  # "input", "l1", …, "out"
    sizes: list[int]  # neurons per column
    weights: dict[str, np.ndarray]  # layer → (n_out, n_in) weights the link widths show
    before: dict[str, np.ndarray] = field(default_factory=dict)  # the stepped iteration's start
    link_mode: dict[str, str] = field(default_factory=dict)  # layer → "grad" | "update"
    link_values: dict[str, np.ndarray] = field(default_factory=dict)  # colours in those modes
    lit: set[str] = field(default_factory=set)  # columns at full strength
    current: str | None = None  # the current step's column
    phase: str | None = None  # None: the live network
    values: dict[str, np.ndarray] = field(default_factory=dict)  # column → one number per node
    value_kind: dict[str, str] = field(default_factory=dict)  # "value" | "prob" | "grad" | "update"
    plane: PlaneField | None = None
    loss: float | None = None
    target: int | None = None  # the highlighted point's true class
    focus_probs: np.ndarray | None = None  # its class probabilities, once computed
    batch: list[int] = field(default_factory=list)  # training indices in the batch
    stepped: bool = False  # a recorded iteration is shown


def column_of(name: str) -> str:
    """Step name → canvas column: "l2.act" → "l2", "out.probs" → "out", "loss" → "out"."""
    head = name.split(".")[0]
    return "out" if head in ("out", "loss", "target") else head


def live_frame(lab: PlaygroundLab) -> Frame:
    model = lab.model
    columns = ["input", *model.layer_names]
    weights = {n: model.linear(n).weight.detach().numpy() for n in model.layer_names}
    return Frame(columns, list(model.sizes), weights, lit=set(columns), plane=lab.plane("live"))


def build_frame(lab: PlaygroundLab) -> Frame:
    trace = lab.trace
    if not trace.steps:
        return live_frame(lab)
    meta: dict[str, Any] = trace.meta
    layers = [f"l{i + 1}" for i in range(len(meta["layers"]) - 2)] + ["out"]
    columns = ["input", *layers]
    step = lab.step
    done = trace.steps[: step.index + 1]
    last = step.index == len(trace.steps) - 1
    current = column_of(step.name)
    frame = Frame(
        columns,
        list(meta["layers"]),
        {n: trace.value(f"{n}.weight") for n in layers},
        {n: trace.value(f"{n}.weight") for n in layers},
        current=current,
        phase=step.phase,
        plane=lab.plane("after" if last else "before"),
        batch=list(meta["batch_index"]),
        stepped=True,
    )
    order = {c: i for i, c in enumerate(columns)}
    here = order[current]
    for s in done:
        col = column_of(s.name)
        if s.phase == "forward":
            frame.values[col] = trace.value(s.key)[0]
            frame.value_kind[col] = "prob" if s.name == "out.probs" else "value"
            if s.name == "out.probs":
                frame.focus_probs = frame.values[col]
        elif s.name == "target":
            frame.target = int(trace.value(s.key)[0])
        elif s.name == "loss" and s.phase == "loss":
            frame.loss = float(trace.value(s.key))
        elif s.phase == "backward" and s.name.endswith(".weight"):
            frame.link_mode[col] = "grad"
            frame.link_values[col] = trace.value(s.key)
        elif s.phase == "backward" and s.name != "loss" and s.kind != "param_grad":
            frame.values[col] = trace.value(s.key)[0]
            frame.value_kind[col] = "grad"
        elif s.phase == "update":
            _apply_update(frame, trace, s.name, s.tensors, current=s is step)
    if step.phase == "forward":
        frame.lit = {c for c in columns if order[c] <= here}
    elif step.phase == "backward":
        frame.lit = {c for c in columns if order[c] >= here}
    else:
        frame.lit = set(columns)
    if step.phase == "update":
        frame.values = {c: v for c, v in frame.values.items() if frame.value_kind[c] == "update"}
    return frame


def _apply_update(frame: Frame, trace: Any, name: str, roles: Any, current: bool) -> None:
    layer, part = name.split(".")
    if part == "weight":
        frame.weights[layer] = trace.value(roles["out"])
        frame.link_mode.pop(layer, None)
        frame.link_values.pop(layer, None)
        if current:
            frame.link_mode[layer] = "update"
            frame.link_values[layer] = trace.value(roles["update"])
    elif current:
        frame.values[layer] = trace.value(roles["update"])
        frame.value_kind[layer] = "update"
