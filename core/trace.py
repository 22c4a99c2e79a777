"""Recording what the model computes: trace points, the Tracer, Steps and the Trace.

The model calls ``point(name, tensor, kind, ...)`` on every tensor worth showing.
With no tracer active that is one context-variable lookup and the tensor comes back
untouched, so the untraced path computes bit-for-bit what the traced one does. With
a tracer active the tensor is stored, a forward Step is appended, and a gradient hook
is registered so the backward Steps arrive in the order autograd really produces
them (nothing here assumes that order). Interventions also live here, because they
act at exactly the same places: a trace point may replace the tensor it records.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor, nn

from core import limits

Phase = Literal["forward", "loss", "backward", "update", "decode"]
PHASES: tuple[Phase, ...] = ("forward", "loss", "backward", "update", "decode")
GRAD = "d/"  # key prefix of a gradient: "d/enc.0.norm1" is dL/d(enc.0.norm1)


@dataclass(frozen=True)
class Step:
    """One thing that happened, in execution order; what a view draws for a cursor.

    ``name`` is the trace-point name (breakpoint globs match it, e.g.
    ``dec.*.cross_attn.weights``); ``key`` is the unique key of the tensor the step
    produced; ``tensors`` maps each role the step shows (``"q"``, ``"k"``, ``"out"``,
    ``"before"`` ...) to a tensor key. ``block`` is the nesting used by step into /
    over / out; ``t`` is the decoding step for phase ``decode``. Attention tensors
    hold every head; ``axes`` names each dimension (a view picks a head from it).
    """

    index: int
    phase: Phase
    kind: str
    name: str
    key: str
    tensors: Mapping[str, str]
    block: tuple[str, ...]
    layer: int | None
    t: int | None
    shape: tuple[int, ...]
    axes: tuple[str, ...]
    narration: str

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "phase": self.phase,
            "kind": self.kind,
            "name": self.name,
            "key": self.key,
            "tensors": dict(self.tensors),
            "block": list(self.block),
            "layer": self.layer,
            "t": self.t,
            "shape": list(self.shape),
            "axes": list(self.axes),
            "narration": self.narration,
        }


@dataclass(eq=False)  # identity: two runs are two traces, and tensors have no truth value
class Trace:
    """The timeline: ordered Steps plus every tensor they refer to, by key."""

    steps: list[Step] = field(default_factory=list)
    tensors: dict[str, Tensor] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.steps)

    def step_at(self, index: int) -> Step:
        return self.steps[index]

    def value(self, key: str) -> np.ndarray:
        """A tensor as NumPy (float32 or int64), exactly as the model computed it."""
        return self.tensors[key].numpy()

    def find(self, pattern: str, phase: Phase | None = None) -> list[Step]:
        """Steps whose name (or unique key) matches a glob, optionally in one phase."""
        return [
            s
            for s in self.steps
            if (phase is None or s.phase == phase)
            and (fnmatch.fnmatchcase(s.name, pattern) or fnmatch.fnmatchcase(s.key, pattern))
        ]

    def first(self, pattern: str, phase: Phase | None = None) -> Step:
        found = self.find(pattern, phase)
        if not found:
            raise KeyError(f"no step matches {pattern!r}")
        return found[0]


@dataclass(frozen=True)
class Intervention:
    """Change a traced tensor on its way through the model (replace, zero or scale).

    ``head`` selects one attention head (dimension 1 of a per-head tensor); ``index``
    selects any slice instead. ``value`` is the scale factor, the replacement
    constant, or a replacement array of the selected slice's shape.
    """

    name: str
    op: Literal["replace", "zero", "scale"]
    value: float | np.ndarray = 0.0
    head: int | None = None
    index: tuple[int | slice, ...] | None = None

    def apply(self, x: Tensor) -> Tensor:
        sel: tuple[Any, ...] = self.index or (
            (slice(None), self.head) if self.head is not None else (...,)
        )
        y = x.clone()
        if self.op == "zero":
            y[sel] = 0.0
        elif self.op == "scale":
            y[sel] = y[sel] * float(np.asarray(self.value))
        else:
            y[sel] = torch.as_tensor(np.asarray(self.value), dtype=x.dtype)
        return y


_ACTIVE: ContextVar[Tracer | None] = ContextVar("active_tracer", default=None)


class Tracer:
    """Collects a Trace while active (``with tracer.active(): ...``)."""

    def __init__(
        self,
        grads: bool = True,
        interventions: Sequence[Intervention] = (),
        keep_graph: bool = False,
    ) -> None:
        self.trace = Trace()
        self.grads = grads
        self.interventions = {i.name: i for i in interventions}
        self.keep_graph = keep_graph
        self.live: dict[str, Tensor] = {}  # graph tensors by key, when keep_graph (tests)
        self.phase: Phase = "forward"
        self.prefix = ""  # "t3/" while tracing decoding step 3
        self.t: int | None = None
        self.recording = True
        self._forward: dict[str, Step] = {}  # forward step by output key, for grad steps
        self._handles: list[Any] = []
        self.stored_bytes = 0  # what ``store`` has kept so far (``limits.TRACE_BYTES``)

    @contextmanager
    def active(self) -> Iterator[Tracer]:
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    def add_step(
        self,
        name: str,
        kind: str,
        tensors: Mapping[str, str],
        *,
        phase: Phase | None = None,
        narration: str | None = None,
        axes: Sequence[str] = (),
        out: str = "out",
    ) -> Step:
        """Append a Step whose tensors are already stored under the given keys."""
        phase = phase or self.phase
        key = tensors[out]
        shape = tuple(self.trace.tensors[key].shape)
        block = _block_of(name)
        step = Step(
            index=len(self.trace.steps),
            phase=phase,
            kind=kind,
            name=name,
            key=key,
            tensors=dict(tensors),
            block=block,
            layer=_layer_of(name),
            t=self.t,
            shape=shape,
            axes=tuple(axes) or _default_axes(len(shape)),
            narration=narration or f"{phase}.{kind}",
        )
        self.trace.steps.append(step)
        return step

    def store(self, key: str, x: Tensor) -> str:
        self._count(x)
        self.trace.tensors[key] = x.detach()
        return key

    def _count(self, x: Tensor) -> None:
        """Keep the trace within ``limits.TRACE_BYTES``: past it the run stops with one
        line (a model that never says <eos> at a long max_len, a huge batch)."""
        self.stored_bytes += x.numel() * x.element_size()
        if self.stored_bytes > limits.TRACE_BYTES:
            raise limits.LimitError(
                f"this run would record more than {limits.TRACE_BYTES >> 20:,} MiB of tensors "
                "(the limit); lower the decoding max_len or use a shorter sentence"
            )

    def record(
        self, name: str, x: Tensor, kind: str, inputs: Mapping[str, str], axes: Sequence[str]
    ) -> Tensor:
        if name in self.interventions:
            x = self.interventions[name].apply(x)
        key = self.prefix + name
        self.store(key, x)
        roles = {role: self._resolve(k) for role, k in inputs.items()}
        roles["out"] = key
        self._forward[key] = self.add_step(name, kind, roles, axes=axes)
        if self.keep_graph:
            self.live[key] = x
        if self.grads and x.requires_grad:
            x.register_hook(self._grad_hook(name, key))
        return x

    def watch_parameters(self, model: nn.Module, clone: bool) -> None:
        """Store every parameter (cloned when an update will follow) and hook its grad.

        A clone counts against ``limits.TRACE_BYTES``; the parameter itself (no clone: a
        forward run) does not, as the trace only refers to memory the model holds anyway
        (GPT-2 small's 475 MiB would otherwise leave half the budget to its activations)."""
        for pname, p in model.named_parameters():
            if clone:
                self.store(pname, p.detach().clone())
            else:
                self.trace.tensors[pname] = p.detach()
            if self.grads and p.requires_grad:
                self._handles.append(p.register_post_accumulate_grad_hook(self._param_hook(pname)))

    def close(self) -> None:
        """Remove parameter hooks so the model is untouched after tracing."""
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def _resolve(self, key: str) -> str:
        """Input keys are given without the decode prefix; parameters never have one."""
        return key if key in self.trace.tensors or not self.prefix else self.prefix + key

    def _grad_hook(self, name: str, key: str) -> Callable[[Tensor], None]:
        def hook(grad: Tensor) -> None:
            if self.recording:
                gkey = self.store(GRAD + key, grad)
                fwd = self._forward[key]
                self.add_step(
                    name,
                    fwd.kind,
                    {"out": gkey, "value": key},
                    phase="backward",
                    narration=f"backward.{fwd.kind}",
                    axes=fwd.axes,
                )

        return hook

    def _param_hook(self, pname: str) -> Callable[[Tensor], None]:
        def hook(p: Tensor) -> None:
            if self.recording and p.grad is not None:
                gkey = self.store(GRAD + pname, p.grad.clone())
                self.add_step(
                    pname,
                    "param_grad",
                    {"out": gkey, "value": pname},
                    phase="backward",
                    narration="backward.param_grad",
                )

        return hook


def point(
    name: str,
    x: Tensor,
    kind: str,
    inputs: Mapping[str, str] | None = None,
    axes: Sequence[str] = (),
) -> Tensor:
    """Mark a tensor as worth showing. A no-op returning ``x`` when nothing traces."""
    tracer = _ACTIVE.get()
    if tracer is None:
        return x
    return tracer.record(name, x, kind, inputs or {}, axes)


def active_tracer() -> Tracer | None:
    return _ACTIVE.get()


@contextmanager
def untraced() -> Iterator[None]:
    """Run model code unrecorded inside a traced run (e.g. a search before its replay)."""
    token = _ACTIVE.set(None)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _block_of(name: str) -> tuple[str, ...]:
    """ "enc.0.self_attn.q" -> ("enc", "enc.0", "enc.0.self_attn"); parameters alike."""
    parts = name.split(".")
    return tuple(".".join(parts[: i + 1]) for i in range(len(parts) - 1))


def _layer_of(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) > 1 and parts[0] in ("enc", "dec") and parts[1].isdigit():
        return int(parts[1])
    return None


def _default_axes(ndim: int) -> tuple[str, ...]:
    return tuple(f"dim{i}" for i in range(ndim))
