"""The attention view's words, in English and Chinese, and how they are put together.

``describe`` turns "which weights, and why" (a ``Resolved``) into the title
("Cross-attention · decoder layer 1 · decoding step 3 (German → English)"), the
note saying how the weights relate to the cursor (computed here, earlier, or
later: a preview), the two column headers of the head view and the model-view
caption. No Qt, so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.i18n import tr

if TYPE_CHECKING:
    from visualizer.panels.attention.attention_index import Resolved

STRINGS = {
    "enc_self": {"en": "Encoder self-attention", "zh": "编码器自注意力"},
    "dec_self": {"en": "Decoder masked self-attention", "zh": "解码器掩码自注意力"},
    "cross": {"en": "Cross-attention", "zh": "交叉注意力"},
    "enc_layer": {"en": "encoder layer {n}", "zh": "编码器第 {n} 层"},
    "dec_layer": {"en": "decoder layer {n}", "zh": "解码器第 {n} 层"},
    "t": {"en": "decoding step {t}", "zh": "解码第 {t} 步"},
    "dir": {"en": " ({q} → {k})", "zh": "（{q} → {k}）"},
    "none_title": {"en": "Attention", "zh": "注意力"},
    "src": {"en": "{language} source", "zh": "{language}源句"},
    "tgt": {"en": "{language} prefix", "zh": "{language}前缀"},
    "seq": {
        "en": " ({source} prompt + “=” + {target} answer so far)",
        "zh": "（{source}提示 + “=” + 已生成的{target}回答）",
    },
    "seq_side": {"en": "prompt + answer", "zh": "提示 + 回答"},
    "lm": {"en": " (the text + its continuation so far)", "zh": "（原文 + 已续写的内容）"},
    "lm_side": {"en": "text + continuation", "zh": "原文 + 续写"},
    "sentence": {"en": " ([CLS] + the {source} sentence)", "zh": "（[CLS] + {source}句子）"},
    "sentence_side": {"en": "[CLS] + sentence", "zh": "[CLS] + 句子"},
    "picture": {"en": " ([CLS] + the picture's patches)", "zh": "（[CLS] + 图片的图块）"},
    "picture_side": {"en": "[CLS] + patches", "zh": "[CLS] + 图块"},
    "queries": {"en": "Queries · {what}", "zh": "查询 · {what}"},
    "keys": {"en": "Keys · {what}", "zh": "键 · {what}"},
    "this": {
        "en": "This step computes these weights: {key} (step {w}). Each query's row sums to 1.",
        "zh": "本步计算这些权重：{key}（第 {w} 步）。每个查询的一行之和为 1。",
    },
    "here": {
        "en": "The weights this block uses: {key} (computed at step {w}).",
        "zh": "本模块使用的注意力权重：{key}（已在第 {w} 步算出）。",
    },
    "later": {
        "en": "Preview — the cursor (step {c}) is before the softmax: these weights are "
        "computed later, at step {w} ({key}).",
        "zh": "预览 — 光标（第 {c} 步）还在 softmax 之前：这些权重稍后在第 {w} 步算出（{key}）。",
    },
    "recent": {
        "en": "Not in an attention block: showing the most recent attention weights, "
        "{key} (step {w}).",
        "zh": "当前不在注意力模块中：显示最近一次的注意力权重 {key}（第 {w} 步）。",
    },
    "ahead": {
        "en": "Preview — nothing has been attended yet: the first attention weights, "
        "{key} (step {w}).",
        "zh": "预览 — 尚未计算任何注意力：第一个注意力权重 {key}（第 {w} 步）。",
    },
    "none": {"en": "This trace has no attention weights.", "zh": "此轨迹没有注意力权重。"},
    "hint": {
        "en": "Click a head to show or hide its lines · double-click it (or a model-view cell) "
        "for the heatmap · hover a token to isolate its lines",
        "zh": "单击注意力头显示或隐藏其连线 · 双击它（或模型视图的方格）在热图中查看 · "
        "悬停在词元上单独查看其连线",
    },
    "chip": {"en": "Head {}", "zh": "头 {}"},
    "chip_tip": {
        "en": "Click: show / hide · double-click: show in the heatmap",
        "zh": "单击：显示 / 隐藏 · 双击：在热图中显示",
    },
    "heat_head": {"en": "Heatmap:", "zh": "热图："},
    "heat_title": {
        "en": "Head {h} · rows = queries, columns = keys",
        "zh": "头 {h} · 行 = 查询，列 = 键",
    },
    "grid": {
        "en": "Model view — {kind}{t}: every layer × head. Click a cell to open it.",
        "zh": "模型视图 — {kind}{t}：所有层 × 头。单击方格即可打开。",
    },
    "layer": {"en": "Layer {n}", "zh": "第 {n} 层"},
    "budget": {
        "en": "only the {shown} strongest of {total} links are drawn",
        "zh": "仅绘制最强的 {shown} 条连线（共 {total} 条）",
    },
}
LANGS = {
    "en": {"en": "English", "zh": "英语"},
    "de": {"en": "German", "zh": "德语"},
    "fr": {"en": "French", "zh": "法语"},
}
SIDES = {"enc_self": ("src", "src"), "dec_self": ("tgt", "tgt"), "cross": ("tgt", "src")}


def t(name: str, lang: str, **fields: object) -> str:
    """One of this view's strings, formatted when fields are given."""
    text = tr(STRINGS[name], lang)
    return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Texts:
    title: str
    note: str
    preview: bool  # the weights are not computed yet at the cursor
    left: str  # head-view column headers
    right: str
    grid: str


