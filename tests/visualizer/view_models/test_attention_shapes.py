"""The attention view's words follow the shape of the model, without Qt: a decoder-only
model's self-attention runs over the English prompt, "=" and the German answer so far
(not "German → German"); a classifier's over [CLS] and an English sentence or a
picture's patches. Checked on the shipped models' real traces, in English and Chinese."""

from __future__ import annotations

import pytest

from core.session import MODELS, Session
from visualizer.panels.attention.attention_index import AttentionIndex
from visualizer.panels.attention.attention_text import Texts, describe


@pytest.fixture(scope="module")
def family() -> dict[str, Session]:
    out = {}
    for name in ("gpt-de", "moe-de", "bert-who", "vit-pets"):
        s = Session.open_builtin("en-de")
        s.open_model(MODELS / name)
        assert s.error == ""
        out[name] = s
    return out


def _texts(s: Session, step: str, lang: str) -> Texts:
    index = AttentionIndex(s.trace)
    res = index.resolve(s.trace.first(step))
    assert res is not None
    cfg = s.bundle.cfg
    return describe(res, res.weights.index, s.bundle.pair, lang, cfg.arch, cfg.inputs)


@pytest.mark.parametrize("model", ["gpt-de", "moe-de"])
def test_a_decoder_only_model_attends_over_prompt_and_answer(
    family: dict[str, Session], model: str
) -> None:
    s = family[model]
    en = _texts(s, "t3/dec.1.self_attn.weights", "en")
    assert en.title == (
        "Decoder masked self-attention · decoder layer 1 · decoding step 3 "
        "(English prompt + “=” + German answer so far)"
    )
    assert (en.left, en.right) == ("Queries · prompt + answer", "Keys · prompt + answer")
    zh = _texts(s, "t3/dec.1.self_attn.weights", "zh")
    assert zh.title.endswith("（英语提示 + “=” + 已生成的德语回答）")
    assert (zh.left, zh.right) == ("查询 · 提示 + 回答", "键 · 提示 + 回答")
    for texts in (en, zh):  # what the old titles said
        assert "German → German" not in texts.title and "德语 → 德语" not in texts.title
    # and what the trace holds: the rows are the prompt ending in "=", then the answer
    meta = s.trace.meta
    assert meta["src_tokens"][-1] == "=" and meta["tgt_tokens"][0] == "die"


def test_classifiers_attend_over_cls_and_their_input(family: dict[str, Session]) -> None:
    bert = _texts(family["bert-who"], "enc.0.self_attn.weights", "en")
    assert bert.title == "Encoder self-attention · encoder layer 0 ([CLS] + the English sentence)"
    assert bert.left == "Queries · [CLS] + sentence"
    assert family["bert-who"].trace.meta["src_tokens"][0] == "[CLS]"
    vit = _texts(family["vit-pets"], "enc.1.self_attn.weights", "en")
    assert vit.title.endswith("([CLS] + the picture's patches)") and "English" not in vit.title
    assert vit.right == "Keys · [CLS] + patches"
    zh = _texts(family["vit-pets"], "enc.1.self_attn.weights", "zh")
    assert zh.title == "编码器自注意力 · 编码器第 1 层（[CLS] + 图片的图块）"
    assert _texts(family["bert-who"], "enc.1.self_attn.weights", "zh").left == (
        "查询 · [CLS] + 句子"
    )


def test_the_translator_keeps_its_languages(translate: Session) -> None:
    texts = _texts(translate, "t2/dec.0.self_attn.weights", "en")
    assert texts.title.endswith("(German → German)")  # the translator's own target prefix
    assert texts.left == "Queries · German prefix"
    cross = _texts(translate, "t2/dec.0.cross_attn.weights", "zh")
    assert "德语 → 英语" in cross.title
