"""The worked example of each forward / decoding op, from the traced numbers of one cell.

One function per kind of step; each returns HTML lines and puts the traced inputs
it shows into ``cell.values``. See ``worked.py`` for the cell and the contract.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from visualizer.panels.narration.worked_text import dot, esc, fmt, par, plus, sub, word

if TYPE_CHECKING:
    from visualizer.panels.narration.worked_cell import Cell

Lines = list[str]


def _tokens(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    cols, ids = k.out.cols, k.out.values[0]
    pairs = ", ".join(f"{esc(t)}→{int(v)}" for t, v in zip(cols[:10], ids, strict=False))
    id_ = "编号" if lang == "zh" else "id"
    more = " …" if len(cols) > 10 else ""
    return [f"“{esc(cols[k.c])}” → {id_} <b>{int(k.y)}</b>", pairs + more]


def _embed(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    ids = k.trace.value(k.key("ids")).reshape(-1)
    i = int(ids[min(k.r, len(ids) - 1)])
    k.values = {"id": float(i)}
    return [
        f"{sub('e', k.r)} = E[{i}]  (“{esc(k.out.rows[k.r])}”)",
        f"e[{k.r}, {k.c}] = E[{i}, {k.c}] = <b>{fmt(k.y)}</b>",
    ]


def _embed_scale(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    a = k.values["x"] = k.at("x")
    d = k.out.values.shape[1]
    return [f"e[{k.r}, {k.c}] · √d_model = {par(a)} · √{d} = <b>{fmt(k.y)}</b>"]


def _posenc(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    r, c = k.r, k.c
    if "table" in k.step.tensors:
        return [f"P[{r}, {c}] = <b>{fmt(k.y)}</b>"]
    d, even, fn = k.out.values.shape[1], c - c % 2, ("sin" if c % 2 == 0 else "cos")
    return [f"PE(pos={r}, dim={c}) = {fn}({r} / 10000<sup>{even}/{d}</sup>) = <b>{fmt(k.y)}</b>"]


def _add(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    other = "pos" if k.step.kind == "pos_add" else "sublayer"
    a, b = k.at("x"), k.at(other)
    k.values = {"x": a, other: b}
    lhs = "e·√d + PE" if other == "pos" else "x + sublayer(x)"
    return [f"{lhs} = {fmt(a)}{plus(b)} = <b>{fmt(k.y)}</b>"]


def _linear(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    s, r, c = k.step, k.r, k.c
    x = k.row_of("x")
    weight, bias = k.param("weight"), k.param("weight", "bias")
    j, note = c, []
    if "head" in s.axes:  # q, k, v: output feature j of the linear layer, reshaped to heads
        dk = s.shape[-1]
        j = k.head * dk + c
        note = [word("feature", lang, j=j, h=k.head, dk=dk, c=c)]
    b = float(bias[j]) if bias is not None and j < bias.shape[0] else None
    lines = [
        f"y[{r}, {c}] = {sub('x', r)} · {sub('W', j)}"
        + (f" + {sub('b', j)}" if b is not None else ""),
        *note,
    ]
    if (
        weight is not None
        and weight.ndim == 2
        and j < weight.shape[0]
        and weight.shape[1] == len(x)
    ):
        k.values = {"x0": float(x[0]), "w0": float(weight[j, 0])}
        lines.append(f"= {dot(x, weight[j], lang)}" + (plus(b) if b is not None else ""))
    if b is not None:
        k.values["bias"] = b
    return [*lines, f"= <b>{fmt(k.y)}</b>"]


def _matmul(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    r, c, roles = k.r, k.c, set(k.step.tensors)
    if {"q", "k"} <= roles:
        q, kk = k.mat("q").values[r], k.mat("k").values[c]
        k.values = {"q0": float(q[0]), "k0": float(kk[0])}
        head = f"scores[{r}, {c}] = {sub('q', r)} · {sub('k', c)} = Σ q·k"
        return [head, f"= {dot(q, kk, lang)}", f"= <b>{fmt(k.y)}</b>"]
    if {"weights", "v"} <= roles:
        a, v = k.mat("weights").values[r], k.mat("v").values[:, c]
        k.values = {"w0": float(a[0]), "v0": float(v[0])}
        head = f"context[{r}, {c}] = Σ<sub>j</sub> {sub('w', r, 'j')} {sub('v', 'j', c)}"
        return [head, f"= {dot(a, v, lang)}", f"= <b>{fmt(k.y)}</b>"]
    return [f"{esc(k.step.name)}[{r}, {c}] = <b>{fmt(k.y)}</b>"]


def _scale(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    a, src = k.at("x"), k.producer("x")
    k.values = {"x": a}
    dk = k.trace.value(src.tensors["q"]).shape[-1] if src and "q" in src.tensors else "d_k"
    return [f"scores[{k.r}, {k.c}] / √d_k = {fmt(a)} / √{dk} = <b>{fmt(k.y)}</b>"]


def _mask(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    a = k.values["x"] = k.at("x")
    why = word(
        "hidden" if math.isinf(k.y) else "visible",
        lang,
        row=esc(k.out.rows[k.r]),
        col=esc(k.out.cols[k.c]),
    )
    row = ", ".join(fmt(v) for v in k.out.values[k.r][:8])
    more = " …" if k.out.values.shape[1] > 8 else ""
    return [
        f"masked[{k.r}, {k.c}] = <b>{fmt(k.y)}</b>",
        f"scaled[{k.r}, {k.c}] = {fmt(a)} → {why}",
        f"{word('masked_row', lang, r=k.r)}: [{row}{more}]",
    ]


def _softmax(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    c, z, row = k.c, k.row_of("x"), k.out.values[k.r]
    a = k.values["x"] = float(z[min(c, len(z) - 1)])
    shown = [fmt(v) for v in z[:4]] + (["…"] if len(z) > 4 else [])
    lines = [
        f"softmax([{', '.join(shown)}])<sub>{c}</sub> = <b>{fmt(k.y)}</b>",
        f"{sub('z', c)} = {fmt(a)}  (“{esc(k.out.cols[c])}”)",
    ]
    if len(row) > 8:
        top = np.argsort(-np.nan_to_num(row, nan=-1.0), kind="stable")[:3]
        best = ", ".join(f"“{esc(k.out.cols[i])}” {fmt(row[i])}" for i in top)
        lines.append(f"{word('largest', lang)}: {best}")
    else:
        lines.append(f"[{', '.join(fmt(v) for v in row)}]")
    lines[-1] += f";  {word('sum', lang)} {fmt(float(np.nansum(row)))}"
    dec = cfg.get("decode")
    if k.step.name == "next.probs" and dec is not None and dec.strategy == "sample":
        lines.append(
            word("temp", lang, T=f"{dec.temperature:g}", k=dec.top_k or "–", p=f"{dec.top_p:g}")
        )
    return lines


def _concat(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    dk = k.trace.value(k.key("x")).shape[-1]
    h, d = divmod(k.c, dk)
    k.values["context"] = float(k.mat("x", head=h).values[k.r, d])
    return [
        f"concat[{k.r}, {k.c}] = context<sub>head {h}</sub>[{k.r}, {d}] = <b>{fmt(k.y)}</b>",
        word("slice", lang, c=k.c, h=h, dk=dk, d=d),
    ]


def _layernorm(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    from core.display import stats

    row, a = k.row_of("x"), k.at("x")
    st = stats(row)
    g, b = k.param("weight"), k.param("weight", "bias")
    gc = float(g[k.c]) if g is not None and g.ndim == 1 else 1.0
    bc = float(b[k.c]) if b is not None and b.ndim == 1 else 0.0
    k.values = {"x": a, "mean": st["mean"], "std": st["std"], "gamma": gc, "beta": bc}
    mu, sd = st["mean"], st["std"]
    return [
        f"μ = {fmt(mu)},  σ = {fmt(sd)}  ({word('over', lang, n=len(row), r=k.r)})",
        f"LN(x)[{k.r}, {k.c}] = γ<sub>{k.c}</sub>·(x − μ)/σ + β<sub>{k.c}</sub>",
        f"= {fmt(gc)}·({fmt(a)} − {par(mu)})/{fmt(sd)}{plus(bc)} = <b>{fmt(k.y)}</b>",
    ]


def _activation(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    a = k.values["x"] = k.at("x")
    if cfg.get("activation", "relu") == "relu":
        return [f"ReLU(h) = max(0, h) = max(0, {fmt(a)}) = <b>{fmt(k.y)}</b>"]
    return [f"GELU(h) = GELU({fmt(a)}) = <b>{fmt(k.y)}</b>"]


def _choose(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    tok = int(k.y)
    probs = k.trace.value(k.key("probs")).reshape(-1)
    p = k.values["prob"] = float(probs[tok]) if 0 <= tok < len(probs) else math.nan
    dec = cfg.get("decode")
    how = word(
        dec.strategy if dec is not None else "greedy", lang, V=len(probs), s=getattr(dec, "seed", 0)
    )
    t = k.step.t if k.step.t is not None else "t"
    id_ = "编号" if lang == "zh" else "id"
    return [f"{sub('y', t)} = “{esc(k.label(tok))}” ({id_} {tok}),  p = <b>{fmt(p)}</b>", how]


def _value(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    return [f"{esc(k.step.name)}[{k.r}, {k.c}] = <b>{fmt(k.y)}</b>"]


KINDS: dict[str, Callable[[Cell, str, dict[str, Any]], Lines]] = {
    "tokens": _tokens,
    "embed": _embed,
    "embed_scale": _embed_scale,
    "posenc": _posenc,
    "pos_add": _add,
    "add": _add,
    "linear": _linear,
    "matmul": _matmul,
    "scale": _scale,
    "mask": _mask,
    "softmax": _softmax,
    "concat": _concat,
    "layernorm": _layernorm,
    "activation": _activation,
    "choose": _choose,
}


def forward(k: Cell, lang: str, cfg: dict[str, Any]) -> Lines:
    """Lines for a forward, decoding or loss step; a plain value for unknown kinds."""
    if k.step.phase == "loss" and k.step.kind != "tokens":
        return _value(k, lang, cfg)
    return KINDS.get(k.step.kind, _value)(k, lang, cfg)
