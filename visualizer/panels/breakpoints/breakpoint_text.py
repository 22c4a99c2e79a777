"""Words for the breakpoints panel (English and Simplified Chinese), and what its
pattern box suggests for each kind of breakpoint.

``label(bp, lang)`` is ``Breakpoint.label()`` in the user's language; ``describe`` words
the status line (where it stopped, what hits here, the nearest hits); ``suggestions``
lists the completions of the pattern box (step names, layer globs such as
``dec.*.cross_attn.weights``, keys, ops or phases). No Qt and no torch here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from visualizer.i18n import tr

if TYPE_CHECKING:
    from core.breakpoints import Breakpoint
    from core.session import Session
    from core.trace import Trace

PHASES = ("forward", "decode", "loss", "backward", "update")  # core.trace.PHASES, without torch
KIND_ORDER = ("name", "kind", "phase", "nonfinite", "absmax", "attention", "gradnorm")
NEEDS_PATTERN = ("name", "kind", "phase")
NEEDS_THRESHOLD = ("absmax", "attention", "gradnorm")
DEFAULT_THRESHOLD = {"absmax": 10.0, "attention": 0.9, "gradnorm": 1.0}

KIND_TEXT = {
    "name": {"en": "Step name / key", "zh": "步骤名称 / 键"},
    "kind": {"en": "Op kind", "zh": "运算类型"},
    "phase": {"en": "Phase", "zh": "阶段"},
    "nonfinite": {"en": "NaN or Inf appears", "zh": "出现 NaN 或 Inf"},
    "absmax": {"en": "max |x| above", "zh": "最大 |x| 超过"},
    "attention": {"en": "attention weight above", "zh": "注意力权重超过"},
    "gradnorm": {"en": "gradient norm above", "zh": "梯度范数超过"},
}
LABEL = {
    "name": {"en": "name {p}", "zh": "名称 {p}"},
    "kind": {"en": "op {p}", "zh": "运算 {p}"},
    "phase": {"en": "phase {p}", "zh": "阶段 {p}"},
    "nonfinite": {"en": "NaN or Inf", "zh": "NaN 或 Inf"},
    "absmax": {"en": "|x| > {t}", "zh": "|x| > {t}"},
    "attention": {"en": "attention weight > {t}", "zh": "注意力权重 > {t}"},
    "gradnorm": {"en": "gradient norm > {t}", "zh": "梯度范数 > {t}"},
}
PLACEHOLDER = {
    "name": {"en": "e.g. dec.*.cross_attn.weights", "zh": "例如 dec.*.cross_attn.weights"},
    "kind": {"en": "e.g. softmax", "zh": "例如 softmax"},
    "phase": {"en": "forward · decode · backward …", "zh": "forward · decode · backward …"},
    "none": {"en": "(no pattern needed)", "zh": "（无需模式）"},
}
STRINGS = {
    "title": {"en": "Breakpoints", "zh": "断点"},
    "col_bp": {"en": "Breakpoint", "zh": "断点"},
    "col_hits": {"en": "Hits", "zh": "命中"},
    "hits_tip": {
        "en": "How many steps of this run the breakpoint matches",
        "zh": "本次运行中该断点匹配的步骤数",
    },
    "add": {"en": "Add", "zh": "添加"},
    "add_tip": {"en": "Add this breakpoint", "zh": "添加这个断点"},
    "remove": {"en": "Remove", "zh": "删除"},
    "remove_tip": {"en": "Remove the selected breakpoint (Del)", "zh": "删除选中的断点（Del）"},
    "prev": {"en": "◀ previous hit", "zh": "◀ 上一个命中"},
    "prev_tip": {
        "en": "Run backwards to the previous step a breakpoint matches",
        "zh": "向后运行到上一个被断点匹配的步骤",
    },
    "next": {"en": "next hit ▶", "zh": "下一个命中 ▶"},
    "next_tip": {
        "en": "Run to the next step a breakpoint matches",
        "zh": "运行到下一个被断点匹配的步骤",
    },
    "here": {"en": "● Break here", "zh": "● 在此中断"},
    "here_tip": {
        "en": "Add (or remove) a breakpoint on this step's name: {n}",
        "zh": "在此步骤的名称上添加（或删除）断点：{n}",
    },
    "nan": {"en": "Break on NaN/Inf", "zh": "遇到 NaN/Inf 时中断"},
    "nan_tip": {
        "en": "Stop wherever a step's output holds NaN or ±Inf",
        "zh": "在任何输出含有 NaN 或 ±Inf 的步骤处停下",
    },
    "threshold_tip": {"en": "Threshold", "zh": "阈值"},
    "kind_tip": {"en": "What the breakpoint tests", "zh": "断点检测的条件"},
    "pattern_tip": {
        "en": "A glob (* and ?) on the step name or key, an op, or a phase",
        "zh": "步骤名称或键的通配符（* 和 ?）、运算类型或阶段",
    },
    "empty": {
        "en": "No breakpoints yet: add one below, or press “Break here”.",
        "zh": "还没有断点：在下方添加一个，或点击“在此中断”。",
    },
    "stopped": {"en": "Stopped at step {i} ({n}): {why}", "zh": "停在第 {i} 步（{n}）：{why}"},
    "hit": {"en": "Step {i} ({n}) hits: {why}", "zh": "第 {i} 步（{n}）命中：{why}"},
    "around": {
        "en": "Step {i}: no breakpoint here · previous hit {p} · next hit {q}",
        "zh": "第 {i} 步：此处无断点 · 上一个命中 {p} · 下一个命中 {q}",
    },
    "none_hit": {
        "en": "No enabled breakpoint matches any step of this run.",
        "zh": "没有启用的断点匹配本次运行的任何步骤。",
    },
    "dash": {"en": "—", "zh": "—"},
    "row_tip": {
        "en": "Double-click: run to this breakpoint's next hit",
        "zh": "双击：运行到该断点的下一个命中",
    },
}


def fmt_threshold(value: float) -> str:
    return f"{value:g}"


def label(bp: Breakpoint, lang: str) -> str:
    """``bp.label()`` in ``lang`` ("name dec.*.weights", "|x| > 100")."""
    pattern = tr(bp.pattern, lang) if bp.kind == "phase" else bp.pattern  # a phase's word
    return tr(LABEL[bp.kind], lang).format(p=pattern, t=fmt_threshold(bp.threshold))


def layer_glob(name: str) -> str:
    """``dec.1.cross_attn.weights`` → ``dec.*.cross_attn.weights`` (every layer)."""
    return re.sub(r"(?<=\.)\d+(?=\.)", "*", name)


def suggestions(trace: Trace, kind: str) -> list[str]:
    """What the pattern box completes for ``kind``: names (and their every-layer globs,
    then keys), ops, or phases; in trace order, without repeats."""
    steps = trace.steps
    if kind == "kind":
        return sorted({s.kind for s in steps})
    if kind == "phase":
        present = {s.phase for s in steps}
        return [p for p in PHASES if p in present] + [p for p in PHASES if p not in present]
    if kind != "name":
        return []
    names = list(dict.fromkeys(s.name for s in steps))
    globs = [g for g in dict.fromkeys(layer_glob(n) for n in names) if "*" in g]
    keys = [s.key for s in steps]
    return list(dict.fromkeys([*names, *globs, *keys]))


def describe(session: Session, here: Sequence[int], stopped: str, lang: str) -> str:
    """The status line: no breakpoints yet; stopped at / hit at this step (``here``: the
    rows of the enabled breakpoints hitting it; ``stopped``: the label of the one a run
    stopped for, listed first); else the nearest hits before and after."""
    s, items = session, session.breakpoints.items
    if not items:
        return tr(STRINGS["empty"], lang)
    if not len(s):
        return ""
    if here:
        first = [r for r in here if stopped and items[r].label() == stopped]
        rows = first + [r for r in here if r not in first]
        why = ", ".join(label(items[r], lang) for r in rows)
        what = "stopped" if stopped else "hit"
        return tr(STRINGS[what], lang).format(i=s.cursor, n=s.step.key, why=why)
    before = s.breakpoints.next_hit(s.trace, s.cursor, -1)
    after = s.breakpoints.next_hit(s.trace, s.cursor, +1)
    if before is None and after is None:
        return tr(STRINGS["none_hit"], lang)
    dash = tr(STRINGS["dash"], lang)
    return tr(STRINGS["around"], lang).format(
        i=s.cursor, p=before[0] if before else dash, q=after[0] if after else dash
    )
