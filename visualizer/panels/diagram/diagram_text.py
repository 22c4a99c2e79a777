"""The architecture diagram's strings (English and Simplified Chinese) and box colours."""

from __future__ import annotations

from visualizer.i18n import tr

T = dict[str, str]

BOX: dict[str, T] = {
    "enc.self_attn": {"en": "Self-Attention", "zh": "自注意力"},
    "dec.self_attn": {"en": "Masked Self-Attention", "zh": "掩码自注意力"},
    "cross_attn": {"en": "Cross-Attention", "zh": "交叉注意力"},
    "an": {"en": "Add & Norm", "zh": "残差相加与归一化"},
    "ffn": {"en": "Feed-Forward", "zh": "前馈网络"},
    "src.embed": {"en": "Input Embedding", "zh": "输入嵌入"},
    "tgt.embed": {"en": "Output Embedding", "zh": "输出嵌入"},
    "pos": {"en": "+ Positional Encoding", "zh": "+ 位置编码"},
    "norm": {"en": "Final LayerNorm", "zh": "最终层归一化"},
    "linear": {"en": "Linear", "zh": "线性层"},
    "softmax": {"en": "Softmax", "zh": "Softmax"},
    "output": {"en": "Next token", "zh": "下一个词元"},
    "loss": {"en": "Loss", "zh": "损失"},
    "gpt.embed": {"en": "Token Embedding", "zh": "词元嵌入"},
    "patch.embed": {"en": "Patch Embedding", "zh": "图像块嵌入"},
    "lm.head": {"en": "Output head (Linear → vocabulary)", "zh": "分类头（线性层 → 词表）"},
    "router": {"en": "Router", "zh": "路由器"},
    "expert": {"en": "Expert {e}", "zh": "专家 {e}"},
    "combine": {"en": "Weighted sum of the chosen experts", "zh": "被选专家的加权和"},
    "cls": {"en": "[CLS] vector (the sentence's features)", "zh": "[CLS] 向量（整句的特征）"},
    "cls.pic": {"en": "[CLS] vector (the picture's features)", "zh": "[CLS] 向量（整幅图的特征）"},
    "cls.head": {"en": "Classification head (Linear → labels)", "zh": "分类头（线性层 → 类别）"},
    "label": {"en": "Label", "zh": "类别"},
    "mlm": {
        "en": "Masked-word head (Dense → GELU → LayerNorm)",
        "zh": "掩码词预测头（全连接 → GELU → 层归一化）",
    },
}

ABBR: dict[str, T] = {  # box labels for narrow boxes
    "enc.self_attn": {"en": "Self-Attn", "zh": "自注意力"},
    "dec.self_attn": {"en": "Masked Attn", "zh": "掩码注意力"},
    "cross_attn": {"en": "Cross-Attn", "zh": "交叉注意力"},
    "an": {"en": "Add&Norm", "zh": "相加归一"},
    "ffn": {"en": "FFN", "zh": "前馈"},
    "src.embed": {"en": "Embedding", "zh": "嵌入"},
    "tgt.embed": {"en": "Embedding", "zh": "嵌入"},
    "pos": {"en": "+ Pos. enc.", "zh": "+ 位置"},
    "norm": {"en": "LayerNorm", "zh": "层归一化"},
    "linear": {"en": "Linear", "zh": "线性层"},
    "softmax": {"en": "Softmax", "zh": "Softmax"},
    "output": {"en": "Next", "zh": "下一个"},
    "loss": {"en": "Loss", "zh": "损失"},
    "gpt.embed": {"en": "Embedding", "zh": "嵌入"},
    "patch.embed": {"en": "Patches", "zh": "图像块"},
    "lm.head": {"en": "Output head", "zh": "分类头"},
    "router": {"en": "Router", "zh": "路由器"},
    "expert": {"en": "E{e}", "zh": "专家{e}"},
    "combine": {"en": "Weighted sum", "zh": "加权和"},
    "cls": {"en": "[CLS]", "zh": "[CLS]"},
    "cls.pic": {"en": "[CLS]", "zh": "[CLS]"},
    "cls.head": {"en": "Class. head", "zh": "分类头"},
    "label": {"en": "Label", "zh": "类别"},
    "mlm": {"en": "MLM head", "zh": "掩码词头"},
}

SHORT: dict[str, T] = {  # labels of the cells of a compact (collapsed) layer
    "attn": {"en": "Attn", "zh": "注意力"},
    "cross_attn": {"en": "Cross", "zh": "交叉"},
    "an": {"en": "A&N", "zh": "归一"},
    "ffn": {"en": "FFN", "zh": "前馈"},
    "router": {"en": "MoE", "zh": "专家"},
}

