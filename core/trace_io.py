"""Writing a Trace to disk: tensors in an ``.npz``, the step list as JSON.

The format is documented in ``docs/trace-format.md``; scripts and notebooks read it
with NumPy and ``json`` alone. Loading uses ``allow_pickle=False`` so a trace file
from anywhere can never run code, and reads the JSON with ``core.limits`` (size and
nesting checked first). Writing is atomic (``save``: both files appear together, or
neither changes), and the JSON is standard: a non-finite number (a diverged loss) is
written as ``null``, never as ``NaN``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core import atomic, limits
from core.trace import Step, Trace

FORMAT = "transformer-sim-trace/1"
JSON_BYTES = 256 * limits.MiB  # a trace's step list (tens of thousands of steps)


def trace_json(trace: Trace) -> dict[str, Any]:
    data = {"format": FORMAT, "meta": trace.meta, "steps": [s.to_json() for s in trace.steps]}
    return dict(limits.finite_json(data))


def json_text(trace: Trace) -> str:
    """The step list as standard JSON text (what ``save`` writes beside the .npz)."""
    return json.dumps(trace_json(trace), ensure_ascii=False, indent=1, allow_nan=False)


def save_npz(trace: Trace, path: str | Path) -> None:
    """All tensors the steps refer to, by key (keys contain '/', '@' and '.'); atomic."""
    save(trace, path)


def save(trace: Trace, npz_path: str | Path, json_path: str | Path | None = None) -> None:
    """Write the tensors (and, given ``json_path``, the step list) through temporary
    files beside them, renamed into place only when both are complete."""
    targets = [Path(npz_path)] + ([Path(json_path)] if json_path is not None else [])
    keys = sorted({k for s in trace.steps for k in s.tensors.values()})
    arrays = {k: trace.tensors[k].numpy() for k in keys}
    with atomic.staged(*targets) as temps:
        with temps[0].open("wb") as f:
            np.savez_compressed(f, allow_pickle=False, **arrays)
        if json_path is not None:
            temps[1].write_text(json_text(trace) + "\n", "utf-8")


def load(npz_path: str | Path, json_path: str | Path) -> Trace:
    """Read back a trace written by ``save_npz`` + ``trace_json``."""
    data = limits.read_json(json_path, JSON_BYTES)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{json_path}: not a {FORMAT} file")
    steps = [
        Step(
            index=s["index"],
            phase=s["phase"],
            kind=s["kind"],
            name=s["name"],
            key=s["key"],
            tensors=s["tensors"],
            block=tuple(s["block"]),
            layer=s["layer"],
            t=s["t"],
            shape=tuple(s["shape"]),
            axes=tuple(s["axes"]),
            narration=s["narration"],
        )
        for s in data["steps"]
    ]
    with np.load(npz_path, allow_pickle=False) as npz:
        tensors = {k: torch.from_numpy(npz[k]) for k in npz.files}
    return Trace(steps, tensors, data["meta"])
