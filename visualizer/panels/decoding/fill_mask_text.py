"""The fill-mask view's words, in English and Simplified Chinese (``tr(STRINGS[key], lang)``).

Placeholders: ``{n}`` a mask's number, ``{pos}`` its position, ``{k}`` how many
candidates, ``{tok}``/``{p}`` a word piece and its probability, ``{loss}``/``{v}`` losses.
"""

from __future__ import annotations

STRINGS = {
    "title": {
        "en": "Filling in [MASK]: the masked-word head's guesses",
        "zh": "填空 [MASK]：掩码词预测头的猜测",
    },
    "how": {
        "en": "The head reads the last layer's vector at each [MASK]: dense → GELU → LayerNorm "
        "→ a score for every word (its input embedding, tied, + a bias) → softmax (probs).",
        "zh": "预测头读取最后一层在每个 [MASK] 上的向量：全连接 → GELU → 层归一化 → "
        "给每个词打分（它的输入嵌入，权重共享，加偏置）→ softmax（probs）。",
    },
    "filled": {"en": "Filled in: <b>{text}</b>", "zh": "填好的句子：<b>{text}</b>"},
    "waiting": {
        "en": "The encoder is still reading; the guesses are computed at probs (step {step}).",
        "zh": "编码器还在读句子；猜测在 probs（第 {step} 步）计算。",
    },
    "mask": {
        "en": "[MASK] {n} (token {pos}): the top {k} words of probs",
        "zh": "第 {n} 个 [MASK]（第 {pos} 个词元）：probs 中概率最大的 {k} 个词",
    },
    "train": {
        "en": "Training step: the hidden words are {words} · loss (mean −log p over the masks) "
        "= {loss}",
        "zh": "训练步：被遮住的词是 {words} · 损失（各 [MASK] 的 −log p 的平均）= {loss}",
    },
    "after": {"en": " → {v} after the update", "zh": " → 更新之后 {v}"},
    "target": {"en": "target", "zh": "目标"},
    "target_line": {
        "en": "target {tok}: p = {p}, −log p = {loss}",
        "zh": "目标 {tok}：p = {p}，−log p = {loss}",
    },
    "hint": {
        "en": "Click a word to jump to its probabilities (probs); the best word fills each gap.",
        "zh": "点击一个词可跳到它的概率（probs）；每个空由概率最大的词填上。",
    },
}