STRINGS: dict[str, T] = {
    "enc_layer": {"en": "Encoder layer {k} (of {n})", "zh": "编码器 第 {k} 层（共 {n} 层）"},
    "dec_layer": {"en": "Decoder layer {k} (of {n})", "zh": "解码器 第 {k} 层（共 {n} 层）"},
    "enc_layer_short": {"en": "Encoder {k}/{n}", "zh": "编码器 {k}/{n}"},
    "dec_layer_short": {"en": "Decoder {k}/{n}", "zh": "解码器 {k}/{n}"},
    "src_caption": {"en": "Inputs (source)", "zh": "输入（源语言）"},
    "tgt_caption": {"en": "Outputs (shifted right)", "zh": "输出（右移一位）"},
    "gpt_caption": {"en": "Prompt + answer so far", "zh": "提示 + 已生成的回答"},
    "lm_caption": {"en": "Text + continuation so far", "zh": "原文 + 已续写的内容"},
    "cls_caption": {"en": "Inputs: [CLS] + the sentence", "zh": "输入：[CLS] + 句子"},
    "cls_sep_caption": {
        "en": "Inputs: [CLS] + the sentence + [SEP]",
        "zh": "输入：[CLS] + 句子 + [SEP]",
    },
    "patch_caption": {
        "en": "Inputs: [CLS] + {n} picture patches",
        "zh": "输入：[CLS] + {n} 个图像块",
    },
    "patch": {"en": "▦{k}", "zh": "▦{k}"},
    "classify": {"en": "Classifying the sentence", "zh": "对句子分类"},
    "classify_pic": {"en": "Classifying the picture", "zh": "对图片分类"},
    "picture": {"en": "picture: {name}", "zh": "图片：{name}"},
    "lit": {"en": "{label} · {w}", "zh": "{label} · {w}"},
    "lit_tip": {
        "en": "chosen by the router for the current token (weight {w})",
        "zh": "路由器为当前词元选中（权重 {w}）",
    },
    "encoding": {"en": "Encoding the source", "zh": "编码源句子"},
    "decoding": {
        "en": "Decoding step t={t} (token {k} of {n})",
        "zh": "解码步骤 t={t}（第 {k} 个词元，共 {n} 个）",
    },
    "other": {"en": "{phase}: {name}", "zh": "{phase}：{name}"},
    "memory": {"en": "encoder output", "zh": "编码器输出"},
    "kv": {"en": "K,V", "zh": "K,V"},
    "tip": {
        "en": "{label}\n{n} steps here ({total} in the trace)\nfirst: {first}\nclick to jump",
        "zh": "{label}\n此处 {n} 步（整条轨迹 {total} 步）\n第一步：{first}\n点击跳转",
    },
    "tip_none": {"en": "{label}\nnot run in this trace", "zh": "{label}\n本轨迹中未运行"},
    "tip_op": {"en": "{op}\nstep {i}: {name}", "zh": "{op}\n第 {i} 步：{name}"},
}

OPS: dict[str, T] = {
    "q": {"en": "Q", "zh": "Q"},
    "k": {"en": "K", "zh": "K"},
    "v": {"en": "V", "zh": "V"},
    "scores": {"en": "Q·Kᵀ", "zh": "Q·Kᵀ"},
    "scaled": {"en": "÷√d", "zh": "÷√d"},
    "masked": {"en": "mask", "zh": "掩码"},
    "weights": {"en": "softmax", "zh": "softmax"},
    "context": {"en": "·V", "zh": "·V"},
    "concat": {"en": "concat", "zh": "拼接"},
    "out": {"en": "W_O", "zh": "W_O"},
    "hidden": {"en": "Linear₁", "zh": "线性₁"},
    "ffn.out": {"en": "Linear₂", "zh": "线性₂"},
    "add": {"en": "add", "zh": "相加"},
    "norm": {"en": "norm", "zh": "归一化"},
    "tokens": {"en": "ids", "zh": "词元"},
    "embed": {"en": "lookup", "zh": "查表"},
    "embed_scaled": {"en": "×√d", "zh": "×√d"},
    "pos": {"en": "PE", "zh": "位置"},
    "input": {"en": "+", "zh": "相加"},
    "logits": {"en": "logits", "zh": "logits"},
    "probs": {"en": "softmax", "zh": "softmax"},
    "token": {"en": "pick", "zh": "选词"},
    "target": {"en": "target", "zh": "目标"},
    "per_token": {"en": "CE", "zh": "交叉熵"},
    "per_example": {"en": "CE", "zh": "交叉熵"},
    "router.logits": {"en": "logits", "zh": "logits"},
    "router.probs": {"en": "softmax", "zh": "softmax"},
    "topk.experts": {"en": "top-k", "zh": "选 top-k"},
    "topk.weights": {"en": "weights", "zh": "权重"},
    "aux_loss": {"en": "balance", "zh": "均衡损失"},
    "combine": {"en": "Σ w·E", "zh": "Σ w·E"},
    "vector": {"en": "[CLS]", "zh": "[CLS]"},
    "image": {"en": "picture", "zh": "图片"},
    "patches": {"en": "patches", "zh": "切块"},
    "patch_embed": {"en": "Linear", "zh": "线性层"},
    "cls": {"en": "+[CLS]", "zh": "+[CLS]"},
    "loss": {"en": "mean", "zh": "平均"},
    "segment": {"en": "segment", "zh": "句段"},  # BERT: + the segment-0 vector
    "embed_norm": {"en": "embed norm", "zh": "嵌入归一化"},  # BERT: LayerNorm of the sum
}

