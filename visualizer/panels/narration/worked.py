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

from visualizer.panels.narration.worked_cell import Cell
from visualizer.panels.narration.worked_text import esc, fmt, word

if TYPE_CHECKING:  # core.display imports torch; the window paints before torch loads
    from core.trace import Step, Trace


@dataclass
class Worked:
    header: str = ""
    lines: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)  # "out": the selected cell


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
