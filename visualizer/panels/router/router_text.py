"""The router view's words, in English and Chinese, and how they are put together.

``describe`` turns "which router call, and why" (a ``Resolved``) and its ``Routing``
into the title ("Router · decoder layer 0 · decoding step 3"), the note saying how the
call relates to the cursor (and, while decoding, which row is new), the captions of
the load bars and the aux-loss line. No Qt, so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.i18n import tr
from visualizer.widgets.numbers import significant

if TYPE_CHECKING:
    from visualizer.panels.router.router_data import Resolved, Routing

STRINGS = {
    "title": {"en": "Router (mixture of experts)", "zh": "路由（混合专家）"},
    "enc_layer": {"en": "encoder layer {n}", "zh": "编码器第 {n} 层"},
    "dec_layer": {"en": "decoder layer {n}", "zh": "解码器第 {n} 层"},
    "enc_item": {"en": "Encoder layer {n}", "zh": "编码器第 {n} 层"},
    "dec_item": {"en": "Decoder layer {n}", "zh": "解码器第 {n} 层"},
    "t": {"en": "decoding step {t}", "zh": "解码第 {t} 步"},
    "train": {"en": "training step (forward pass)", "zh": "训练步（前向传播）"},
    "layer": {"en": "Layer:", "zh": "层："},
    "layer_tip": {
        "en": "Which mixture-of-experts layer to show; it follows the cursor into a layer",
        "zh": "显示哪一个混合专家层；光标进入某层时自动跟随",
    },
    "none": {
        "en": "This model has no experts: every token goes through the same feed-forward "
        "network (open moe-de to see a router).",
        "zh": "此模型没有专家：每个词元都经过同一个前馈网络（打开 moe-de 模型即可查看路由）。",
    },
    "this": {
        "en": "This step computes these router probabilities: {key} (step {w}).",
        "zh": "本步计算这些路由概率：{key}（第 {w} 步）。",
    },
    "here": {
        "en": "The routing this layer uses: {key} (computed at step {w}).",
        "zh": "本层使用的路由：{key}（已在第 {w} 步算出）。",
    },
    "later": {
        "en": "Preview — the cursor (step {c}) is before the router: these probabilities are "
        "computed later, at step {w} ({key}).",
        "zh": "预览 — 光标（第 {c} 步）还在路由之前：这些概率稍后在第 {w} 步算出（{key}）。",
    },
    "recent": {
        "en": "Not in this layer: showing its most recent routing, {key} (step {w}).",
        "zh": "当前不在该层中：显示它最近一次的路由 {key}（第 {w} 步）。",
    },
    "ahead": {
        "en": "Preview — this layer has not routed anything yet: its first routing, {key} "
        "(step {w}).",
        "zh": "预览 — 该层尚未路由任何词元：它的第一次路由 {key}（第 {w} 步）。",
    },
    "decoding": {
        "en": " Decoding re-reads the whole sequence at every step (no cache), so all {n} "
        "tokens are routed again; the last row, “{tok}”, is new at this step.",
        "zh": " 解码的每一步都重新读入整个序列（没有缓存），因此全部 {n} 个词元都会再次路由；"
        "最后一行“{tok}”是本步新增的。",
    },
    "training": {
        "en": " One training step: the routing of its forward pass, before the update. The "
        "aux loss is added to the task loss, so the update also pushes the router towards "
        "an even load.",
        "zh": " 一个训练步：其前向传播中的路由（更新之前）。辅助损失会加到任务损失上，"
        "因此这次更新也会推动路由器让负载更均匀。",
    },
    "heat": {
        "en": "Router probabilities · ▢ = chosen (top-{k})",
        "zh": "路由概率 · ▢ = 被选中（top-{k}）",
    },
    "expert": {"en": "Expert {e}", "zh": "专家 {e}"},
    "load": {
        "en": "Load f: share of the {n} tokens sent to each expert",
        "zh": "负载 f：{n} 个词元中交给每个专家的比例",
    },
    "load_k": {
        "en": "Load: share of the {n} × {k} choices sent to each expert",
        "zh": "负载：{n} × {k} 次选择中交给每个专家的比例",
    },
    "mean": {
        "en": "Mean router probability P of each expert",
        "zh": "每个专家的平均路由概率 P",
    },
    "aux": {
        "en": "Load-balancing loss ({key}) = <b>{v}</b> = {e} · Σ f·P: 1 when the load is "
        "even, up to {e} when one expert takes every token.",
        "zh": "负载均衡损失（{key}）= <b>{v}</b> = {e} · Σ f·P：负载均匀时为 1，"
        "全部词元交给同一个专家时最大为 {e}。",
    },
    "aux_k": {
        "en": " (f counts first choices.)",
        "zh": "（f 只统计第一选择。）",
    },
    "words": {"en": "Which words go to which expert", "zh": "哪些词交给哪个专家"},
    "history_any": {
        "en": "Over the last training run: each layer's load-balancing loss for the demo "
        "sentence (1 = an even load)",
        "zh": "上一次训练过程中：示例句子在每一层的负载均衡损失（1 = 负载均匀）",
    },
    "step_axis": {"en": "training step", "zh": "训练步"},
    "train_title": {
        "en": "During the last training run: how {layer} routed the demo sentence",
        "zh": "上一次训练过程中：{layer}如何路由示例句子",
    },
    "load_over": {
        "en": "Load of each expert at every snapshot: the share of the sentence's tokens "
        "sent to it (dashed: an even share, 1/{e})",
        "zh": "每个快照中各专家的负载：句子的词元中交给它的比例（虚线：均匀负载 1/{e}）",
    },
    "snap_at": {
        "en": "After {step} steps (snapshot {i} of {n})",
        "zh": "训练 {step} 步后（第 {i} / {n} 个快照）",
    },
    "first_snap": {
        "en": "The first snapshot: nothing to compare with yet.",
        "zh": "第一个快照：还没有可比较的。",
    },
    "moved": {
        "en": "{m} of {c} words changed expert since step {prev}; ←n: the expert a word "
        "went to then.",
        "zh": "自第 {prev} 步以来，{c} 个词中有 {m} 个换了专家；←n：该词当时交给的专家。",
    },
    "col_expert": {"en": "Expert", "zh": "专家"},
    "col_n": {"en": "Tokens", "zh": "词元数"},
    "col_words": {"en": "Words", "zh": "词"},
    "nothing": {"en": "—", "zh": "—"},
}


def t(name: str, lang: str, **fields: object) -> str:
    """One of this view's strings, formatted when fields are given."""
    text = tr(STRINGS[name], lang)
    return text.format(**fields) if fields else text


