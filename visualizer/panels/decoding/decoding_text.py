"""The decoding view's words, in English and Simplified Chinese (``tr(TEXT[key], lang)``).

Placeholders: ``{t}`` decoding step, ``{n}`` token count, ``{k}`` beam width or top
candidates, ``{tok}``/``{p}`` a token and its probability, and the sampling settings.
"""

from __future__ import annotations

STRINGS = {
    "generated": {"en": "Generated so far", "zh": "已生成的译文"},
    "generated_lm": {"en": "Continuation so far", "zh": "已续写的内容"},
    "waiting": {"en": "waiting for the encoder…", "zh": "等待编码器…"},
    "encoder": {
        "en": "The encoder reads the source first; decoding starts after it.",
        "zh": "编码器先读完源句，之后才开始解码。",
    },
    "none": {"en": "This trace has no decoding steps.", "zh": "这条轨迹没有解码步骤。"},
    "classifier": {
        "en": "A classifier decodes nothing: it answers once, from the [CLS] position "
        "(see the Classification head view).",
        "zh": "分类器不做解码：它只根据 [CLS] 位置回答一次（见“分类头”视图）。",
    },
    "bars": {
        "en": "t={t}: next-token probabilities (top {k})",
        "zh": "t={t}：下一个词元的概率（前 {k} 个）",
    },
    "bars_wait": {"en": "next-token probabilities", "zh": "下一个词元的概率"},
    "no_probs": {
        "en": "No probabilities yet: the first ones are computed at t0/next.probs.",
        "zh": "还没有概率：第一组概率在 t0/next.probs 计算。",
    },
    "how_greedy": {
        "en": "Greedy: the most likely token is taken at every step.",
        "zh": "贪心：每一步都取概率最大的词元。",
    },
    "how_beam": {
        "en": "Beam search keeps the {k} best partial translations; the bars replay the winner.",
        "zh": "束搜索保留 {k} 个最好的部分译文；条形图重放最佳译文。",
    },
    "how_beam_lm": {  # a language model (GPT-2) continues a text: no translations
        "en": "Beam search keeps the {k} best partial continuations; the bars replay the winner.",
        "zh": "束搜索保留 {k} 个最好的部分续写；条形图重放最佳续写。",
    },
    "how_sample": {
        "en": "Sampling draws the next token at random from these probabilities "
        "(temperature {T}, top-k {topk}, top-p {p}, seed {s}).",
        "zh": "采样：按这些概率随机抽取下一个词元（温度 {T}，top-k {topk}，top-p {p}，种子 {s}）。",
    },
    "nothing": {"en": "No token chosen yet.", "zh": "还没有选出词元。"},
    "plain": {
        "en": "t={t}: the model's own probabilities (T = 1)",
        "zh": "t={t}：模型自己的概率（T = 1）",
    },
    "tempered": {
        "en": "after T = {T}, top-k {topk}, top-p {p}: what the draw uses",
        "zh": "经过温度 {T}、top-k {topk}、top-p {p} 之后：抽样所用的概率",
    },
    "closest": {"en": "Closest choice", "zh": "最难取舍的一步"},
    "start": {"en": "start", "zh": "开始"},  # the beam tree's root column
    "closest_tip": {
        "en": "Go to the decoding step whose two best candidates are closest "
        "(at T = 1): where sampling has a real choice to make",
        "zh": "跳到两个最佳候选（T = 1 时）概率最接近的解码步：采样在这里真正有得选",
    },
    "try_sample": {
        "en": "Try gpt-de on “Time flies like an arrow”: at t=2 it hesitates between "
        "“fliegt” (flies) and “mögen” (like).",
        "zh": "可以用 gpt-de 试“Time flies like an arrow”：在 t=2 它在“fliegt”（飞）"
        "和“mögen”（喜欢）之间犹豫。",
    },
    "history": {
        "en": "Probability of each chosen token so far",
        "zh": "到目前为止每个所选词元的概率",
    },
    "pending": {"en": " · computed at next.probs", "zh": " · 在 next.probs 计算"},
    "producing": {
        "en": "Decoding step t={t}: producing token {n}.",
        "zh": "解码第 t={t} 步：正在生成第 {n} 个词元。",
    },
    "produced": {
        "en": "Decoding step t={t}: chose “{tok}” ({p}).",
        "zh": "解码第 t={t} 步：选中“{tok}”（{p}）。",
    },
    "eos": {
        "en": "Finished: the model chose <eos> after {n} tokens.",
        "zh": "结束：模型在 {n} 个词元后选择了 <eos>。",
    },
    "limit": {
        "en": "Stopped by the length limit ({n} tokens) before any <eos>.",
        "zh": "在出现 <eos> 之前达到长度上限（{n} 个词元），解码停止。",
    },
    "eos_lm": {
        "en": "Finished: the model chose its end token after {n} tokens.",
        "zh": "结束：模型在 {n} 个词元后选择了它的结束词元。",
    },
    "limit_lm": {
        "en": "Stopped after {n} new tokens (the continuation's length limit).",
        "zh": "续写了 {n} 个新词元后停止（续写的长度上限）。",
    },
    "tree": {
        "en": "Beam search tree (beam {k}) — <b style='color:#d98e04'>winning path</b>, "
        "<span style='color:#8e8e93'>dropped</span>, double border: finished",
        "zh": "束搜索树（束宽 {k}）— <b style='color:#d98e04'>最佳路径</b>，"
        "<span style='color:#8e8e93'>被淘汰</span>，双边框：已结束",
    },
}
