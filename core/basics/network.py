"""The playground's small network: a multilayer perceptron on two inputs, traced.

It is deliberately the same kind of object as the Transformer: a torch module whose
every interesting tensor passes ``point(...)`` (``l1.pre``, ``l1.act``, …,
``out.logits``; the iteration adds ``out.probs``, ``target`` and ``loss``), so one
iteration can be recorded by the shared ``Tracer`` (forward, loss, backward in
autograd's order, update) and stepped with the shared timeline. The untraced path
runs the very same code with no tracer active, which makes it fast enough to train
many iterations per frame. The update is plain gradient descent, written out, so
the "update" a user steps through is exactly ``W ← W − lr · ∂L/∂W``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.messages import msg
from core.trace import GRAD, Trace, Tracer, point

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "linear": nn.Identity,
}
MAX_LAYERS = 6
MAX_NEURONS = 8
AXES = ("sample", "neuron")


class MLP(nn.Module):
    """2 inputs → hidden layers ``l1`` … ``lN`` (activation each) → ``out`` logits.

    Parameters are named like the trace points (``l1.weight`` beside ``l1.pre``), so a
    link between neuron i of one layer and neuron j of the next is ``W[j, i]`` of the
    next layer's weight.
    """

    def __init__(
        self,
        hidden: Sequence[int],
        n_out: int,
        activation: str = "tanh",
        seed: int = 1,
        n_in: int = 2,
    ) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose: {', '.join(ACTIVATIONS)}")
        if len(hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in hidden):
            raise ValueError(msg("lab_layers", layers=MAX_LAYERS, neurons=MAX_NEURONS))
        self.activation = activation
        self.act = ACTIVATIONS[activation]()
        self.hidden = [f"l{i + 1}" for i in range(len(hidden))]
        sizes = [n_in, *hidden, n_out]
        for name, fan_in, fan_out in zip([*self.hidden, "out"], sizes, sizes[1:], strict=False):
            self.add_module(name, nn.Linear(fan_in, fan_out))
        self.sizes = sizes
        self.reinit(seed)

    @property
    def layer_names(self) -> list[str]:
        """Every layer with weights, input side first: ["l1", …, "out"]."""
        return [*self.hidden, "out"]

    def linear(self, name: str) -> nn.Linear:
        layer = self.get_submodule(name)
        assert isinstance(layer, nn.Linear)
        return layer

    @torch.no_grad()
    def reinit(self, seed: int) -> None:
        """Seeded initialisation (Xavier-like; He for ReLU), zero biases."""
        g = torch.Generator().manual_seed(seed)
        gain = math.sqrt(2.0) if self.activation == "relu" else 1.0
        for name in self.layer_names:
            layer = self.linear(name)
            fan_in = layer.weight.shape[1]
            layer.weight.copy_(torch.randn(layer.weight.shape, generator=g) * gain / fan_in**0.5)
            layer.bias.zero_()

    def forward(self, x: Tensor) -> Tensor:
        """(B, 2) points → (B, K) logits, every layer's tensors traced."""
        h = point("input", x, "pg_input", {}, ("sample", "feature"))
        prev = "input"
        for name in self.hidden:
            params = {"x": prev, "weight": f"{name}.weight", "bias": f"{name}.bias"}
            z = point(f"{name}.pre", self.linear(name)(h), "pg_linear", params, AXES)  # (B, n)
            h = point(f"{name}.act", self.act(z), "pg_act", {"x": f"{name}.pre"}, AXES)
            prev = f"{name}.act"
        params = {"x": prev, "weight": "out.weight", "bias": "out.bias"}
        return point("out.logits", self.linear("out")(h), "pg_logits", params, ("sample", "class"))

    @torch.no_grad()
    def neuron_outputs(
        self, x: Tensor, params: Mapping[str, Tensor] | None = None
    ) -> dict[str, Tensor]:
        """Every neuron's output for each point, untraced: {"input": (B, 2), "l1": (B, n1),
        …, "out": (B, K) class probabilities}; ``params`` may replace the weights."""
        p = dict(self.named_parameters()) | dict(params or {})
        outs = {"input": x}
        h = x
        for name in self.hidden:
            h = self.act(F.linear(h, p[f"{name}.weight"], p[f"{name}.bias"]))
            outs[name] = h
        logits = F.linear(h, p["out.weight"], p["out.bias"])  # (B, K)
        # softmax over the (contiguous) point axis of the transpose: the same numbers,
        # 8x faster than over a last axis of 2 … 4 classes (10 000 points per frame)
        outs["out"] = torch.softmax(logits.T.contiguous(), 0).T
        return outs


def loss_of(model: MLP, logits: Tensor, y: Tensor, l2: float) -> Tensor:
    """Mean cross-entropy plus ``l2/2 · Σ W²`` over the weights (not the biases)."""
    loss = F.cross_entropy(logits, y)
    if l2:
        loss = loss + 0.5 * l2 * sum((model.linear(n).weight ** 2).sum() for n in model.layer_names)
    return loss


def train_iteration(model: MLP, x: Tensor, y: Tensor, lr: float, l2: float) -> float:
    """One untraced gradient-descent step on a batch; returns the batch loss before it."""
    params: list[Tensor] = list(model.parameters())
    for p in params:
        p.grad = None
    loss = loss_of(model, model(x), y, l2)
    loss.backward()
    with torch.no_grad():  # the traced step's arithmetic, fused: W + (−lr · g)
        grads = [p.grad for p in params if p.grad is not None]
        torch._foreach_add_(params, torch._foreach_mul(grads, -lr))
    return float(loss.detach())


def traced_iteration(model: MLP, x: Tensor, y: Tensor, lr: float, l2: float) -> Trace:
    """The same step as ``train_iteration``, recorded: forward, loss, backward, update.

    Update steps hold, per parameter: ``before``, ``grad`` (the recorded ∂L/∂W),
    ``update`` (−lr · grad) and ``out`` (the weights after).
    """
    tracer = Tracer(grads=True)
    tracer.watch_parameters(model, clone=True)  # the clones are the "before" values
    for p in model.parameters():
        p.grad = None
    try:
        with tracer.active():
            logits = model(x)  # (B, K)
            with torch.no_grad():
                probs = torch.softmax(logits, -1)
                point("out.probs", probs, "pg_softmax", {"x": "out.logits"}, ("sample", "class"))
            tracer.phase = "loss"
            point("target", y, "pg_target", {}, ("sample",))
            loss = point(
                "loss",
                loss_of(model, logits, y, l2),
                "pg_loss",
                {"logits": "out.logits", "target": "target"},
            )
        loss.backward()
    finally:
        tracer.close()
    with torch.no_grad():
        for name, p in model.named_parameters():
            assert p.grad is not None
            update = tracer.store(f"{name}@update", -lr * p.grad)
            p.add_(tracer.trace.tensors[update])
            tracer.add_step(
                name,
                "pg_sgd",
                {
                    "before": name,
                    "grad": GRAD + name,
                    "update": update,
                    "out": tracer.store(f"{name}@after", p.detach().clone()),
                },
                phase="update",
            )
    trace = tracer.trace
    trace.meta.update(
        kind="playground_iteration", loss=float(loss.detach()), lr=lr, l2=l2, batch=len(y)
    )
    return trace
