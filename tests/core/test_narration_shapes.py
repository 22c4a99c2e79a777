"""Every narration a shape's trace shows is true for that shape: walking every step of
every shipped model (translate and train mode, EN and ZH), no general text (``narrate_step``)
and no step sentence (``explain``) uses the words of a translator where they do not apply:
an encoder-only model has no decoder, no <bos>, no translation and no next token; a
decoder-only model has no encoder, no cross-attention and no <bos>; no model but a
translator quotes German words it is not translating into."""

from __future__ import annotations

import re

import pytest

from core.narration import narrate, narrate_step, shapes
from core.narration_steps import explain
from core.session import MODELS, Session

ENCODER_ONLY = [
    r"decoder",
    r"<bos>",
    r"translation",
    r"next (true )?token",
    r"teacher forcing",
    r"Die Zeit",
    r"解码器",
    r"译文",
    r"下一个(真实)?词元",
    r"教师强制",
]
DECODER_ONLY = [
    r"encoder",
    r"cross-attention",
    r"<bos>",
    r"source ends",
    r"in the decoder",
    r"编码器",
    r"交叉注意力",
    r"源句以",
    r"解码器中",
]
TRANSLATOR_ONLY = [r"Die Zeit"]  # demo-fr translates into French
FORBIDDEN = {
    "demo-de": [],
    "demo-fr": TRANSLATOR_ONLY,
    "gpt-de": DECODER_ONLY,
    "moe-de": DECODER_ONLY,
    "bert-who": ENCODER_ONLY,
    "vit-pets": ENCODER_ONLY,
}


def _texts(s: Session) -> list[tuple[str, str, str]]:
    """(where, language, text) of every narration the window shows for ``s``'s trace."""
    out = []
    vocab = (
        [s.bundle.tgt_tok.token(i) for i in range(s.bundle.tgt_tok.size)] if s.translation else []
    )
    for step in s.trace.steps:
        for lang in ("en", "zh"):
            n = narrate_step(s.trace, step, lang)
            where = f"{step.name} ({step.narration})"
            out += [(where, lang, n.title), (where, lang, n.text), (where, lang, n.formula)]
            out.append((f"{where} sentence", lang, explain(s.trace, step, lang, vocab).text))
    return out


@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_no_translator_only_words_where_they_do_not_apply(name: str) -> None:
    s = Session.open_builtin("en-de")
    if name != "demo-de":
        s.open_model(MODELS / name)
    assert s.error == "", s.error
    bad = []
    for mode in ("translate", "train"):
        s.mode = mode
        for where, lang, text in _texts(s):
            bad += [
                f"{mode} {lang} {where}: {p!r} in {text!r}"
                for p in FORBIDDEN[name]
                if re.search(p, text, re.IGNORECASE)
            ]
    assert not bad, "\n".join(bad[:10])


def test_the_shapes_and_their_variants() -> None:
    """A model reads the variant of its own shape; a translator the general text."""
    s = Session.open_builtin("en-de")
    assert shapes(s.trace) == ()
    tokens = s.trace.first("src.tokens")
    assert narrate_step(s.trace, tokens, "en") == narrate("forward.tokens", "en")
    for name, shape, first in (
        ("gpt-de", ("decoder-only",), "time"),
        ("bert-who", ("encoder-only",), "[CLS]"),
    ):
        s.open_model(MODELS / name)
        assert shapes(s.trace) == shape
        step = next(x for x in s.trace.steps if x.kind == "tokens")
        assert s.trace.meta["src_tokens"][0] == first  # what the variant text says it starts with
        for lang in ("en", "zh"):
            assert narrate_step(s.trace, step, lang) == narrate(f"forward.tokens@{shape[0]}", lang)
    s.open_model(MODELS / "vit-pets")
    assert shapes(s.trace) == ("picture", "encoder-only")


def test_decoder_only_mean_is_over_the_graded_positions() -> None:
    """What the decoder-only variant of ``loss.mean`` says is what the trace computed."""
    s = Session.open_builtin("en-de")
    s.open_model(MODELS / "gpt-de")
    s.mode = "train"
    per = s.trace.value("loss.per_token")[0]
    mask = s.trace.value("loss.mask")[0].astype(bool)
    assert float(s.trace.value("loss")) == pytest.approx(float(per[mask].mean()), rel=1e-5)
    assert float(s.trace.value("loss")) != pytest.approx(float(per.mean()), rel=1e-3)
    assert "graded" in narrate_step(s.trace, s.trace.first("loss", "loss"), "en").text