PARAM_SUB = {
    "w_q": "_Q",
    "w_k": "_K",
    "w_v": "_V",
    "w_o": "_O",
    "lin1": "₁",
    "lin2": "₂",
    "embed": "_E",
    "pos": "_P",
    "linear": "",
    "router": "_R",
    "head": "",
}

# fill, border: soft colours like the paper's figure
COLORS: dict[str, tuple[str, str]] = {
    "attn": ("#fcdcbc", "#e49a55"),
    "ffn": ("#cde6f7", "#5f9fd3"),
    "an": ("#fbf0b8", "#cdb440"),
    "embed": ("#f9d3de", "#dc7f9c"),
    "pos": ("#fbe6ee", "#dc9ab0"),
    "norm": ("#fbf0b8", "#cdb440"),
    "linear": ("#dcd5f2", "#8e7cc9"),
    "softmax": ("#d2ecd8", "#5fae77"),
    "output": ("#ffffff", "#9a9aa2"),
    "router": ("#e6dcf5", "#9a7fd0"),
    "expert": ("#cde6f7", "#5f9fd3"),
    "lit": ("#ffe39a", "#c98a00"),  # an expert the current token was routed to
    "cls": ("#d6eeea", "#4fa597"),
}


def kind(box: str) -> str:
    """Colour family of a box id."""
    if ".moe." in box:
        return "router" if box.endswith("router") else "expert" if ".expert." in box else "ffn"
    if box in ("cls", "cls.head", "mlm"):
        return "cls" if box == "cls" else "linear"
    last = box.rsplit(".", 1)[-1]
    if last.endswith("attn"):
        return "attn"
    if last.startswith("an"):
        return "an"
    if last in ("ffn", "embed", "pos", "norm", "linear", "softmax", "output"):
        return last
    return "output"


def box_label(
    box: str,
    lang: str,
    translation: bool = True,
    table: dict[str, T] = BOX,
    arch: str = "encoder-decoder",
    picture: bool = False,
) -> str:
    """A box's label in the model's own terms (``translation``: the answer box names the
    chosen token, not the loss; ``picture``: a ViT reads patches)."""
    last = box.rsplit(".", 1)[-1]
    if ".moe." in box:
        if ".expert." in box:
            return tr(table["expert"], lang).format(e=last)
        return tr(table["router" if last == "router" else "combine"], lang)
    special = {
        "tgt.embed": "gpt.embed" if arch == "decoder-only" else "",
        "src.embed": "patch.embed" if picture else "",
        "linear": "lm.head" if arch == "decoder-only" else "",
        "cls": "cls.pic" if picture else "cls",
        "cls.head": "cls.head",
    }
    if special.get(box):
        return tr(table[special[box]], lang)
    if box == "output" and arch == "encoder-only" and translation:
        return tr(table["label"], lang)
    if last == "self_attn":
        key = f"{box[:3]}.self_attn"
    elif last.startswith("an") and last != "an":
        key = "an"
    elif box in BOX:
        key = box
    elif last == "output" or box == "output":
        key = "output"
    else:
        key = last
    if key == "output" and not translation:
        key = "loss"
    return tr(table.get(key, {"en": box}), lang)


def short_label(box: str, lang: str) -> str:
    last = box.rsplit(".", 1)[-1]
    key = "cross_attn" if last == "cross_attn" else kind(box)
    return tr(SHORT.get(key, {"en": ""}), lang)


def layer_label(layer: str, n: int, lang: str, short: bool = False) -> str:
    side, k = layer.split(".")
    # Numbered from 0 like the trace names (enc.0, dec.1) the other views show.
    key = f"{side}_layer" + ("_short" if short else "")
    return tr(STRINGS[key], lang).format(k=int(k), n=n)


def op_label(op: str, lang: str, box_kind: str = "", activation: str = "relu") -> str:
    """A pill's short label: "Q·Kᵀ", "softmax", "Linear₂" (parameters: their name)."""
    if op == "act":
        return "ReLU" if activation == "relu" else activation.upper()
    if op == "out" and box_kind in ("ffn", "expert"):
        op = "ffn.out"
    stem, _, attr = op.rpartition(".")
    if attr in ("weight", "bias"):  # a parameter (gradient or update steps)
        if stem.startswith("norm") or box_kind in ("an", "norm"):
            return "γ" if attr == "weight" else "β"
        sub = PARAM_SUB.get(stem or box_kind, "")
        return ("W" if attr == "weight" else "b") + sub
    base = op.rstrip("0123456789")
    entry = OPS.get(op) or OPS.get(base)
    return tr(entry, lang) if entry else op.replace("_", " ")


def ui(key: str, lang: str, **kw: object) -> str:
    return tr(STRINGS[key], lang).format(**kw)
