"""What a parameter's axes mean, read off the trace: ``dim0 × dim1`` becomes
"out features × in features" for a linear layer's weight, "vocab × dim" for an
embedding table.

The trace records a parameter's gradient and update with the axes it cannot know
(``dim0``, ``dim1``: a parameter has no token or head axis); the forward steps that
read the parameter say what it is: a ``linear`` step's ``weight`` (PyTorch's
``nn.Linear`` stores out × in), an ``embed`` step's ``table`` (one row per token of the
vocabulary), a ``layernorm`` step's ``weight`` (one gain per dimension of the model), a
``concat`` step's ``cls`` ([CLS]: one vector of the model's width). A bias has its
weight's output axis. A parameter no traced step reads keeps the trace's names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.trace import Step

PARAM_KINDS = ("param_grad", "adam")  # steps whose tensor is a parameter (or its change)
# (reading step's kind, the parameter's role in it) -> the parameter's axes
READ_AS: dict[tuple[str, str], tuple[str, ...]] = {
    ("linear", "weight"): ("out_features", "in_features"),
    ("embed", "table"): ("vocab", "dim"),
    ("layernorm", "weight"): ("dim",),
    ("concat", "cls"): ("dim",),
}
BIAS_OF: dict[tuple[str, ...], tuple[str, ...]] = {  # a bias: its weight's output axis
    ("out_features", "in_features"): ("out_features",),
    ("dim",): ("dim",),
}


def readers(steps: Iterable[Step]) -> dict[str, tuple[str, ...]]:
    """Each parameter a forward step reads -> its axes (``READ_AS``)."""
    found: dict[str, tuple[str, ...]] = {}
    for step in steps:
        for role, key in step.tensors.items():
            axes = READ_AS.get((step.kind, role))
            if axes is not None:
                found.setdefault(key, axes)
    return found


def param_axes(step: Step, known: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The axes of a parameter step (a gradient or an update) by what the parameter
    is, or None when the step is not one or the trace does not say (``known`` from
    ``readers``)."""
    if step.kind not in PARAM_KINDS:
        return None
    axes = known.get(step.name)
    if axes is None and step.name.endswith(".bias"):
        weight = known.get(step.name.removesuffix(".bias") + ".weight")
        axes = BIAS_OF.get(weight) if weight is not None else None
    if axes is None or len(axes) != len(step.shape):
        return None  # never name more or fewer axes than the tensor has
    return axes