def block_name(block: str, lang: str, item: bool = False) -> str:
    """``"dec.1.moe"`` -> "decoder layer 1" (``item``: capitalised, for the chooser)."""
    from visualizer.panels.router.router_data import side_layer

    side, layer = side_layer(block)
    return t(f"{'enc' if side == 'enc' else 'dec'}_{'item' if item else 'layer'}", lang, n=layer)


@dataclass(frozen=True)
class Texts:
    title: str
    note: str
    preview: bool  # the probabilities are not computed yet at the cursor
    heat: str
    load: str
    mean: str
    aux: str


def describe(res: Resolved, routing: Routing, cursor: int, train: bool, lang: str) -> Texts:
    call = res.call
    parts = [t("title", lang), block_name(call.block, lang)]
    if call.t is not None:
        parts.append(t("t", lang, t=call.t))
    elif train:
        parts.append(t("train", lang))
    relation = "this" if call.probs.index == cursor else res.relation
    note = t(relation, lang, key=call.probs.key, w=call.probs.index + 1, c=cursor + 1)
    n, k, e = len(routing.tokens), routing.k, routing.n_experts
    if call.t is not None and call.block.startswith("dec.") and n:
        note += t("decoding", lang, n=n, tok=routing.tokens[-1])
    elif train:
        note += t("training", lang)
    aux = ""
    if routing.aux is not None:
        aux = t("aux", lang, key=routing.aux_key, v=significant(routing.aux), e=e)
        aux += t("aux_k", lang) if k > 1 else ""
    return Texts(
        title=" · ".join(parts),
        note=note,
        preview=relation in ("later", "ahead"),
        heat=t("heat", lang, k=k),
        load=t("load", lang, n=n) if k == 1 else t("load_k", lang, n=n, k=k),
        mean=t("mean", lang),
        aux=aux,
    )
