"""Building, running and saving interventions: "what if this head were off?"

``core.trace.Intervention`` is the mechanism (a trace point replaces the tensor it
records); this module is the vocabulary a user works with: zero or scale a head,
ablate a sublayer, edit one value, patch an activation from another sentence's run,
and re-run a traced translation with any list of them. Two gaps of the mechanism
are closed here rather than in the tracer:

- the tracer keeps one intervention per name, so ``run_with`` chains every
  intervention on the same name (zeroing heads 1 and 2 of one layer zeroes both);
- an intervention applies at every decoding step, so ``AtStep`` restricts one to a
  single step ``t`` (patching ``t3/dec.0.add2`` from another run must not touch the
  differently shaped ``t0/dec.0.add2``).

Interventions are saved in session files as JSON (``to_json`` / ``from_json``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from torch import Tensor

from core.bundle import Bundle, Translation
from core.decode import DecodeSettings
from core.messages import joined, msg
from core.trace import Intervention, Trace, active_tracer
from core.tracing import Change, changes, trace_translation

__all__ = [
    "PER_HEAD",
    "AtStep",
    "Change",
    "Intervention",
    "ablate_sublayer",
    "changes",
    "edit_value",
    "from_json",
    "label",
    "patch_from",
    "run_with",
    "scale_head",
    "to_json",
    "zero_head",
]

PER_HEAD = ("q", "k", "v", "scores", "scaled", "masked", "weights", "context")
_ATTN = re.compile(r"^(enc|dec)\.\d+\.(self_attn|cross_attn)$")
_SUBLAYER = re.compile(
    r"^(enc\.\d+\.(self_attn|ffn|moe)|dec\.\d+\.(self_attn|cross_attn|ffn|moe))$"
)


@dataclass(frozen=True)
class AtStep(Intervention):
    """An intervention that acts only at decoding step ``t`` of a translation."""

    t: int = 0

    def apply(self, x: Tensor) -> Tensor:
        tracer = active_tracer()
        if tracer is None or tracer.t != self.t:
            return x
        return super().apply(x)


def _at(i: Intervention, t: int | None) -> Intervention:
    if t is None:
        return i
    if t < 0:
        raise ValueError(msg("step_number", t=t))
    return AtStep(i.name, i.op, i.value, i.head, i.index, t=t)


def _per_head_name(name: str) -> str:
    """``enc.0.self_attn`` means its context; else a per-head tensor of an attention."""
    if _ATTN.match(name):
        return f"{name}.context"
    block, _, leaf = name.rpartition(".")
    if not _ATTN.match(block) or leaf not in PER_HEAD:
        raise ValueError(msg("not_per_head", name=repr(name), names=", ".join(PER_HEAD)))
    return name


def _head(head: int) -> int:
    if isinstance(head, bool) or not isinstance(head, int) or head < 0:
        raise ValueError(msg("head_number", head=repr(head)))
    return head


def zero_head(name: str, head: int, t: int | None = None) -> Intervention:
    """Switch one head off: zero its slice of ``name`` (an attention block such as
    ``dec.1.cross_attn`` means its context, what the head contributes)."""
    return _at(Intervention(_per_head_name(name), "zero", head=_head(head)), t)


def scale_head(name: str, head: int, factor: float, t: int | None = None) -> Intervention:
    """Multiply one head's slice of ``name`` by ``factor`` (see ``zero_head``)."""
    if not math.isfinite(factor):
        raise ValueError(msg("scale_finite", factor=repr(factor)))
    return _at(Intervention(_per_head_name(name), "scale", float(factor), head=_head(head)), t)


def ablate_sublayer(layer_path: str, t: int | None = None) -> Intervention:
    """Remove a sublayer: zero its output before the residual add, so the stream passes
    it unchanged (``enc.0.ffn``, ``dec.1.cross_attn``; a mixture of experts, ``dec.0.moe``,
    ends in ``.combine`` rather than ``.out``)."""
    if not _SUBLAYER.match(layer_path):
        raise ValueError(msg("iv_not_sublayer", path=repr(layer_path)))
    out = "combine" if layer_path.endswith(".moe") else "out"
    return _at(Intervention(f"{layer_path}.{out}", "zero"), t)


