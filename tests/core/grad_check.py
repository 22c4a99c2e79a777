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
