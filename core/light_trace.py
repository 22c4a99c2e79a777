"""The light trace: a large model's training step, recorded for chosen layers only.

A full training-step trace keeps about seven float32 copies of every parameter (before,
gradient, the clipped gradient, Adam's m and v, the update, after: ``limits.TRACE_COPIES``),
which for GPT-2 small is 3.2 GiB — never allocated silently. ``plan_trace`` decides, from
the parameters' sizes alone (nothing is copied yet), what a step will record:

- every parameter in full when that fits ``limits.PARAM_TRACE_BYTES`` (every built-in
  model), unless a block is asked for;
- otherwise one block (``"dec.11"``; by default the last, nearest the loss) and the small
  parts after the blocks (final norm, pooler, classification head; never an embedding
  table, which a tied GPT-2 head is) in full, exactly as a full trace records them, and
  every other parameter as four numbers: the L2 norms of its value before the step
  (``{name}@norm``), its gradient (``d/{name}@norm``, a ``param_grad`` step of the
  backward phase, so the gradient-flow view still sums every block), the change Adam made
  (``{name}@update@norm``) and its value after (``{name}@after@norm``), in one ``adam``
  update step whose roles are ``before_norm``, ``grad_norm``, ``update_norm`` and ``out``
  (narrations ``backward.param_grad_norm`` and ``update.adam_norms``).

A forward step whose weight is such a parameter no longer names it among its inputs
(the trace does not hold it). ``limits.check_train_trace`` refuses, with one line, a plan
whose full part is still past the ceiling.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import Tensor, nn

from core import limits
from core.trace import GRAD, Trace, Tracer

NORM = "@norm"  # key suffix of a light parameter's norm: "dec.0.ffn.lin1.weight@norm"


@dataclass(frozen=True)
class TracePlan:
    """What a traced training step of one model records, decided before anything is copied.

    ``full``: globs of the parameter names recorded in full (``None``: every parameter);
    ``bytes``: what the step keeps for its parameters under this plan; ``full_bytes``: what a
    full trace would keep; ``step_bytes``: the step's own working memory (a copy of the
    model, gradients, Adam's moments), the same for either trace."""

    params: int
    full_bytes: int
    step_bytes: int
    blocks: tuple[str, ...]
    full: tuple[str, ...] | None
    bytes: int
    block: str = ""  # the block a light plan records in full

    @property
    def light(self) -> bool:
        return self.full is not None

    def records(self, name: str) -> bool:
        """Whether parameter ``name`` is recorded in full."""
        return self.full is None or matches(name, self.full)