def edit_value(name: str, index: Sequence[int], value: float, t: int | None = None) -> Intervention:
    """Set the single element ``name[index]`` to ``value`` (index covers every axis,
    batch included: ``(0, 2, 5)``)."""
    idx = tuple(index)
    if not idx or any(isinstance(i, bool) or not isinstance(i, int) for i in idx):
        raise ValueError(msg("iv_index_numbers", index=repr(index)))
    if not math.isfinite(value):
        raise ValueError(msg("value_finite", value=repr(value)))
    return _at(Intervention(name, "replace", float(value), index=idx), t)


def patch_from(
    trace_a: Trace, key: str, name: str | None = None, into: Trace | None = None
) -> Intervention:
    """Activation patching: replace ``name`` in another run by the tensor that
    ``trace_a`` (sentence A's run) recorded under ``key``.

    ``name`` defaults to the key's own trace point; a key of decoding step t
    (``t3/dec.0.add2``) patches only step t. Given ``into`` (the other run, traced
    without interventions), shapes are checked now: a mismatch is a ValueError.
    """
    if key not in trace_a.tensors:
        raise ValueError(msg("run_has_no_tensor", key=repr(key)))
    step = next((s for s in trace_a.steps if s.key == key), None)
    if step is None or step.phase not in ("forward", "decode", "loss"):
        raise ValueError(msg("not_activation", key=repr(key)))
    t, point_name = step.t, step.name
    name = name or point_name
    value = trace_a.value(key).astype(np.float32, copy=True)
    if into is not None:
        target = f"t{t}/{name}" if t is not None else name
        if target not in into.tensors:
            raise ValueError(msg("patch_missing", name=repr(target)))
        want = tuple(into.tensors[target].shape)
        if want != value.shape:
            raise ValueError(
                msg("patch_shapes", key=key, shape=tuple(value.shape), target=target, want=want)
            )
    return _at(Intervention(name, "replace", value), t)


@dataclass(frozen=True)
class _Chain(Intervention):
    """Every intervention on one name, applied in order, with one-line errors."""

    parts: tuple[Intervention, ...] = ()

    def apply(self, x: Tensor) -> Tensor:
        for part in self.parts:
            try:
                x = part.apply(x)
            except (RuntimeError, IndexError, TypeError, ValueError) as e:
                first = str(e).strip().splitlines()[0][:160] if str(e).strip() else ""
                raise ValueError(
                    msg(
                        "iv_not_fit",
                        what=label(part),
                        name=part.name,
                        shape=tuple(x.shape),
                        reason=first,
                    )
                ) from None
        return x


def chain(interventions: Sequence[Intervention]) -> list[Intervention]:
    """One intervention per trace-point name, applying that name's in the order given
    (with a one-line error naming the one that does not fit)."""
    by_name: dict[str, list[Intervention]] = {}
    for i in interventions:
        by_name.setdefault(i.name, []).append(i)
    return [_Chain(name, "zero", parts=tuple(parts)) for name, parts in by_name.items()]


def run_with(
    bundle: Bundle,
    source: str,
    interventions: Sequence[Intervention],
    decode: DecodeSettings | None = None,
) -> tuple[Trace, Translation]:
    """Translate ``source`` traced, with every intervention applied where it names.

    Compare with a plain run through ``changes(before, after)``. A name no trace
    point has, or a value that does not fit, is a one-line ValueError. An ``AtStep``
    whose step the translation never reaches does nothing. Beam search picks its
    tokens without the interventions (``core.decode`` searches untraced) and then
    replays them with the interventions applied.
    """
    trace, result = trace_translation(bundle, source, decode, chain(interventions))
    named = {s.name for s in trace.steps}
    unknown = [i.name for i in interventions if i.name not in named]
    if unknown:
        raise ValueError(msg("no_trace_point", name=repr(unknown[0])))
    trace.meta["interventions"] = [to_json(i) for i in interventions]
    return trace, result


