"""Every string of the interventions panel, in English and Simplified Chinese."""

from __future__ import annotations

from visualizer.i18n import tr

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "Interventions", "zh": "干预"},
    "on": {"en": "{n} on", "zh": "{n} 个生效"},
    "none": {
        "en": "None yet: change a head, a sublayer or a value below and the model re-runs.",
        "zh": "尚无干预：在下方修改一个头、一个子层或一个数值，模型会重新运行。",
    },
    "remove": {"en": "Remove", "zh": "移除"},
    "clear": {"en": "Clear all", "zh": "全部清除"},
    "add": {"en": "Add at the current step", "zh": "在当前步骤添加"},
    "at": {"en": "at #{i} {key}", "zh": "位于 #{i} {key}"},
    "at_t": {"en": "decoding step t={t}", "zh": "解码步骤 t={t}"},
    "train": {
        "en": "Interventions act on translations; this is a training step.",
        "zh": "干预作用于翻译；当前是训练步骤。",
    },
    "only_t": {"en": "only at decoding step t={t}", "zh": "仅在解码步骤 t={t}"},
    "only_t_off": {"en": "only at this decoding step", "zh": "仅在此解码步骤"},
    "only_tip": {
        "en": "head and sublayer changes act at every decoding step unless ticked",
        "zh": "若不勾选，头和子层的修改作用于每个解码步骤",
    },
    "zero": {"en": "Zero head {h}", "zh": "将头 {h} 置零"},
    "scale": {"en": "Scale head {h} by", "zh": "将头 {h} 乘以"},
    "head_tip": {
        "en": "acts on what head {h} contributes: its slice of {block}.context",
        "zh": "作用于头 {h} 的贡献：{block}.context 中它的切片",
    },
    "no_attn": {"en": "(not in an attention block)", "zh": "（不在注意力模块中）"},
    "ablate": {"en": "Ablate {sub}", "zh": "消融 {sub}"},
    "ablate_none": {"en": "Ablate sublayer", "zh": "消融子层"},
    "ablate_tip": {
        "en": "zero the sublayer's output, so the residual stream passes it unchanged",
        "zh": "将子层输出置零，残差流原样通过",
    },
    "set": {"en": "Set cell {cell} to", "zh": "将单元格 {cell} 设为"},
    "set_none": {"en": "Set the selected cell to", "zh": "将所选单元格设为"},
    "set_tip": {
        "en": "{key}{index} is now {value}; click a cell in a view to choose another",
        "zh": "{key}{index} 当前为 {value}；在视图中点击单元格可另选",
    },
    "no_cell": {
        "en": "click a cell of this step's output first",
        "zh": "请先点击此步骤输出的单元格",
    },
    "patch": {"en": "Patch from sentence A", "zh": "从句子 A 修补"},
    "patch_tip": {
        "en": "run sentence A and copy its {key} into this run",
        "zh": "运行句子 A，并把它的 {key} 复制到本次运行",
    },
    "patch_hint": {
        "en": "sentence A, e.g. Fruit flies like a banana",
        "zh": "句子 A，例如 Fruit flies like a banana",
    },
    "changed": {"en": "What changed", "zh": "变化"},
    "nothing": {
        "en": "No active intervention: the run is the clean one.",
        "zh": "没有生效的干预：当前运行即无干预运行。",
    },
    "translation": {"en": "translation", "zh": "译文"},
    "unchanged": {"en": "unchanged", "zh": "未变"},
    "loss": {
        "en": "loss (mean −log p of each chosen token)",
        "zh": "损失（每个所选词 −log p 的均值）",
    },
    "count": {
        "en": "{n} of {total} steps changed · first at #{i} {key}",
        "zh": "{total} 个步骤中 {n} 个改变 · 首个位于 #{i} {key}",
    },
    "same": {"en": "no step changed", "zh": "没有步骤改变"},
    "biggest": {
        "en": "biggest changes (max |after − before|):",
        "zh": "最大的变化（最大 |干预后 − 干预前|）：",
    },
    "jump_tip": {"en": "go to this step", "zh": "转到此步骤"},
    "bad_value": {"en": "not a number: {text!r}", "zh": "不是数字：{text!r}"},
    "no_sentence": {"en": "type sentence A first", "zh": "请先输入句子 A"},
}


def t(name: str, lang: str, /, **kw: object) -> str:
    return tr(STRINGS[name], lang).format(**kw) if kw else tr(STRINGS[name], lang)