def describe(
    res: Resolved,
    cursor: int,
    pair: str,
    lang: str,
    arch: str = "encoder-decoder",
    inputs: str = "tokens",
    continues: bool = False,
) -> Texts:
    """The view's texts for the weights ``res``. ``pair`` is the model's language pair;
    ``arch`` and ``inputs`` its shape (``ModelConfig``): a decoder-only model's one
    sequence is the English prompt, "=", and the German answer so far; an encoder-only
    model reads [CLS] and an English sentence, or [CLS] and a picture's patches.
    ``continues``: a decoder-only language model (GPT-2) whose sequence is a text and its
    continuation (no "=", no translation)."""
    src, _, tgt = (pair or "en-de").partition("-")
    names = {
        side: tr(LANGS.get(code, {"en": code}), lang) for side, code in (("src", src), ("tgt", tgt))
    }
    q_side, k_side = SIDES[res.kind]
    where = "enc_layer" if res.kind == "enc_self" else "dec_layer"
    parts = [t(res.kind, lang), t(where, lang, n=res.layer)]
    step = "" if res.t is None else " · " + t("t", lang, t=res.t)
    if res.t is not None:
        parts.append(t("t", lang, t=res.t))
    seq = _sequence(arch, inputs)
    if seq == "seq" and continues:
        seq = "lm"
    if seq is None:
        what = t("dir", lang, q=names[q_side], k=names[k_side])
        left = t("queries", lang, what=t(q_side, lang, language=names[q_side]))
        right = t("keys", lang, what=t(k_side, lang, language=names[k_side]))
    else:  # one sequence attends to itself: say what it holds
        english = tr(LANGS["en"], lang)  # what the classifiers and the prompt read
        what = t(seq, lang, source=english, target=names["tgt"])
        left = t("queries", lang, what=t(seq + "_side", lang))
        right = t("keys", lang, what=t(seq + "_side", lang))
    title = " · ".join(parts) + what
    ws = res.weights
    relation = "this" if ws.index == cursor else res.relation
    return Texts(
        title=title,
        note=t(
            relation, lang, key=ws.key, w=ws.index + 1, c=cursor + 1
        ),  # 1-based, as shown elsewhere
        preview=relation in ("later", "ahead"),
        left=left,
        right=right,
        grid=t("grid", lang, kind=t(res.kind, lang), t=step),
    )


def _sequence(arch: str, inputs: str) -> str | None:
    """The string naming a one-sequence model's input; None for the translator, whose
    attention goes between (or within) its source and target languages."""
    if arch == "decoder-only":
        return "seq"
    if arch == "encoder-only":
        return "picture" if inputs == "patches" else "sentence"
    return None