def label(i: Intervention) -> str:
    """A one-line description for a list ("zero head 2 of dec.1.cross_attn.context")."""
    where = f" at t{i.t}" if isinstance(i, AtStep) else ""
    if i.head is not None and i.op == "zero":
        return f"zero head {i.head} of {i.name}{where}"
    if i.head is not None and i.op == "scale":
        return f"scale head {i.head} of {i.name} by {float(np.asarray(i.value)):g}{where}"
    at = f"[{', '.join(_index_text(p) for p in i.index)}]" if i.index else ""
    if i.op == "zero":
        return f"zero {i.name}{at}{where}"
    if i.op == "scale":
        return f"scale {i.name}{at} by {float(np.asarray(i.value)):g}{where}"
    if isinstance(i.value, np.ndarray) and i.value.ndim:
        return f"replace {i.name}{at} by an array {tuple(i.value.shape)}{where}"
    return f"set {i.name}{at} to {float(np.asarray(i.value)):g}{where}"


def _index_text(p: int | slice) -> str:
    if isinstance(p, slice):
        return ":".join("" if v is None else str(v) for v in (p.start, p.stop, p.step))
    return str(p)


# -- JSON --------------------------------------------------------------------------------


def to_json(i: Intervention) -> dict[str, Any]:
    """``{"name", "op", "value", "head", "index", "t"}``: value a number or nested
    lists (float32 values, exact), index a list of numbers or ``{"slice": [a, b, c]}``."""
    value = np.asarray(i.value)
    return {
        "name": i.name,
        "op": i.op,
        "value": value.astype(np.float32).tolist() if value.ndim else float(value),
        "head": i.head,
        "index": None if i.index is None else [_index_json(p) for p in i.index],
        "t": i.t if isinstance(i, AtStep) else None,
    }


def _index_json(p: int | slice) -> int | dict[str, list[int | None]]:
    if isinstance(p, slice):
        return {"slice": [p.start, p.stop, p.step]}
    return int(p)


_FIELDS = {"name", "op", "value", "head", "index", "t"}


def from_json(data: Any) -> Intervention:
    """Rebuild an intervention from ``to_json`` output; anything else is a one-line
    ValueError (never evaluates anything: values are plain numbers)."""
    if not isinstance(data, dict):
        raise ValueError(msg("iv_object"))
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(msg("iv_unknown_fields", names=joined(map(str, unknown))))
    name, op = data.get("name"), data.get("op")
    if not isinstance(name, str) or not name:
        raise ValueError(msg("iv_name"))
    if op not in ("replace", "zero", "scale"):
        raise ValueError(msg("iv_op", op=repr(op)))
    head, t = data.get("head"), data.get("t")
    for field, v in (("head", head), ("t", t)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise ValueError(msg("iv_field", field=field))
    value = _value_json(data.get("value", 0.0))
    index = data.get("index")
    idx = None if index is None else _index_from_json(index)
    return _at(Intervention(name, op, value, head, idx), t)


def _value_json(v: Any) -> float | np.ndarray:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, list) and _numbers_only(v):
        try:
            return np.array(v, dtype=np.float32)
        except ValueError:  # ragged lists
            pass
    raise ValueError(msg("iv_value"))


def _numbers_only(v: Any) -> bool:
    if isinstance(v, list):
        return all(_numbers_only(x) for x in v)
    return isinstance(v, int | float) and not isinstance(v, bool)


def _index_from_json(index: Any) -> tuple[int | slice, ...]:
    if not isinstance(index, list) or not index:
        raise ValueError(msg("iv_index"))
    out: list[int | slice] = []
    for p in index:
        if isinstance(p, int) and not isinstance(p, bool):
            out.append(p)
        elif isinstance(p, dict) and set(p) == {"slice"} and _slice_ok(p["slice"]):
            out.append(slice(*p["slice"]))
        else:
            raise ValueError(msg("iv_index_part", part=repr(p)))
    return tuple(out)


def _slice_ok(parts: Any) -> bool:
    return (
        isinstance(parts, list)
        and len(parts) == 3
        and all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts)
    )
