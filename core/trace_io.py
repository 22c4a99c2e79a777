"""Writing a Trace to disk: tensors in an ``.npz``, the step list as JSON.

The format is documented in ``docs/trace-format.md``; scripts and notebooks read it
with NumPy and ``json`` alone. Loading uses ``allow_pickle=False`` so a trace file
from anywhere can never run code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.trace import Step, Trace

FORMAT = "transformer-sim-trace/1"


def trace_json(trace: Trace) -> dict[str, Any]:
    return {"format": FORMAT, "meta": trace.meta, "steps": [s.to_json() for s in trace.steps]}


def save_npz(trace: Trace, path: str | Path) -> None:
    """All tensors the steps refer to, by key (keys contain '/', '@' and '.')."""
    keys = sorted({k for s in trace.steps for k in s.tensors.values()})
    arrays = {k: trace.tensors[k].numpy() for k in keys}
    with Path(path).open("wb") as f:
        np.savez_compressed(f, allow_pickle=False, **arrays)


def load(npz_path: str | Path, json_path: str | Path) -> Trace:
    """Read back a trace written by ``save_npz`` + ``trace_json``."""
    data = json.loads(Path(json_path).read_text("utf-8"))
    if data.get("format") != FORMAT:
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
