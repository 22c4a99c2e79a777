"""Breakpoints for stepping through a recorded run: where the debugger stops.

A run is already recorded when the user steps through it, so a breakpoint is not a
hook into live code but a predicate on a ``Step`` and the tensors the trace holds:
"continue" is a search for the next step a breakpoint matches. That makes every
breakpoint work backwards too, and lets the timeline mark every hit at once.

Conditional breakpoints (NaN, large values, sharp attention, large gradients) read
tensor values, so each trace's per-step measurements (max |x|, non-finite, max
attention weight, gradient norm) are computed once, on first use, and kept while the
trace lives; any threshold is then one vectorised comparison. The GUI builds its
breakpoint list on ``Breakpoints`` (no Qt here). A list holds at most
``core.limits.MAX_BREAKPOINTS``; adding one finds a duplicate through an index (constant
time), and ``set_items`` installs a whole list (a session file's) in linear time with one
``changed`` event.
"""

from __future__ import annotations

import fnmatch
import math
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import numpy as np
import torch

from core import limits
from core.messages import joined, msg
from core.observable import Event
from core.trace import PHASES, Step, Trace

BreakpointKind = Literal["name", "kind", "phase", "nonfinite", "absmax", "attention", "gradnorm"]
KINDS: tuple[BreakpointKind, ...] = get_args(BreakpointKind)
PATTERN_KINDS = ("name", "kind", "phase")  # match a step's fields (a glob, a phase)
THRESHOLD_KINDS = ("absmax", "attention", "gradnorm")  # compare a measurement with a threshold
FIELDS = ("kind", "pattern", "threshold", "enabled")


