"""Hugging Face checkpoints (``core.hf``) look right in the window: the input bar shows
the tokens a BERT reads (its own ``[CLS] … [SEP]``, once), a GPT-2 is described as a model
that continues a text (no "=", no translation) while the built-in GPT keeps its prompt
wording, and BERT's own steps (segment, embedding norm, pooler) have texts in English and
Chinese. The folders are tiny random checkpoints written by ``transformers``
(``tests.core.hf.gpt2_kit``); the expected tokens come from the ``tokenizers`` library."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.narration import narrate, narrate_step
from core.session import MODELS, Session
from tests.core.hf.gpt2_kit import bert_tokenizer, write_bert, write_gpt2
from visualizer.bridge import SessionBridge
from visualizer.panels.attention.attention_view import AttentionView
from visualizer.panels.decoding.decoding_view import DecodingView
from visualizer.panels.diagram.diagram_view import DiagramView
from visualizer.panels.input.input_bar import InputBar

TEXT = "the cat sat on the mat"
Sessions = dict[str, tuple[Session, SessionBridge]]
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, write in (("gpt2", write_gpt2), ("bert", write_bert)):
        folder = tmp_path_factory.mktemp(name)
        write(folder)
        out[name] = folder
    return out


@pytest.fixture(scope="module")
def sessions(qapp: object, folders: dict[str, Path]) -> dict[str, tuple[Session, SessionBridge]]:
    """A session per model, each opened from the translator (as the window does)."""
    out = {}
    for name, where in (
        ("gpt2", folders["gpt2"]),
        ("bert", folders["bert"]),
        ("gpt-de", MODELS / "gpt-de"),
        ("bert-who", MODELS / "bert-who"),
    ):
        s = Session.open_builtin("en-de")
        s.set_decode(beam=1, temperature=0.0, top_k=0, top_p=1.0, seed=0, max_len=6)
        s.open_model(where, TEXT)
        s.animate = False
        out[name] = (s, SessionBridge(s))
    return out


@pytest.fixture(autouse=True)
def _english(sessions: dict[str, tuple[Session, SessionBridge]]) -> Iterator[None]:
    yield
    for s, _ in sessions.values():
        s.lang = "en"


def chip_tokens(bar: InputBar) -> list[str]:
    """The token names on the chips (each chip: ``&nbsp;token<sub>id</sub>``)."""
    html = bar.chips.text().replace("&nbsp;", " ")
    found = re.findall(r"<span[^>]*>\s*(.*?)<sub", html)
    return [
        t.strip().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for t in found
    ]


def test_input_bar_shows_the_tokens_a_bert_reads(qtbot: QtBot, sessions: Sessions) -> None:
    s, bridge = sessions["bert"]
    bar = InputBar(s, bridge)
    qtbot.addWidget(bar)
    truth = bert_tokenizer().encode(TEXT).tokens  # the tokenizers library's own encoding
    assert truth[0] == "[CLS]" and truth[-1] == "[SEP]"
    assert s.trace.meta["src_tokens"] == truth
    assert chip_tokens(bar) == truth  # [CLS] once, [SEP] last: what the model reads
    bar.edit.setText("the cat")  # a preview, before the model runs, is the same encoding
    assert chip_tokens(bar) == bert_tokenizer().encode("the cat").tokens


def test_input_bar_keeps_the_builtin_classifiers_cls(qtbot: QtBot, sessions: Sessions) -> None:
    s, bridge = sessions["bert-who"]
    bar = InputBar(s, bridge)
    qtbot.addWidget(bar)
    ids = s.trace.value("src.tokens").reshape(-1)
    assert chip_tokens(bar) == [s.bundle.src_tok.token(int(i)) for i in ids]
    assert chip_tokens(bar)[0] == "[CLS]" and chip_tokens(bar).count("[CLS]") == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gpt2_is_told_as_a_model_that_continues_text(
    qtbot: QtBot, sessions: Sessions, lang: str
) -> None:
    s, bridge = sessions["gpt2"]
    s.lang = lang
    assert s.trace.meta["task"] == "continue"
    s.seek(s.trace.first("t1/dec.0.self_attn.weights").index)
    first = s.trace.steps[0]
    told = narrate_step(s.trace, first, lang)
    assert "=" not in told.text and told.text == narrate("forward.tokens@lm", lang).text
    assert ("continues" in told.text) if lang == "en" else ("续写" in told.text)

    diagram = DiagramView(s, bridge)
    attention = AttentionView(s, bridge)
    decoding = DecodingView(s, bridge)
    for v in (diagram, attention, decoding):
        qtbot.addWidget(v)
        v.resize(500, 700)
    caption = diagram.scene().captions["tgt"]
    assert caption == {"en": "Text + continuation so far", "zh": "原文 + 已续写的内容"}[lang]
    assert "“=”" not in attention.title.text() and "=" not in attention.title.text()
    assert ("continuation" if lang == "en" else "续写") in attention.title.text()
    assert decoding.gen_title.text() == {"en": "Continuation so far", "zh": "已续写的内容"}[lang]
    bar = InputBar(s, bridge)
    qtbot.addWidget(bar)
    assert bar.run_button.text() == {"en": "Continue", "zh": "续写"}[lang]
    assert "译文" not in decoding.gen_title.text()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_builtin_gpt_keeps_its_prompt_wording(
    qtbot: QtBot, sessions: Sessions, lang: str
) -> None:
    s, bridge = sessions["gpt-de"]
    s.lang = lang
    assert "task" not in s.trace.meta and s.trace.meta["src_tokens"][-1] == "="
    told = narrate_step(s.trace, s.trace.steps[0], lang)
    assert told == narrate("forward.tokens@decoder-only", lang) and "=" in told.text
    s.seek(s.trace.first("t1/dec.0.self_attn.weights").index)
    diagram, attention = DiagramView(s, bridge), AttentionView(s, bridge)
    for v in (diagram, attention):
        qtbot.addWidget(v)
    assert (
        diagram.scene().captions["tgt"]
        == {"en": "Prompt + answer so far", "zh": "提示 + 已生成的回答"}[lang]
    )
    assert "“=”" in attention.title.text()
    bar = InputBar(s, bridge)
    qtbot.addWidget(bar)
    assert bar.run_button.text() == {"en": "Translate", "zh": "翻译"}[lang]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bert_steps_have_their_own_words(qtbot: QtBot, sessions: Sessions, lang: str) -> None:
    s, bridge = sessions["bert"]
    s.lang = lang
    diagram = DiagramView(s, bridge)
    qtbot.addWidget(diagram)
    diagram.resize(520, 820)
    general = {"src.segment": "forward.add", "src.embed_norm": "forward.layernorm"}
    general["cls.pooled"] = "forward.linear"
    for name, key in general.items():
        step = s.trace.first(name)
        told = narrate_step(s.trace, step, lang)
        assert told == narrate(f"{key}@{name}", lang) and told != narrate(key, lang)
        assert bool(HAN.search(told.text)) == (lang == "zh")
    s.seek(s.trace.first("src.embed_norm").index)
    pills = diagram.scene().pills
    want = {"en": ["segment", "embed norm"], "zh": ["句段", "嵌入归一化"]}[lang]
    assert all(p in pills for p in want), pills
    if lang == "zh":
        assert not any(re.fullmatch(r"[a-z ]+", p) for p in pills if p not in ("softmax",))
    assert diagram.scene().captions["src"].endswith("[SEP]")  # the BERT's own end token
