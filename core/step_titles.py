"""A step's title for a person: ``dec.0.self_attn.masked`` -> "Decoder layer 0 · masked
self-attention · masked scores", in English or Chinese.

Trace names are what breakpoints, watches and the command line use, so headings keep
the name as a smaller second line; the title above it is built here from the name's
parts (where: the layer and sublayer; what: the tensor), with the phase saying
whether it is the value itself, its gradient or its update. Layers are counted from
0, as the trace names, the diagram and the attention view count them; expert numbers
stay as the router and the name give them. Qt-free: the Explanation heading, the
tensor view's header and any other view use it. A name no rule knows is returned as
it is (a title is never invented).
"""

from __future__ import annotations

import re

Text = dict[str, str]

BLOCKS: dict[str, Text] = {
    "enc": {"en": "Encoder layer {n}", "zh": "编码器第 {n} 层"},
    "dec": {"en": "Decoder layer {n}", "zh": "解码器第 {n} 层"},
}
SUBLAYERS: dict[str, Text] = {
    "self_attn": {"en": "self-attention", "zh": "自注意力"},
    "masked_self_attn": {"en": "masked self-attention", "zh": "掩码自注意力"},
    "cross_attn": {"en": "cross-attention", "zh": "交叉注意力"},
    "ffn": {"en": "feed-forward", "zh": "前馈网络"},
    "moe": {"en": "mixture of experts", "zh": "混合专家"},
    "expert": {"en": "expert {n}", "zh": "专家 {n}"},
}
LEAVES: dict[str, Text] = {
    # attention
    "q": {"en": "queries Q", "zh": "查询 Q"},
    "k": {"en": "keys K", "zh": "键 K"},
    "v": {"en": "values V", "zh": "值 V"},
    "scores": {"en": "scores Q·Kᵀ", "zh": "注意力分数 Q·Kᵀ"},
    "scaled": {"en": "scaled scores", "zh": "缩放后的分数"},
    "masked": {"en": "masked scores", "zh": "掩码后的分数"},
    "weights": {"en": "attention weights", "zh": "注意力权重"},
    "context": {"en": "context per head", "zh": "每个头的上下文"},
    "concat": {"en": "heads concatenated", "zh": "拼接各个头"},
    "out": {"en": "output", "zh": "输出"},
    # feed-forward, experts
    "hidden": {"en": "hidden layer", "zh": "隐藏层"},
    "act": {"en": "activation", "zh": "激活"},
    "router.logits": {"en": "router scores", "zh": "路由打分"},
    "router.probs": {"en": "router probabilities", "zh": "路由概率"},
    "topk.experts": {"en": "chosen experts", "zh": "选中的专家"},
    "topk.weights": {"en": "weights of the chosen experts", "zh": "选中专家的权重"},
    "combine": {"en": "combined output", "zh": "合并后的输出"},
    "aux_loss": {"en": "load-balancing loss", "zh": "负载均衡损失"},
    # the model's ends
    "src.tokens": {"en": "source tokens", "zh": "源句词元"},
    "src.input": {"en": "source input", "zh": "源句输入"},
    "src.embed": {"en": "source embeddings", "zh": "源句嵌入"},
    "src.embed_scaled": {"en": "scaled source embeddings", "zh": "缩放后的源句嵌入"},
    "src.pos": {"en": "source + positions", "zh": "源句嵌入加位置编码"},
    "src.image": {"en": "the picture", "zh": "图片"},
    "src.patches": {"en": "picture patches", "zh": "图片的图块"},
    "src.patch_embed": {"en": "patch embeddings", "zh": "图块嵌入"},
    "src.cls": {"en": "[CLS] put first", "zh": "在最前面加入 [CLS]"},
    "tgt.tokens": {"en": "target tokens", "zh": "目标词元"},
    "tgt.input": {"en": "decoder input", "zh": "解码器输入"},
    "tgt.target": {"en": "expected tokens", "zh": "期望的词元"},
    "tgt.embed": {"en": "target embeddings", "zh": "目标嵌入"},
    "tgt.embed_scaled": {"en": "scaled target embeddings", "zh": "缩放后的目标嵌入"},
    "tgt.pos": {"en": "target + positions", "zh": "目标嵌入加位置编码"},
    "cls.vector": {"en": "the [CLS] vector", "zh": "[CLS] 向量"},
    "cls.logits": {"en": "classification head: scores", "zh": "分类头：打分"},
    "cls.probs": {"en": "classification head: probabilities", "zh": "分类头：概率"},
    "cls.target": {"en": "the right label", "zh": "正确的标签"},
    "logits": {"en": "classification head: scores per token", "zh": "分类头：每个词元的打分"},
    "probs": {"en": "probabilities", "zh": "概率"},
    "next.probs": {"en": "next-token probabilities", "zh": "下一个词元的概率"},
    "next.token": {"en": "the chosen token", "zh": "选中的词元"},
    "loss": {"en": "loss", "zh": "损失"},
    "loss.per_token": {"en": "loss per token", "zh": "每个词元的损失"},
    "loss.per_example": {"en": "loss per example", "zh": "每个样本的损失"},
    "loss.mask": {"en": "which tokens count", "zh": "计入损失的词元"},
    "loss.task": {"en": "task loss", "zh": "任务损失"},
}
PARAMS: dict[str, Text] = {
    "w_q": {"en": "W_Q", "zh": "W_Q"},
    "w_k": {"en": "W_K", "zh": "W_K"},
    "w_v": {"en": "W_V", "zh": "W_V"},
    "w_o": {"en": "W_O", "zh": "W_O"},
    "lin1": {"en": "first linear layer", "zh": "第一个线性层"},
    "lin2": {"en": "second linear layer", "zh": "第二个线性层"},
    "router": {"en": "router", "zh": "路由器"},
    "head": {"en": "classification head", "zh": "分类头"},
    "src_embed": {"en": "source embedding table", "zh": "源句嵌入表"},
    "tgt_embed": {"en": "target embedding table", "zh": "目标嵌入表"},
    "patch_embed": {"en": "patch embedding", "zh": "图块嵌入"},
    "cls_token": {"en": "the [CLS] vector", "zh": "[CLS] 向量"},
    "weight": {"en": "weights", "zh": "权重"},
    "bias": {"en": "bias", "zh": "偏置"},
    "gain": {"en": "gain", "zh": "增益"},
}
NUMBERED: dict[str, Text] = {
    "add": {"en": "residual add {n}", "zh": "第 {n} 次残差相加"},
    "norm": {"en": "layer norm {n}", "zh": "第 {n} 次层归一化"},
}
PHASES: dict[str, Text] = {  # said last: "… · masked scores · gradient"
    "backward": {"en": "gradient", "zh": "梯度"},
    "update": {"en": "update", "zh": "更新"},
}
SEP = " · "
_BLOCK = re.compile(r"^(enc|dec)\.(\d+)\.(.+)$")
_NUMBERED = re.compile(r"^(add|norm)(\d+)$")
_EXPERT = re.compile(r"^experts?\.(\d+)\.(.+)$")