@dataclass(frozen=True)
class Breakpoint:
    """Stop at steps that match.

    ``kind`` says what is tested:

    - ``name``: ``pattern`` is a glob on the step's name or key
      (``dec.*.cross_attn.weights``, ``t3/*``);
    - ``kind``: a glob on the op (``softmax``, ``layer*``);
    - ``phase``: one of forward, decode, loss, backward, update;
    - ``nonfinite``: the step's output holds NaN or ±Inf (a mask step's ``-inf``
      entries are the mask itself and do not count);
    - ``absmax``: the output's largest finite-or-infinite |x| (NaN ignored) exceeds
      ``threshold``;
    - ``attention``: an attention-weights step (forward or decode) with any weight
      above ``threshold``;
    - ``gradnorm``: a gradient step (phase backward, or an update's ``grad``) whose
      L2 norm exceeds ``threshold``.

    Value conditions look at floating-point outputs only (token ids are not values).
    """

    kind: BreakpointKind
    pattern: str = ""
    threshold: float = 0.0
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(msg("bp_kind", kind=repr(self.kind), kinds=", ".join(KINDS)))
        if not isinstance(self.pattern, str) or not isinstance(self.enabled, bool):
            raise ValueError(msg("bp_pattern_enabled"))
        if self.kind in PATTERN_KINDS and not self.pattern:
            raise ValueError(msg("bp_pattern_needed", kind=self.kind))
        if self.kind == "phase" and self.pattern not in PHASES:
            raise ValueError(msg("bp_phase", phases=", ".join(PHASES), pattern=repr(self.pattern)))
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t < 0:
            raise ValueError(msg("bp_threshold", t=repr(t)))

    def label(self) -> str:
        """A short description for the breakpoint list ("name dec.*.weights", "|x| > 100")."""
        thr = f"{self.threshold:g}"
        return {
            "name": f"name {self.pattern}",
            "kind": f"op {self.pattern}",
            "phase": f"phase {self.pattern}",
            "nonfinite": "NaN or Inf",
            "absmax": f"|x| > {thr}",
            "attention": f"attention weight > {thr}",
            "gradnorm": f"gradient norm > {thr}",
        }[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "pattern": self.pattern,
            "threshold": float(self.threshold),
            "enabled": self.enabled,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Breakpoint:
        """Build from ``to_dict`` output; anything else is a one-line ValueError."""
        if not isinstance(data, dict):
            raise ValueError(msg("bp_object"))
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise ValueError(msg("bp_unknown_fields", names=joined(map(str, unknown))))
        if "kind" not in data:
            raise ValueError(msg("bp_needs_kind"))
        kind, pattern = data["kind"], data.get("pattern", "")
        threshold, enabled = data.get("threshold", 0.0), data.get("enabled", True)
        if not isinstance(kind, str) or not isinstance(pattern, str):
            raise ValueError(msg("bp_text"))
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ValueError(msg("bp_threshold_number", t=repr(threshold)))
        if not isinstance(enabled, bool):
            raise ValueError(msg("bp_enabled", enabled=repr(enabled)))
        return cls(kind, pattern, float(threshold), enabled)  # type: ignore[arg-type]  # kind: __post_init__ refuses an unknown one


def hits(trace: Trace, bp: Breakpoint) -> np.ndarray:
    """Indices (sorted, int64) of the steps ``bp`` matches, enabled or not; cached."""
    return _scan(trace).hits(bp)


class Breakpoints:
    """The user's breakpoint list: edit it, and search a trace with the enabled ones.

    ``changed`` emits the new tuple of breakpoints after every edit (the GUI's list
    view connects to it).
    """

    def __init__(self, items: Iterable[Breakpoint] = ()) -> None:
        self._items: list[Breakpoint] = []
        self._index: dict[tuple[str, str, float], int] = {}  # condition -> position
        self.changed = Event()
        self._fill(items)

    @property
    def items(self) -> tuple[Breakpoint, ...]:
        return tuple(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Breakpoint]:
        return iter(tuple(self._items))

    def __getitem__(self, index: int) -> Breakpoint:
        return self._items[index]

    def add(self, bp: Breakpoint) -> int:
        """Append ``bp`` and return its index; the same condition twice is kept once (the
        newer enabled state wins). Past ``limits.MAX_BREAKPOINTS`` a ``LimitError``."""
        i = self._index.get(_condition(bp))
        if i is not None:
            if self._items[i] != bp:
                self._set(i, bp)
            return i
        limits.check_count("breakpoints", len(self._items) + 1, limits.MAX_BREAKPOINTS)
        self._index[_condition(bp)] = len(self._items)
        self._items.append(bp)
        self.changed.emit(self.items)
        return len(self._items) - 1

    def set_items(self, items: Iterable[Breakpoint]) -> None:
        """Replace the whole list (duplicates merged as ``add`` merges them), in linear
        time, emitting ``changed`` once; past the limit nothing changes."""
        fresh = Breakpoints(items)
        self._items, self._index = fresh._items, fresh._index
        self.changed.emit(self.items)

    def _fill(self, items: Iterable[Breakpoint]) -> None:
        for bp in items:
            i = self._index.get(_condition(bp))
            if i is not None:
                self._items[i] = bp
                continue
            limits.check_count("breakpoints", len(self._items) + 1, limits.MAX_BREAKPOINTS)
            self._index[_condition(bp)] = len(self._items)
            self._items.append(bp)

    def remove(self, index: int) -> Breakpoint:
        bp = self._items.pop(index)
        self._index = {_condition(b): i for i, b in enumerate(self._items)}
        self.changed.emit(self.items)
        return bp

    def toggle(self, index: int) -> Breakpoint:
        """Enable a disabled breakpoint or disable an enabled one; returns the new one."""
        bp = replace(self._items[index], enabled=not self._items[index].enabled)
        self._set(index, bp)
        return bp

    def clear(self) -> None:
        if self._items:
            self._items.clear()
            self._index.clear()
            self.changed.emit(self.items)

    def _set(self, index: int, bp: Breakpoint) -> None:
        self._items[index] = bp
        self.changed.emit(self.items)

    # -- searching a trace -------------------------------------------------------------
    def hit_counts(self, trace: Trace) -> list[int]:
        """How many steps of ``trace`` each breakpoint matches (disabled ones too)."""
        return [len(hits(trace, bp)) for bp in self._items]

    def next_hit(
        self, trace: Trace, start: int, direction: int = +1
    ) -> tuple[int, Breakpoint] | None:
        """The nearest step strictly after (``direction`` +1) or before (-1) ``start``
        that an enabled breakpoint matches, with the first such breakpoint in list
        order; None when there is none (no wrap-around). ``start`` may be -1 or
        ``len(trace)`` to search from either end."""
        if direction not in (1, -1):
            raise ValueError(f"direction must be +1 or -1, got {direction!r}")
        best: int | None = None
        for bp in self._items:
            if not bp.enabled:
                continue
            h = hits(trace, bp)
            if direction > 0:
                i = int(np.searchsorted(h, start, side="right"))
                found = int(h[i]) if i < len(h) else None
            else:
                i = int(np.searchsorted(h, start, side="left")) - 1
                found = int(h[i]) if i >= 0 else None
            if found is not None and (best is None or (found - best) * direction < 0):
                best = found
        if best is None:
            return None
        first = next(bp for bp in self._items if bp.enabled and _has(hits(trace, bp), best))
        return best, first

    def marks(self, trace: Trace) -> list[int]:
        """Every step an enabled breakpoint matches, sorted (the timeline's marks)."""
        found = [hits(trace, bp) for bp in self._items if bp.enabled]
        if not found:
            return []
        return [int(i) for i in np.unique(np.concatenate(found))]

    # -- saving --------------------------------------------------------------------------
    def to_list(self) -> list[dict[str, Any]]:
        return [bp.to_dict() for bp in self._items]

    @classmethod
    def from_list(cls, data: Any) -> Breakpoints:
        if not isinstance(data, list):
            raise ValueError(msg("bp_list"))
        return cls(Breakpoint.from_dict(d) for d in data)


def _condition(bp: Breakpoint) -> tuple[str, str, float]:
    """What makes two breakpoints the same (everything but ``enabled``)."""
    return (bp.kind, bp.pattern, float(bp.threshold))


def _has(sorted_hits: np.ndarray, index: int) -> bool:
    i = int(np.searchsorted(sorted_hits, index))
    return i < len(sorted_hits) and int(sorted_hits[i]) == index


# -- per-trace measurements ------------------------------------------------------------


def is_attention_weights(step: Step) -> bool:
    """A step holding attention weights (all heads): ``*.self_attn.weights`` or
    ``*.cross_attn.weights`` as computed, not their gradient."""
    return step.phase in ("forward", "decode") and step.name.endswith("_attn.weights")


def gradient_key(step: Step) -> str | None:
    """The key of the gradient a step shows: a backward step's output (``d/...``), or
    the gradient an update step's Adam used; None for other steps."""
    if step.phase == "backward":
        return step.key
    if step.phase == "update":
        return step.tensors.get("grad")
    return None


class _Scan:
    """Lazily computed per-step measurements of one trace, and hits per breakpoint."""

    def __init__(self, trace: Trace) -> None:
        self.trace = weakref.ref(trace)
        self.n = len(trace.steps)
        self._measures: dict[str, np.ndarray] = {}
        self._hits: dict[tuple[str, str, float], np.ndarray] = {}

    def hits(self, bp: Breakpoint) -> np.ndarray:
        key = (bp.kind, bp.pattern, float(bp.threshold))
        found = self._hits.get(key)
        if found is None:
            found = np.flatnonzero(self._mask(bp)).astype(np.int64)
            found.flags.writeable = False
            self._hits[key] = found
        return found

    def _mask(self, bp: Breakpoint) -> np.ndarray:
        trace = self.trace()
        assert trace is not None  # the scan lives in a weak dict keyed by its trace
        steps = trace.steps
        if bp.kind == "name":
            match = fnmatch.fnmatchcase
            names = [match(s.name, bp.pattern) or match(s.key, bp.pattern) for s in steps]
            return np.array(names, dtype=bool)
        if bp.kind == "kind":
            return np.array([fnmatch.fnmatchcase(s.kind, bp.pattern) for s in steps], dtype=bool)
        if bp.kind == "phase":
            return np.array([s.phase == bp.pattern for s in steps], dtype=bool)
        if bp.kind == "nonfinite":
            peak = self._measure(trace, "peak")
            return np.isnan(peak) | np.isposinf(peak)
        with np.errstate(invalid="ignore"):  # NaN measurements never exceed a threshold
            return self._measure(trace, bp.kind) > bp.threshold

    def _measure(self, trace: Trace, what: str) -> np.ndarray:
        values = self._measures.get(what)
        if values is not None:
            return values
        if what == "absmax":  # the peak, except where NaN hid it
            values = self._measure(trace, "peak").copy()
            for i in np.flatnonzero(np.isnan(values)):
                values[i] = _absmax_without_nan(trace, trace.steps[i])
        else:
            values = np.array([_MEASURES[what](trace, s) for s in trace.steps], dtype=np.float64)
        self._measures[what] = values
        return values


def _float_values(trace: Trace, key: str | None) -> np.ndarray | None:
    if key is None or key not in trace.tensors:
        return None
    x = trace.value(key)
    return x if np.issubdtype(x.dtype, np.floating) and x.size else None


def _output(trace: Trace, step: Step) -> np.ndarray | None:
    """The step's floating-point output, without a mask step's -inf entries."""
    x = _float_values(trace, step.key)
    if x is not None and step.kind == "mask" and step.phase != "backward":
        x = x[~np.isneginf(x)]
    return x if x is not None and x.size else None


def _peak(trace: Trace, step: Step) -> float:
    """max |x| of the output, NaN if it holds any NaN (one cheap pass: max and min)."""
    x = _output(trace, step)
    if x is None:
        return -math.inf  # no float output: finite, below every threshold
    hi, lo = float(x.max()), float(x.min())  # NaN anywhere makes both NaN
    return math.nan if math.isnan(hi) or math.isnan(lo) else max(hi, -lo)


def _absmax_without_nan(trace: Trace, step: Step) -> float:
    x = _output(trace, step)
    rest = np.abs(x[~np.isnan(x)]) if x is not None else np.zeros(0)
    return float(rest.max()) if rest.size else math.nan


def _attention(trace: Trace, step: Step) -> float:
    x = _float_values(trace, step.key) if is_attention_weights(step) else None
    return math.nan if x is None else float(np.max(x))


def _gradnorm(trace: Trace, step: Step) -> float:
    key = gradient_key(step)
    if _float_values(trace, key) is None:
        return math.nan
    g = trace.tensors[str(key)]
    norm = float(torch.linalg.vector_norm(g))  # float32: fast, overflows past ~1e19
    if norm == math.inf and bool(torch.isfinite(g).all()):
        norm = float(torch.linalg.vector_norm(g, dtype=torch.float64))
    return norm


_MEASURES: dict[str, Callable[[Trace, Step], float]] = {
    "peak": _peak,
    "attention": _attention,
    "gradnorm": _gradnorm,
}
_SCANS: weakref.WeakKeyDictionary[Trace, _Scan] = weakref.WeakKeyDictionary()


def _scan(trace: Trace) -> _Scan:
    """The trace's cached scan; rebuilt if steps were appended since (traces grow while
    being recorded, never after)."""
    scan = _SCANS.get(trace)
    if scan is None or scan.n != len(trace.steps):
        scan = _SCANS[trace] = _Scan(trace)
    return scan
