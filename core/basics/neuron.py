"""One artificial neuron, traced like the Transformer: z = f(w1·a1 + w2·a2 + w3·a3 + b).

Why traced: the lab's point is that the neuron runs on the same engine as the big
model, so its forward pass passes ``point(...)`` and its gradients arrive through the
Tracer's hooks in autograd's own order; the timeline, breakpoints and narration then
treat it exactly like a Transformer run. One training iteration is recorded as

    forward   neuron.inputs, neuron.w, neuron.b, neuron.weighted (w·a), neuron.sum (+b),
              neuron.out (f)
    loss      target, loss = (z − y)²
    backward  whatever autograd produces: d/loss, d/neuron.out, d/neuron.sum, …, d/neuron.w
    update    neuron.w, neuron.b: before, gradient, learning rate, update, after

Plain stochastic gradient descent (no momentum) keeps the update one line of
arithmetic: w ← w − lr · ∂L/∂w. The step activation is included on purpose: its
gradient is 0 everywhere (where it is defined), so nothing flows back and the weights
never move; the narration says so. Kinds are prefixed ``neuron_`` so this room's
narration never collides with the Transformer's ("forward.linear" …).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import torch
from torch import Tensor

from core.trace import GRAD, Trace, Tracer, point, untraced

Activation = Literal["identity", "step", "sigmoid", "tanh", "relu"]
ACTIVATIONS: tuple[Activation, ...] = get_args(Activation)
DTYPE = torch.float32


def activate(x: Tensor, name: str) -> Tensor:
    """f(x) for one of ``ACTIVATIONS``; always a new tensor (so it is a separate trace point)."""
    if name == "identity":
        return x.clone()
    if name == "step":
        # 1 where x > 0, else 0. "+ 0·x" keeps it in the graph with gradient exactly 0.
        return (x > 0).to(x.dtype) + 0.0 * x
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "relu":
        return torch.relu(x)
    raise ValueError(f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}")


def activate_np(x: np.ndarray, name: str) -> np.ndarray:
    """``activate`` in NumPy, for bulk evaluations that need no gradient (loss surfaces,
    curves): tiny arrays there are faster without PyTorch's thread pool, and a test
    checks that both definitions agree."""
    if name == "identity":
        return x.copy()
    if name == "step":
        return (x > 0).astype(x.dtype)
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^(−x)), without overflow
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    raise ValueError(f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}")


def activation_curve(name: str, xs: np.ndarray) -> np.ndarray:
    """f over an array of sums (for drawing the activation's shape)."""
    return activate_np(np.asarray(xs, dtype=np.float64), name)


@dataclass(frozen=True)
class NeuronParams:
    """The neuron's parameters and activation, as plain numbers (the lab's state)."""

    weights: tuple[float, float, float]
    bias: float
    activation: str = "identity"

    def __post_init__(self) -> None:
        if len(self.weights) != 3:
            raise ValueError(f"a neuron here has 3 weights, got {len(self.weights)}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")

    def leaves(self) -> tuple[Tensor, Tensor]:
        """Fresh leaf tensors w (3,) and b () that require gradients."""
        w = torch.tensor(self.weights, dtype=DTYPE, requires_grad=True)
        b = torch.tensor(self.bias, dtype=DTYPE, requires_grad=True)
        return w, b

    def vector(self) -> np.ndarray:
        """(w1, w2, w3, b) as one float array (4,), the order loss surfaces index."""
        return np.array([*self.weights, self.bias], dtype=np.float64)


def forward(a: Tensor, w: Tensor, b: Tensor, activation: str) -> Tensor:
    """z = f(Σ w_i·a_i + b) for one sample a (3,); every intermediate is a trace point."""
    point("neuron.inputs", a, "neuron_inputs", axes=("input",))
    point("neuron.w", w, "neuron_weights", axes=("input",))
    point("neuron.b", b, "neuron_bias")
    wa = w * a  # (3,)
    roles = {"a": "neuron.inputs", "w": "neuron.w"}
    wa = point("neuron.weighted", wa, "neuron_weighted", roles, ("input",))
    s = point("neuron.sum", wa.sum() + b, "neuron_sum", {"x": "neuron.weighted", "b": "neuron.b"})
    z = activate(s, activation)  # ()
    return point("neuron.out", z, f"neuron_{activation}", {"x": "neuron.sum"})


def squared_error(z: Tensor, y: Tensor) -> Tensor:
    """L = (z − y)²: the mean squared error of one sample."""
    point("target", y, "neuron_target")
    return point("loss", (z - y) ** 2, "neuron_mse", {"z": "neuron.out", "y": "target"})


def _record_updates(tracer: Tracer, params: Sequence[tuple[str, Tensor]], lr: float) -> None:
    """Plain SGD, recorded per parameter: before, gradient, lr, update = −lr·grad, after."""
    tracer.store("lr", torch.tensor(lr, dtype=DTYPE))
    for name, p in params:
        assert p.grad is not None
        with torch.no_grad():
            update = -lr * p.grad  # same shape as p
            after = p + update
        tracer.store(f"{name}@update", update)
        tracer.store(f"{name}@after", after)
        tracer.add_step(
            name,
            "neuron_sgd",
            {
                "before": name,
                "grad": GRAD + name,
                "lr": "lr",
                "update": f"{name}@update",
                "out": f"{name}@after",
            },
            phase="update",
            axes=("input",) if p.ndim else (),
        )


def trace_iteration(
    params: NeuronParams,
    a: Sequence[float],
    y: float | None,
    lr: float = 0.0,
    update: bool = True,
) -> tuple[Trace, NeuronParams]:
    """Record one gradient-descent iteration on one sample; returns (trace, params after).

    ``y is None`` (inputs typed by hand, no target): the forward pass only. ``update``
    False: forward, loss and backward (what the next step would use), parameters kept.
    """
    tracer = Tracer(grads=y is not None)
    w, b = params.leaves()
    x = torch.tensor(list(a), dtype=DTYPE)  # (3,)
    with tracer.active():
        tracer.phase = "forward"
        z = forward(x, w, b, params.activation)
        if y is not None:
            tracer.phase = "loss"
            loss = squared_error(z, torch.tensor(y, dtype=DTYPE))
    trace = tracer.trace
    trace.meta.update(kind="neuron", activation=params.activation, output=float(z.detach()))
    if y is None:
        return trace, params
    loss.backward()  # the hooks append the backward steps, in autograd's order
    trace.meta.update(target=float(y), loss=float(loss.detach()), lr=lr, applied=update)
    if not update:
        return trace, params
    _record_updates(tracer, (("neuron.w", w), ("neuron.b", b)), lr)
    after = NeuronParams(
        tuple(float(v) for v in trace.value("neuron.w@after")),  # type: ignore[arg-type]  # three weights, as traced
        float(trace.value("neuron.b@after")),
        params.activation,
    )
    trace.meta["loss_after"] = sample_loss(after, a, y)
    return trace, after


def predict(params: NeuronParams, x: np.ndarray) -> np.ndarray:
    """The neuron's outputs for samples x (N, 3), untraced."""
    with torch.no_grad(), untraced():
        w, b = params.leaves()
        s = torch.as_tensor(x, dtype=DTYPE) @ w + b  # (N,)
        return activate(s, params.activation).numpy()


def sample_loss(params: NeuronParams, a: Sequence[float], y: float) -> float:
    """(z − y)² for one sample, untraced."""
    return mean_loss(params, np.asarray([a], dtype=np.float32), np.asarray([y], np.float32))


def mean_loss(params: NeuronParams, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error over samples x (N, 3), y (N,)."""
    err = predict(params, x).astype(np.float64) - y  # (N,); float64: a diverging run overflows
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(err**2))