def matches(name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


def blocks_of(model: nn.Module) -> tuple[str, ...]:
    """The model's blocks in forward order (``enc.0`` … ``dec.5``): what a light trace
    can record in full."""
    found: list[str] = []
    for name, _ in model.named_parameters():
        parts = name.split(".")
        if len(parts) > 2 and parts[0] in ("enc", "dec") and parts[1].isdigit():
            block = f"{parts[0]}.{parts[1]}"
            if block not in found:
                found.append(block)
    return tuple(found)


def plan_trace(model: nn.Module, block: str = "") -> TracePlan:
    """The recording plan of a training step of ``model``: full when it fits and no
    ``block`` is asked for, else the light trace of ``block`` (default: the last block).
    Raises ``limits.LimitError`` (one line) when even the light trace is past the ceiling,
    and ``ValueError`` for a block the model does not have."""
    sizes = {name: p.numel() for name, p in model.named_parameters()}
    total = sum(sizes.values())
    full_bytes = limits.train_trace_bytes(total)
    step_bytes = limits.train_step_bytes(total)
    blocks = blocks_of(model)
    if not block and full_bytes <= limits.PARAM_TRACE_BYTES:
        return TracePlan(total, full_bytes, step_bytes, blocks, None, full_bytes)
    chosen = block or (blocks[-1] if blocks else "")
    if chosen not in blocks:
        raise ValueError(f"no block {chosen!r} in this model; it has {', '.join(blocks) or 'none'}")
    in_block = sum(n for name, n in sizes.items() if name.startswith(chosen + "."))
    outside = [name for name in sizes if _output_part(name)]
    globs: tuple[str, ...] = (f"{chosen}.*", *outside)
    full_params = in_block + sum(sizes[name] for name in outside)
    if limits.train_trace_bytes(full_params, len(sizes)) > limits.PARAM_TRACE_BYTES:
        globs, full_params = (f"{chosen}.*",), in_block  # the block alone, if that fits
    light_count = sum(1 for name in sizes if not matches(name, globs))
    need = limits.check_train_trace(full_params, light_count, total)
    return TracePlan(total, full_bytes, step_bytes, blocks, globs, need, chosen)


def _output_part(name: str) -> bool:
    """A parameter outside the blocks that is not an embedding table (final norms, the
    pooler, a classification head, an untied output head)."""
    first = name.split(".")[0]
    return first not in ("enc", "dec") and "embed" not in name and name != "cls_token"


# -- recording ---------------------------------------------------------------------------
@dataclass
class LightWatch:
    """A light trace in progress: the parameters recorded as norms, their values before
    the step (for the update's norm), and the hooks to remove."""

    light: list[str] = field(default_factory=list)
    before: Mapping[str, Tensor] = field(default_factory=dict)
    handles: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles.clear()


def watch_light(
    tracer: Tracer,
    model: nn.Module,
    full: Sequence[str],
    before: Mapping[str, Tensor] | None = None,
) -> LightWatch:
    """What ``Tracer.watch_parameters(clone=True)`` does for the parameters ``full``
    matches; the others are stored as their norm and their gradient arrives as a norm.

    ``before``: the parameters' values before the step held elsewhere (the untouched
    original of a model trained on a copy); without it the light parameters are cloned
    until the update has been recorded (the norm of after − before needs them)."""
    watch = LightWatch()
    kept: dict[str, Tensor] = {}
    for name, p in model.named_parameters():
        if matches(name, full):
            tracer.store(name, p.detach().clone())
            hook = _grad_hook(tracer, name, whole=True)
        else:
            watch.light.append(name)
            value = p.detach()
            tracer.store(name + NORM, torch.linalg.vector_norm(value))  # () norm
            kept[name] = before[name].detach() if before is not None else value.clone()
            hook = _grad_hook(tracer, name, whole=False)
        if p.requires_grad:
            watch.handles.append(p.register_post_accumulate_grad_hook(hook))
    watch.before = kept
    return watch


def _grad_hook(tracer: Tracer, name: str, whole: bool) -> Callable[[Tensor], None]:
    """A parameter's gradient once accumulated: the whole tensor (as ``Tracer``'s own
    hook records it) or its norm."""

    def hook(p: Tensor) -> None:
        if not tracer.recording or p.grad is None:
            return
        if whole:
            key = tracer.store(GRAD + name, p.grad.clone())
            tensors, narration = {"out": key, "value": name}, "backward.param_grad"
        else:
            key = tracer.store(GRAD + name + NORM, torch.linalg.vector_norm(p.grad))
            tensors, narration = {"out": key}, "backward.param_grad_norm"
        tracer.add_step(name, "param_grad", tensors, phase="backward", narration=narration)

    return hook


def record_light_update(
    tracer: Tracer, name: str, p: Tensor, before: Tensor, clipped: bool
) -> None:
    """One light parameter's ``adam`` step: the norms of its value before, the gradient
    Adam used (clipped, when clipping scaled it), the change and the value after."""
    assert p.grad is not None
    grad = GRAD + name + NORM
    if clipped:
        grad = tracer.store(f"{name}@grad{NORM}", torch.linalg.vector_norm(p.grad))
    after = p.detach()
    tracer.add_step(
        name,
        "adam",
        {
            "before_norm": name + NORM,
            "grad_norm": grad,
            "update_norm": tracer.store(
                f"{name}@update{NORM}", torch.linalg.vector_norm(after - before)
            ),
            "out": tracer.store(f"{name}@after{NORM}", torch.linalg.vector_norm(after)),
        },
        phase="update",
        narration="update.adam_norms",
    )


def drop_unrecorded(trace: Trace, light: Iterable[str]) -> None:
    """Forward steps stop naming light parameters among their inputs (the trace holds
    only their norms), so every role of every step is a recorded tensor."""
    gone = set(light)
    for i, step in enumerate(trace.steps):
        if any(key in gone for key in step.tensors.values()):
            kept = {role: key for role, key in step.tensors.items() if key not in gone}
            trace.steps[i] = replace(step, tensors=kept)


def describe(plan: TracePlan) -> str:
    """One English line on a light plan (the command line's note on stderr)."""
    parts = ", ".join(plan.full or ())
    return (
        f"a full training-step trace of this model's {plan.params:,} parameters would record "
        f"{limits.size_text(plan.full_bytes)} (the limit is "
        f"{limits.size_text(limits.PARAM_TRACE_BYTES)}); the light trace records {parts} in "
        f"full and every other parameter as norms ({limits.size_text(plan.bytes)})"
    )