def _t(entry: Text, lang: str, **values: object) -> str:
    return (entry.get(lang) or entry["en"]).format(**values)


def step_title(name: str, lang: str, phase: str | None = None) -> str:
    """A person's title of the trace point ``name`` (``t3/`` prefixes ignored), or
    ``name`` itself when no rule knows it. ``phase`` "backward" / "update" titles the
    gradient or the update of that tensor."""
    bare = re.sub(r"^t\d+/", "", name)
    what = _title(bare, lang)
    if what is None:
        return name
    if phase in PHASES:
        return f"{what}{SEP}{_t(PHASES[phase], lang)}"
    return what


def step_heading(name: str, lang: str, phase: str | None = None) -> str | None:
    """``step_title`` written as a heading, its first letter upper case ("Source
    embeddings"), or None when no rule knows ``name`` (the caller then heads the step
    with the op's name instead)."""
    if _title(re.sub(r"^t\d+/", "", name), lang) is None:
        return None
    title = step_title(name, lang, phase)
    return title[:1].upper() + title[1:]


def _title(name: str, lang: str) -> str | None:
    parts: list[str] = []
    block = _BLOCK.match(name)
    if block:
        kind, layer, rest = block.groups()
        parts.append(_t(BLOCKS[kind], lang, n=int(layer)))
        sub, _, leaf = rest.partition(".")
        if sub in SUBLAYERS:
            masked = sub == "self_attn" and kind == "dec"
            parts.append(_t(SUBLAYERS["masked_self_attn" if masked else sub], lang))
            rest = leaf
            expert = _EXPERT.match(rest)
            if expert:
                parts.append(_t(SUBLAYERS["expert"], lang, n=int(expert.group(1))))
                rest = expert.group(2)
        what = _leaf(rest, lang)
        if what is None:
            return None
        return SEP.join([*parts, what] if what else parts)
    return _leaf(name, lang)


def _leaf(name: str, lang: str) -> str | None:
    """The tensor's own words: an activation, a numbered add / norm, or a parameter."""
    if name in LEAVES:
        return _t(LEAVES[name], lang)
    head, _, tail = name.partition(".")
    numbered = _NUMBERED.match(head)
    if numbered:
        base = _t(NUMBERED[numbered.group(1)], lang, n=int(numbered.group(2)))
        if not tail:
            return base
        kind = "gain" if tail == "weight" and numbered.group(1) == "norm" else tail
        return f"{base}{SEP}{_t(PARAMS[kind], lang)}" if kind in PARAMS else None
    pieces = name.split(".")
    if pieces[-1] in ("weight", "bias") and all(p in PARAMS for p in pieces):
        return SEP.join(_t(PARAMS[p], lang) for p in pieces)
    if name in PARAMS:
        return _t(PARAMS[name], lang)
    return None
