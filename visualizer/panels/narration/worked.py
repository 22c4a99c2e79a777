"""A step's formula worked out with its real numbers, for one selected cell (no Qt).

``worked(trace, step, head, row, col, lang)`` reads the cell of the step's output
and the cells of its inputs that made it, all from the trace, and writes the
arithmetic as HTML lines ("scores[1, 2] / √d_k = 5.210 / √16 = 1.302"). Nothing
the model does is recomputed: every number shown is a traced value (besides the
few products of shown factors, a row's mean and standard deviation for layer norm
and a probability row's sum); ``values`` holds the traced numbers by name so tests
can check them. The per-op lines of the forward pass are in ``worked_forward``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from visualizer.panels.narration.worked_text import esc, fmt, word

if TYPE_CHECKING:  # core.display imports torch; the window paints before torch loads
    from core.display import Matrix
    from core.trace import Step, Trace


@dataclass
class Worked:
    header: str = ""
    lines: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)  # "out": the selected cell


class Cell:
    """The selected cell of a step's output, and lookups of the step's inputs."""

    def __init__(
        self,
        trace: Trace,
        step: Step,
        head: int,
        row: int | None,
        col: int | None,
        vocab: list[str],
    ) -> None:
        self.trace, self.step, self.head, self.vocab = trace, step, head, vocab
        self.values: dict[str, float] = {}
        self.out = self.mat("out")
        n_rows, n_cols = self.out.values.shape
        self.r = max(0, min(n_rows - 1, row or 0))
        if col is None and self.out.col_axis == "vocab":  # the interesting column: the best
            col = int(np.argmax(np.nan_to_num(self.out.values[self.r], nan=-np.inf)))
        self.c = max(0, min(n_cols - 1, col or 0))
        self.y = float(self.out.values[self.r, self.c])

    def key(self, role: str) -> str:
        if role == "out":
            return self.step.tensors.get("out", self.step.key)
        return self.step.tensors[role]

    def mat(self, role: str, head: int | None = None) -> Matrix:
        from core.display import as_matrix

        h = self.head if head is None else head
        return as_matrix(self.trace, self.step, self.key(role), h, self.vocab)

    def row_of(self, role: str) -> np.ndarray:
        """Row r of an input (its last row when it has more rows than the output)."""
        v = self.mat(role).values
        return v[self.r] if v.shape[0] == self.out.values.shape[0] else v[-1]

    def at(self, role: str) -> float:
        """The same cell of an input of the output's shape (x, sublayer, pos, value…)."""
        v = self.mat(role).values
        return float(v[min(self.r, v.shape[0] - 1), min(self.c, v.shape[1] - 1)])

    def param(self, role: str, suffix: str = "") -> np.ndarray | None:
        """A parameter a role names (its ``bias`` with suffix "bias"), or None."""
        key = self.step.tensors.get(role, "")
        if suffix:
            key = key[: -len("weight")] + suffix if key.endswith("weight") else ""
        return self.trace.value(key) if key in self.trace.tensors else None

    def producer(self, role: str) -> Step | None:
        key = self.step.tensors.get(role)
        return next((s for s in self.trace.steps if s.key == key), None)

    def label(self, token_id: int) -> str:
        ok = 0 <= token_id < len(self.vocab)
        return self.vocab[token_id] if ok else str(token_id)


def _backward(k: Cell, lang: str) -> list[str]:
    s, r, c = k.step, k.r, k.c
    a = k.at("value") if "value" in s.tensors else math.nan
    k.values = {"value": a}
    return [
        f"∂L/∂{esc(s.name)}[{r}, {c}] = <b>{fmt(k.y)}</b>  ({word('grad', lang)})",
        f"{esc(s.name)}[{r}, {c}] = {fmt(a)}",
    ]


def _update(k: Cell) -> list[str]:
    roles = ("before", "grad", "m", "v", "update")
    got = {role: k.at(role) for role in roles if role in k.step.tensors}
    k.values = dict(got)
    parts = ",  ".join(f"{role} = {fmt(v)}" for role, v in got.items() if role != "update")
    before, update = fmt(got.get("before", math.nan)), fmt(got.get("update", math.nan))
    return [parts, f"W[{k.r}, {k.c}] = before + update = {before} + {update} = <b>{fmt(k.y)}</b>"]


def worked(
    trace: Trace,
    step: Step,
    head: int = 0,
    row: int | None = None,
    col: int | None = None,
    lang: str = "en",
    vocab: list[str] | None = None,
    **cfg: Any,
) -> Worked:
    """The worked instance for one cell; ``cfg``: ``activation`` ("relu"/"gelu"), ``decode``."""
    from visualizer.panels.narration.worked_forward import forward

    k = Cell(trace, step, head, row, col, vocab or [])
    if step.phase == "backward":
        lines = _backward(k, lang)
    elif step.phase == "update":
        lines = _update(k)
    else:
        lines = forward(k, lang, cfg)
    parts = [word("cell", lang, r=k.r, c=k.c)]
    if k.out.row_axis not in ("", "value") and k.out.values.shape[0] > 1:
        parts.append(word("row", lang, row=esc(k.out.rows[k.r])))
    if k.out.col_axis not in ("", "value", "batch"):
        parts.append(word("col", lang, col=esc(k.out.cols[k.c])))
    if k.out.head is not None:
        parts.append(word("head", lang, h=k.out.head))
    return Worked(" · ".join(parts), lines, {"out": k.y, **k.values})
