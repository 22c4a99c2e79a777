"""Strings and rich-text lines of the Update view (English and Chinese).

Every number comes from the trace: the step's before / grad / m / v / update / after
tensors at one cell, and the trace's meta (lr, loss, loss_after). The Adam formula is
written symbolically (beta1, beta2, eps are the optimizer's settings) next to them.
"""

from __future__ import annotations

from collections.abc import Mapping

from visualizer.i18n import tr
from visualizer.theme import MUTED

GOOD, BAD = "#2a9d4b", "#d62828"

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "Update: {name}  {shape}", "zh": "参数更新：{name}  {shape}"},
    "param": {"en": "Parameter:", "zh": "参数："},
    "pick_tip": {
        "en": "Which parameter to show (on an update step: jump to its update)",
        "zh": "选择要显示的参数（在更新步骤上：跳到它的更新）",
    },
    "before": {"en": "before", "zh": "更新前"},
    "grad": {"en": "gradient ∂L/∂w", "zh": "梯度 ∂L/∂w"},
    "update": {"en": "Adam update Δ", "zh": "Adam 更新量 Δ"},
    "after": {"en": "after = before + Δ", "zh": "更新后 = 更新前 + Δ"},
    "in_centre": {
        "en": "before, gradient and Δ of this step: in the centre (the tensor view)",
        "zh": "本步的更新前、梯度和 Δ：见中间的张量视图",
    },
    "hist_grad": {"en": "gradient: {n} values", "zh": "梯度：{n} 个数值"},
    "hist_update": {"en": "update Δ: {n} values", "zh": "更新量 Δ：{n} 个数值"},
    "lr": {"en": "learning rate in force: lr = {lr}", "zh": "当前学习率：lr = {lr}"},
    "cell": {"en": "cell {cell}", "zh": "单元格 {cell}"},
    "loss": {
        "en": "loss on this sentence: {a} → {b} after this step ({d})",
        "zh": "这句话的损失：{a} → 本步之后 {b}（{d}）",
    },
    "dropped": {"en": "dropped by {p}", "zh": "下降了 {p}"},
    "rose": {"en": "rose by {p}", "zh": "上升了 {p}"},
    "hint": {
        "en": "Switch to 'Train one step' to see the update",
        "zh": "切换到“训练一步”即可查看参数更新",
    },
    "empty": {"en": "This trace has no update steps.", "zh": "这条轨迹没有参数更新步骤。"},
}


def t(key: str, lang: str, **kw: object) -> str:
    return tr(STRINGS[key], lang).format(**kw)


def num(x: float) -> str:
    return f"{x:.4g}"


def cell_name(cell: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in cell) + "]"


def adam_html(at: Mapping[str, float], cell: tuple[int, ...], lang: str) -> str:
    """The Adam step at one cell with the trace's numbers (``at``: role -> value there)."""
    g, m, v, d = at["grad"], at["m"], at["v"], at["update"]
    rows = [
        f"<b>{t('cell', lang, cell=cell_name(cell))}</b> &nbsp; g = {num(g)}",
        f"m = β₁·m + (1−β₁)·g = <b>{num(m)}</b>",
        f"v = β₂·v + (1−β₂)·g² = <b>{num(v)}</b>",
        f"Δ = −lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) = <b>{num(d)}</b>",
        f"w: {num(at['before'])} + ({num(d)}) = <b>{num(at['out'])}</b>",
    ]
    sep = " &nbsp;│&nbsp; "
    return sep.join(rows[:3]) + "<br>" + sep.join(rows[3:])


def lr_html(meta: Mapping[str, object], lang: str) -> str:
    lr = meta.get("lr")
    shown = f"{float(lr):.3g}" if isinstance(lr, int | float) else "?"
    return f"<span style='color:{MUTED}'>{t('lr', lang, lr=shown)}</span>"


def loss_html(meta: Mapping[str, object], lang: str) -> str:
    """loss → loss_after and the change in %, green when it dropped, red when not."""
    a, b = meta.get("loss"), meta.get("loss_after")
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return ""
    change = (b - a) / a * 100 if a else 0.0
    dropped = b < a
    word = t("dropped" if dropped else "rose", lang, p=f"{abs(change):.1f} %")
    color = GOOD if dropped else BAD
    line = t("loss", lang, a=num(a), b=num(b), d=word)
    return f"<span style='color:{color}'><b>{line}</b></span>"
