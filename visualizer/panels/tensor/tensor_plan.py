"""Which matrices the tensor view shows for a step, in which order, joined by which op.

Qt-free bookkeeping: from a Step's roles (``q``, ``k``, ``x``, ``weight``, ``out`` …)
decide the panels "inputs → output" (Q · Kᵀ = scores, x + sublayer(x) = …), how
each is coloured, whether it is a parameter (secondary, optional), and how a cell
selected in the output maps onto each input (a row, a column, the same cell). Labels
are either plain math ("Kᵀ") or keys the view translates ("ids", "grad").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core.trace import Step

MAX_PANELS = 4


@dataclass(frozen=True)
class Panel:
    role: str
    key: str
    label: str  # math text, or a key of the view's LABELS table
    mode: str = "diverging"  # "diverging" | "probability" | "ids" | "gain" (centred on 1)
    op: tuple[str, str] = ("", "")  # (symbol, caption key) drawn before this panel
    transpose: bool = False
    param: bool = False  # a learned parameter (large, secondary)
    main: bool = False  # the step's output: clicks here set session.selection
    link: str = "none"  # how the selected output cell (r, c) maps here: "row" (row r),
    # "col" (column c), "cell", "last" (last row), "table" (row ids[r]), "r2c" (column r),
    # "c2r" (row c), "head" (concat: column c of the shown head's block)
    head_slice: bool = False  # a projection's weight: only the rows feeding the shown head


OUT_LABELS = {
    "q": "Q",
    "k": "K",
    "v": "V",
    "scores": "Q·Kᵀ",
    "scaled": "scaled",
    "masked": "masked",
    "weights": "weights",
    "context": "context",
    "concat": "concat",
    "hidden": "hidden",
    "act": "act",
    "logits": "logits",
    "probs": "probs",
}
PROB_ROLES = {"weights", "probs"}
ID_ROLES = {"ids", "target"}


def _leaf(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _out_label(step: Step) -> str:
    if step.name == "next.probs":
        return "next.probs"
    return OUT_LABELS.get(_leaf(step.name), _leaf(step.name))


def _out_mode(kind: str) -> str:
    return {"softmax": "probability", "tokens": "ids", "choose": "ids"}.get(kind, "diverging")


def _src_label(key: str) -> str:
    bare = key.split("/", 1)[-1]
    return OUT_LABELS.get(_leaf(bare), _leaf(bare))


def _forward(step: Step) -> list[Panel]:
    t, kind = step.tensors, step.kind
    out = t.get("out", step.key)
    main = Panel("out", out, _out_label(step), _out_mode(kind), ("=", ""), main=True)

    def inp(role: str, label: str, **kw: Any) -> Panel:  # kw: Panel's own fields
        mode = "probability" if role in PROB_ROLES else "ids" if role in ID_ROLES else "diverging"
        return Panel(role, t[role], label, **{"mode": mode, **kw})

    def then(sym: str, caption: str, label: str | None = None) -> Panel:
        return Panel("out", out, label or main.label, main.mode, (sym, caption), main=True)

    if kind == "tokens" or not set(t) - {"out"}:
        return [Panel("out", out, "ids" if kind == "tokens" else main.label, main.mode, main=True)]
    if kind == "embed" and "ids" in t:
        panels = [inp("ids", "ids", link="r2c"), then("→", "lookup", "embedding")]
        if "table" in t:
            panels.append(inp("table", "E", op=("⟵", "rows of"), param=True, link="table"))
        return panels
    if kind == "embed_scale" and "x" in t:
        return [inp("x", "embedding", link="cell"), then("×", "√d", "scaled")]
    if kind == "pos_add" and "pos" in t:
        return [
            inp("x", "e·√d", link="cell"),
            inp("pos", "PE", op=("+", ""), link="cell"),
            then("=", "", "x"),
        ]
    if kind == "linear" and "x" in t:
        panels = [inp("x", "x", link="row")]
        if "weight" in t:
            per_head = "head" in step.axes
            panels.append(
                inp(
                    "weight",
                    "Wᵀ",
                    op=("·", ""),
                    transpose=True,
                    param=True,
                    link="col",
                    head_slice=per_head,
                )
            )
            return [*panels, main]
        return [*panels, then("→", "linear")]
    if kind == "matmul" and {"q", "k"} <= set(t):
        return [
            inp("q", "Q", link="row"),
            inp("k", "Kᵀ", op=("·", ""), transpose=True, link="col"),
            main,
        ]
    if kind == "matmul" and {"weights", "v"} <= set(t):
        return [
            inp("weights", "weights", link="row"),
            inp("v", "V", op=("·", ""), link="col"),
            main,
        ]
    if kind == "scale" and "x" in t:
        return [inp("x", _src_label(t["x"]), link="cell"), then("÷", "√dₖ")]
    if kind == "mask" and "x" in t:
        return [inp("x", _src_label(t["x"]), link="cell"), then("→", "mask")]
    if kind == "softmax" and "x" in t:
        if step.name == "next.probs":  # only the newest position's logits are used
            return [inp("x", "logits, last", link="last"), then("→", "softmax")]
        return [inp("x", _src_label(t["x"]), link="row"), then("→", "softmax")]
    if kind == "concat" and "x" in t:
        return [inp("x", "context", link="head"), then("→", "concat heads")]
    if kind == "add" and "sublayer" in t:
        return [
            inp("x", "x", link="cell"),
            inp("sublayer", "sublayer(x)", op=("+", ""), link="cell"),
            then("=", "", "x + sublayer(x)"),
        ]
    if kind == "layernorm" and "x" in t:
        panels = [inp("x", "x", link="row")]
        if "weight" in t:
            panels.append(
                inp("weight", "γ", op=("", "scale γ"), param=True, link="col", mode="gain")
            )
        return [*panels, then("→", "LayerNorm", "LayerNorm(x)")]
    if kind == "activation" and "x" in t:
        return [inp("x", "hidden", link="cell"), then("→", "activation")]
    if kind == "choose" and "probs" in t:
        return [inp("probs", "next.probs"), then("→", "choose", "next token")]
    if kind == "loss" and "logits" in t:
        panels = [inp("logits", "logits", link="c2r")]
        if "target" in t:
            panels.append(inp("target", "target", op=("&", ""), link="col"))
        return [*panels, then("→", "cross-entropy", "loss")]
    if kind == "mean" and "x" in t:
        return [inp("x", _src_label(t["x"])), then("→", "mean", "loss")]
    # an MoE router's gate weights are not attention weights: name them for what they are
    rest = [
        inp(r, "expert weights" if r == "weights" and kind == "combine" else r)
        for r in t
        if r != "out"
    ]
    if kind == "gather":
        return [*rest, then("→", kind, "expert weights")]
    return [*rest, then("→", kind)]


def _backward(step: Step) -> list[Panel]:
    t = step.tensors
    out = t.get("out", step.key)
    panels = []
    if "value" in t:
        mode = _out_mode(step.kind) if step.kind != "param_grad" else "diverging"
        panels.append(
            Panel(
                "value",
                t["value"],
                "value",
                mode,
                link="cell",
                param=step.kind == "param_grad" and len(step.shape) > 1,
            )
        )
    return [*panels, Panel("out", out, "grad", "diverging", ("→", "∂L/∂"), main=True)]


def _update(step: Step) -> list[Panel]:
    t = step.tensors
    spec = [
        ("before", "before", ("", "")),
        ("grad", "grad", ("", "")),
        ("update", "update", ("→", "Adam")),
        ("out", "after", ("=", "before + Δ")),
    ]
    if "update_norm" in t:  # a light trace keeps four norms of this parameter (core.light_trace)
        spec = [
            ("before_norm", "‖before‖", ("", "")),
            ("grad_norm", "‖grad‖", ("", "")),
            ("update_norm", "‖Δ‖", ("→", "Adam")),
            ("out", "‖after‖", ("", "")),
        ]
    return [
        Panel(role, t[role], label, "diverging", op, main=role == "out", link="cell")
        for role, label, op in spec
        if role in t
    ]


def link(
    panel: Panel,
    cell: tuple[int, int],
    shape: tuple[int, int],
    ids: np.ndarray | None = None,
    head: int = 0,
) -> tuple[int | None, int | None]:
    """The (row, col) of ``panel`` (of ``shape``) that output cell ``cell`` came from;
    None for "the whole row / column". ``ids``: the token ids, for an embedding table;
    ``head``: the head shown, whose block of columns a concatenation holds."""
    r, c = cell
    rows, cols = shape
    if panel.link == "head":
        j = c - head * cols
        return (r, j) if 0 <= j < cols else (r, None)
    where: dict[str, tuple[int | None, int | None]] = {
        "row": (r, None), "col": (None, c), "cell": (r, c), "r2c": (None, r),
        "c2r": (c, None), "last": (rows - 1, None),
    }  # fmt: skip
    if panel.link == "table" and ids is not None:
        return (int(ids[r]), None) if 0 <= r < ids.size else (None, None)
    return where.get(panel.link, (None, None))


def is_free(panel: Panel) -> bool:
    """Laid out on its own scale: a parameter or a row of token ids next to an equation."""
    return not panel.main and (panel.param or panel.mode == "ids")


def is_product(panels: list[Panel]) -> bool:
    """A · B = C (rows of A, columns of B): drawn as a grid."""
    return (
        len(panels) == 3
        and panels[1].op[0] == "·"
        and panels[2].main
        and [p.link for p in panels[:2]] == ["row", "col"]
    )


def plan(step: Step, show_params: bool = True, max_panels: int = MAX_PANELS) -> list[Panel]:
    """The panels for ``step``, left to right (or top to bottom), output last or near last."""
    if step.phase == "backward":
        panels = _backward(step)
    elif step.phase == "update":
        panels = _update(step)
    else:
        panels = _forward(step)
    if not show_params:
        panels = [p for p in panels if not p.param] or panels
    while len(panels) > max_panels:
        drop = next((p for p in panels if p.param), None) or next(p for p in panels if not p.main)
        panels.remove(drop)
    first = panels[0]
    if first.op != ("", ""):  # nothing to the left of the first panel
        panels[0] = replace(first, op=("", ""))
    return panels
