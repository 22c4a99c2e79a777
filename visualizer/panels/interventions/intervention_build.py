"""Which intervention each "add" control makes at the cursor, without Qt.

The controls act on what the user is looking at: the attention block of the current
step (zero / scale the selected head), its sublayer (ablate; an add & norm step
means the sublayer it adds), and the selected cell of the step's output (edit one
value: the cell is mapped back through the same cut the views show, so batch and
head land where they belong). Edits and patches act only at the cursor's decoding
step (other steps have other shapes); head and sublayer changes act at every
decoding step unless ``only_t``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.widgets.tensor_cut import cut

if TYPE_CHECKING:
    from core.navigator import Selection
    from core.trace import Intervention, Step, Trace

_ATTN = re.compile(r"^((?:enc|dec)\.\d+\.(?:self_attn|cross_attn))(?:\.|$)")
_SUB = re.compile(r"^((?:enc|dec)\.\d+\.(?:self_attn|cross_attn|ffn))(?:\.|$)")
_ADD_NORM = re.compile(r"^((enc|dec)\.\d+)\.(?:add|norm)(\d)$")
SUBLAYERS = {"enc": ("self_attn", "ffn"), "dec": ("self_attn", "cross_attn", "ffn")}


def can_intervene(step: Step) -> bool:
    """Interventions change a translation's activations (not a training step's)."""
    return step.phase in ("forward", "decode")


def attention_block(step: Step) -> str | None:
    """``dec.1.cross_attn`` for any step inside that attention sublayer, else None."""
    m = _ATTN.match(step.name)
    return m[1] if m and can_intervene(step) else None


def sublayer(step: Step) -> str | None:
    """The sublayer a step belongs to (its add & norm steps: the sublayer they add)."""
    if not can_intervene(step):
        return None
    if m := _SUB.match(step.name):
        return m[1]
    if m := _ADD_NORM.match(step.name):
        subs, k = SUBLAYERS[m[2]], int(m[3]) - 1
        return f"{m[1]}.{subs[k]}" if 0 <= k < len(subs) else None
    return None


def _t(step: Step, only_t: bool) -> int | None:
    return step.t if only_t else None


def head_change(step: Step, head: int, factor: float | None, only_t: bool) -> Intervention:
    """Zero (``factor`` None) or scale the head's context in the step's attention block."""
    from core.interventions import scale_head, zero_head

    block = attention_block(step)
    if block is None:
        raise ValueError(f"{step.key} is not inside an attention block")
    if factor is None:
        return zero_head(block, head, _t(step, only_t))
    return scale_head(block, head, factor, _t(step, only_t))


def ablation(step: Step, only_t: bool) -> Intervention:
    from core.interventions import ablate_sublayer

    path = sublayer(step)
    if path is None:
        raise ValueError(f"{step.key} is not part of a sublayer (attention or feed-forward)")
    return ablate_sublayer(path, _t(step, only_t))


@dataclass(frozen=True)
class Cell:
    """The selected cell of a step's output: where it is in the tensor, and its value."""

    key: str
    index: tuple[int, ...]
    value: float
    text: str  # the value, exactly (shortest text that reads back to it)


def selected_cell(trace: Trace, step: Step, sel: Selection) -> Cell | None:
    """The tensor element behind ``sel`` (row, col of the shown matrix for the selected
    head), or None when no cell is selected or it is outside the matrix."""
    if sel.row is None or sel.col is None or not can_intervene(step):
        return None
    if step.key not in trace.tensors or trace.value(step.key).dtype.kind != "f":
        return None
    shown = cut(trace, step, step.key, sel.head, [])
    rows, cols = shown.values.shape
    if not (0 <= sel.row < rows and 0 <= sel.col < cols):
        return None
    from core.inspector import number_text

    index = shown.cut.index(sel.row, sel.col)
    v = shown.tensor[index]
    return Cell(step.key, index, float(v), number_text(v))


def edit(trace: Trace, step: Step, sel: Selection, value: float) -> Intervention:
    """Set the selected cell of the step's output to ``value`` (at this decoding step)."""
    from core.interventions import edit_value

    cell = selected_cell(trace, step, sel)
    if cell is None:
        raise ValueError("select a cell of this step's output first (click it in a view)")
    if not math.isfinite(value):
        raise ValueError(f"the new value must be a finite number; got {value!r}")
    return edit_value(step.name, cell.index, value, step.t)


ZH = {
    "zero_head": "将 {name} 的头 {h} 置零{where}",
    "scale_head": "将 {name} 的头 {h} 乘以 {v}{where}",
    "zero": "将 {name}{at} 置零{where}",
    "scale": "将 {name}{at} 乘以 {v}{where}",
    "array": "用形状为 {shape} 的数组替换 {name}{at}{where}",
    "set": "将 {name}{at} 设为 {v}{where}",
}


def describe(i: Intervention, lang: str) -> str:
    """One line for the list: core's English label, or the same in Chinese."""
    from core.interventions import label

    if lang != "zh":
        return label(i)
    import numpy as np

    t = getattr(i, "t", None)  # AtStep: one decoding step only
    where = f"（仅 t={t}）" if t is not None else ""
    at = "[" + ", ".join(str(p) for p in i.index) + "]" if i.index else ""
    value = np.asarray(i.value)
    v = f"{float(value):g}" if not value.ndim else ""
    if i.head is not None and i.op in ("zero", "scale"):
        kind = "zero_head" if i.op == "zero" else "scale_head"
    elif i.op in ("zero", "scale"):
        kind = i.op
    else:
        kind = "array" if value.ndim else "set"
    return ZH[kind].format(name=i.name, h=i.head, v=v, at=at, where=where, shape=value.shape)
