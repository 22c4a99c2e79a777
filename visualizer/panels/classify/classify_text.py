"""The classification view's strings, English and Chinese (the seed's terms: 分类头,
特征, 图块). Kept apart from the view so a test can check none lacks a language."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Classification head: [CLS] vector → logits → softmax",
        "zh": "分类头：[CLS] 向量 → 未归一化分数 → softmax",
    },
    "says": {
        "en": "The model says: <b>{label}</b> ({p})",
        "zh": "模型的回答：<b>{label}</b>（{p}）",
    },
    "train": {
        "en": "Training step: the target label is <b>{label}</b> (p = {p}) · loss −log p = {loss}",
        "zh": "训练步：目标标签是 <b>{label}</b>（p = {p}）· 损失 −log p = {loss}",
    },
    "after": {"en": " → {v} after the update", "zh": " → 更新之后 {v}"},
    "bars": {
        "en": "Probability of every label (cls.probs: the softmax of cls.logits)",
        "zh": "每个标签的概率（cls.probs：cls.logits 的 softmax）",
    },
    "logits": {"en": "logits: {items}", "zh": "未归一化分数：{items}"},
    "target": {"en": "target", "zh": "目标"},
    "vector": {
        "en": "[CLS] vector (cls.vector): the {d} features the head reads",
        "zh": "[CLS] 向量（cls.vector）：分类头读取的 {d} 个特征",
    },
    "feature": {"en": "feature", "zh": "特征"},
    "attn_text": {
        "en": "What the [CLS] position attended to: row 0 of the self-attention weights, "
        "every layer and head (click a row to pick it)",
        "zh": "[CLS] 位置关注了哪些词元：每层每个头的自注意力权重的第 0 行（点击一行即可选中）",
    },
    "attn_pic": {
        "en": "Which patches the [CLS] position attended to: row 0 of the self-attention "
        "weights on the patch grid (click a small picture to pick a layer and head)",
        "zh": "[CLS] 位置关注了哪些图块：自注意力权重的第 0 行，排在图块网格上"
        "（点击小图即可选择层和头）",
    },
    "picture": {
        "en": "The picture, cut into {r}×{c} patches (each patch is one token)",
        "zh": "图片切成 {r}×{c} 个图块（每个图块是一个词元）",
    },
    "overlay": {
        "en": "[CLS] → patches · layer {l}, head {h}",
        "zh": "[CLS] → 图块 · 第 {l} 层，第 {h} 个头",
    },
    "self": {
        "en": "Layer {l}, head {h}: [CLS] keeps {p} on itself; most attended: {pos} ({q})",
        "zh": "第 {l} 层第 {h} 个头：[CLS] 留给自身 {p}；关注最多：{pos}（{q}）",
    },
    "patch": {"en": "patch {p}", "zh": "图块 {p}"},  # p: the patch's name, ▦1 … ▦n
    "row": {"en": "L{l} h{h}", "zh": "层{l} 头{h}"},
    "cell": {"en": "L{l}h{h}", "zh": "{l}层{h}头"},
    "hint": {
        "en": "This view is for classifiers (encoder-only models such as bert-who or "
        "vit-pets); the current model has no classification head (it writes text, or "
        "fills in [MASK]: see the Decoding view).",
        "zh": "此视图用于分类器（仅编码器模型，如 bert-who、vit-pets）；当前模型没有分类头"
        "（它生成文本，或填空 [MASK]：见“解码”视图）。",
    },
}
