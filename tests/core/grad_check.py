"""Recorded gradients against autograd, shared by the reference tests of every shape."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from core.trace import Tracer


def trace_and_autograd(
    model: nn.Module, compute_loss: Callable[[], Tensor]
) -> tuple[dict[str, Tensor], list[tuple[str, Tensor | None]]]:
    """Run ``compute_loss`` traced with gradients, backward through it, and return what
    the tracer recorded and ``torch.autograd.grad`` of the same loss for every recorded
    activation and parameter, by name (None where the loss does not depend on it)."""
    tracer = Tracer(grads=True, keep_graph=True)
    tracer.watch_parameters(model, clone=False)
    with tracer.active():
        loss = compute_loss()
    model.zero_grad(set_to_none=True)
    loss.backward(retain_graph=True)
    tracer.close()
    tracer.recording = False
    live = {k: v for k, v in tracer.live.items() if v.requires_grad}
    params = dict(model.named_parameters())
    wanted = list(live.values()) + list(params.values())
    grads = torch.autograd.grad(loss, wanted, allow_unused=True)
    return tracer.trace.tensors, list(zip(list(live) + list(params), grads, strict=True))


def traced_and_untraced(
    model: nn.Module, compute_loss: Callable[[], Tensor]
) -> tuple[tuple[Tensor, list[Tensor]], tuple[Tensor, list[Tensor]], Tracer]:
    """The loss and the parameters' gradients of ``compute_loss`` run plainly and run
    traced (with gradient hooks), and the tracer: a trace must not change a single bit."""
    params = list(model.parameters())
    plain = compute_loss()
    plain_grads = list(torch.autograd.grad(plain, params))
    tracer = Tracer(grads=True)
    tracer.watch_parameters(model, clone=False)
    with tracer.active():
        traced = compute_loss()
    traced_grads = list(torch.autograd.grad(traced, params))
    tracer.close()
    return (plain, plain_grads), (traced, traced_grads), tracer


def assert_traced_is_untraced(model: nn.Module, compute_loss: Callable[[], Tensor]) -> Tracer:
    """Traced and untraced give the same loss and gradients bit for bit, and every
    tensor a recorded step names is in the trace; the tracer, for more checks."""
    (plain, plain_grads), (traced, traced_grads), tracer = traced_and_untraced(model, compute_loss)
    assert torch.equal(plain, traced)
    for a, b in zip(plain_grads, traced_grads, strict=True):
        assert torch.equal(a, b)
    for step in tracer.trace.steps:
        for role, key in step.tensors.items():
            assert key in tracer.trace.tensors, (step.name, role, key)
    return tracer
