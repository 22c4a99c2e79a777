"""Every string of the tensor inspector, in English and Simplified Chinese."""

from __future__ import annotations

from visualizer.i18n import tr

STRINGS: dict[str, dict[str, str]] = {
    "empty": {"en": "no trace yet", "zh": "尚无轨迹"},
    "role": {"en": "tensor", "zh": "张量"},
    "head": {"en": "head", "zh": "头"},
    "digits": {"en": "digits", "zh": "有效数字"},
    "exact": {"en": "exact", "zh": "精确"},
    "digits_tip": {
        "en": "significant digits shown; 'exact' shows the shortest text that reads back "
        "to exactly the same number",
        "zh": "显示的有效数字位数；“精确”显示能精确读回同一数值的最短文本",
    },
    "csv": {"en": "Copy CSV", "zh": "复制 CSV"},
    "numpy": {"en": "Copy NumPy", "zh": "复制 NumPy"},
    "npy": {"en": "Save .npy…", "zh": "保存 .npy…"},
    "csv_tip": {
        "en": "the selected cells (or the whole matrix) as CSV with labels, every number exact",
        "zh": "所选单元格（或整个矩阵）导出为带标签的 CSV，每个数都精确",
    },
    "numpy_tip": {
        "en": "the selected cells, or the whole tensor in its full shape, as np.array(...)",
        "zh": "所选单元格，或完整形状的整个张量，写成 np.array(...)",
    },
    "npy_tip": {"en": "the whole tensor, as traced", "zh": "整个张量（与轨迹中一致）"},
    "copied": {"en": "copied {what} ({n} values)", "zh": "已复制 {what}（{n} 个数）"},
    "saved": {"en": "saved {path}", "zh": "已保存 {path}"},
    "page": {
        "en": "rows {a}–{b} of {n} · page {p}/{q}",
        "zh": "第 {a}–{b} 行，共 {n} 行 · 第 {p}/{q} 页",
    },
    "shape": {"en": "shape", "zh": "形状"},
    "stats": {
        "en": "min {min} · max {max} · mean {mean} · std {std}",
        "zh": "最小 {min} · 最大 {max} · 均值 {mean} · 标准差 {std}",
    },
    "nan": {"en": "NaN {n}", "zh": "NaN {n} 个"},
    "inf": {"en": "Inf {n}", "zh": "Inf {n} 个"},
    "masked": {"en": "(−inf = masked)", "zh": "（−inf = 掩码）"},
    "no_stats": {"en": "no numbers to summarise", "zh": "没有可统计的数值"},
    "hist": {"en": "histogram of the finite values", "zh": "有限值的直方图"},
    "hist_note": {
        "en": "not binned: NaN {nan} · ±Inf {inf}",
        "zh": "未计入：NaN {nan} · ±Inf {inf}",
    },
    "pin": {"en": "Pin as A", "zh": "固定为 A"},
    "unpin": {"en": "Unpin", "zh": "取消固定"},
    "pin_tip": {
        "en": "keep this tensor as A; move to another step (or another run) and compare B with it",
        "zh": "把当前张量固定为 A；移到另一步（或另一次运行）后与 B 比较",
    },
    "show_b": {"en": "B (now)", "zh": "B（当前）"},
    "show_a": {"en": "A (pinned)", "zh": "A（已固定）"},
    "show_d": {"en": "B − A", "zh": "B − A"},
    "show_after": {"en": "after", "zh": "干预后"},
    "show_before": {"en": "before", "zh": "干预前"},
    "show_diff": {"en": "difference", "zh": "差值"},
    "a_pinned": {"en": "A = {label}", "zh": "A = {label}"},
    "a_clean": {"en": "A = the run without interventions", "zh": "A = 无干预的运行"},
    "no_ref": {
        "en": "Pin a tensor as A to compare, or switch an intervention on",
        "zh": "固定一个张量为 A 以进行比较，或开启一个干预",
    },
    "shapes": {
        "en": "cannot compare: A is {a}, B is {b}",
        "zh": "无法比较：A 的形状为 {a}，B 为 {b}",
    },
    "missing": {"en": "the clean run has no {key}", "zh": "无干预的运行中没有 {key}"},
    "numbers": {
        "en": "max |B−A| {max} at {where} · mean |B−A| {mean} · rel {rel} · "
        "{changed} of {n} differ",
        "zh": "最大 |B−A| {max}，位于 {where} · 平均 |B−A| {mean} · 相对 {rel} · "
        "{n} 个中 {changed} 个不同",
    },
    "equal": {"en": "B equals A exactly", "zh": "B 与 A 完全相同"},
    "diff_title": {"en": "B − A (shown slice)", "zh": "B − A（当前切片）"},
    "value": {"en": "value", "zh": "值"},
    "showing": {"en": "table: {what}", "zh": "表格：{what}"},
}


def t(name: str, lang: str, /, **kw: object) -> str:
    return tr(STRINGS[name], lang).format(**kw) if kw else tr(STRINGS[name], lang)
