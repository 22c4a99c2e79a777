"""The decoding view of a pre-trained BERT fills every [MASK]: per mask, the top words of
the trace's own ``probs`` row (checked against the tensor and against ``transformers``),
the best one in the sentence; a training step marks the hidden word and its loss; in
English and Chinese. A translator's decoding view is unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from pytestqt.qtbot import QtBot

from core.session import Session
from tests.core.hf.gpt2_kit import bert_tokenizer
from tests.core.hf.mlm_kit import write_mlm
from visualizer.bridge import SessionBridge
from visualizer.panels.decoding.decoding_view import DecodingView
from visualizer.panels.decoding.fill_mask_text import STRINGS
from visualizer.panels.shapes import applies, front
from visualizer.widgets.numbers import significant

TEXT = "[MASK] flies like a [MASK] ."
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    where = tmp_path_factory.mktemp("mlm")
    return where, write_mlm(where)


@pytest.fixture(scope="module")
def opened(qapp: object, folder: tuple[Path, object]) -> tuple[Session, SessionBridge]:
    s = Session.open_builtin("en-de")
    s.open_model(folder[0], TEXT)
    s.animate = False
    return s, SessionBridge(s)


@pytest.fixture
def view(qtbot: QtBot, opened: tuple[Session, SessionBridge]) -> Iterator[DecodingView]:
    s, bridge = opened
    v = DecodingView(s, bridge)
    qtbot.addWidget(v)
    v.resize(700, 800)
    yield v
    s.lang = "en"
    s.update(mode="translate", target="")


def bar_rows(v: DecodingView, n: int) -> list[tuple[str, float, bool]]:
    return [(b.label, b.prob, b.chosen) for b in v.fill.mask_bars[n].bars]


def test_the_model_is_shown_in_the_decoding_view(opened: tuple[Session, SessionBridge]) -> None:
    cfg = opened[0].bundle.cfg
    assert applies("decoding", cfg) and not applies("classify", cfg)
    assert front(cfg) == "decoding"  # what is new about it: the [MASK]s filled


def test_each_mask_shows_the_traced_top_words(
    view: DecodingView, opened: tuple[Session, SessionBridge], folder: tuple[Path, object]
) -> None:
    s, _ = opened
    s.seek(s.trace.first("probs").index)
    assert not view.fill.isHidden() and view.stack.isHidden()
    probs = s.trace.value("probs")[0]  # (S, V)
    masks = s.trace.meta["masks"]
    assert len(masks) == 2
    ids = torch.tensor([bert_tokenizer().encode(TEXT).ids])
    with torch.no_grad():
        ref = torch.softmax(folder[1](ids).logits[0], -1).numpy()  # transformers' own
    for n, pos in enumerate(masks):
        order = np.argsort(-probs[pos], kind="stable")[:5]
        rows = bar_rows(view, n)
        assert [r[0] for r in rows] == [bert_tokenizer().id_to_token(int(i)) for i in order]
        assert [r[1] for r in rows] == pytest.approx([float(probs[pos, i]) for i in order], abs=0)
        assert [r[1] for r in rows] == pytest.approx([float(ref[pos, i]) for i in order], abs=1e-5)
        assert [r[2] for r in rows] == [True, False, False, False, False]
        chip = view.fill.strip.chips[pos]
        assert chip.text == rows[0][0] and chip.kind == "current"
    assert view.fill.mask_bars[2].isHidden()  # two masks, two rows of bars
    words = [bar_rows(view, n)[0][0] for n in range(2)]
    assert s.fill_mask is not None and s.fill_mask.words == words


def test_before_probs_the_masks_wait(
    view: DecodingView, opened: tuple[Session, SessionBridge]
) -> None:
    s, _ = opened
    s.seek(s.trace.first("mlm.norm").index)
    chips = view.fill.strip.chips
    assert [chips[p].text for p in s.trace.meta["masks"]] == ["?", "?"]
    assert view.fill.mask_bars[0].pending
    assert "probs" in view.fill.filled.text()
    view.fill.strip.sigChipClicked.emit(1)  # a click jumps to the guesses
    assert s.step.name == "probs"


def test_a_training_step_marks_the_hidden_words(
    view: DecodingView, opened: tuple[Session, SessionBridge]
) -> None:
    s, _ = opened
    s.update(target="fruit banana", mode="train")
    assert not s.error, s.error
    s.seek(s.trace.first("loss").index)
    probs = s.trace.value("probs")[0]
    per_token = s.trace.value("loss.per_token")[0]
    for n, (pos, word) in enumerate(zip(s.trace.meta["masks"], ("fruit", "banana"), strict=True)):
        i = bert_tokenizer().token_to_id(word)
        marked = [r for r in bar_rows(view, n) if r[2]]
        assert marked == [(f"{word} (target)", pytest.approx(float(probs[pos, i])), True)]
        note = view.fill.mask_notes[n].text()
        assert f"−log p = {significant(float(per_token[pos]))}" in note and word in note
        assert float(per_token[pos]) == pytest.approx(-np.log(probs[pos, i]), rel=1e-5)
    line = view.fill.train_line.text()
    assert "fruit" in line and "banana" in line and "after the update" in line


def test_chinese(view: DecodingView, opened: tuple[Session, SessionBridge]) -> None:
    s, _ = opened
    s.seek(s.trace.first("probs").index)
    s.lang = "zh"
    for w in (view.fill.title, view.fill.filled, view.fill.how, view.fill.mask_titles[0]):
        assert HAN.search(w.text()), w.text()
    assert all(set(v) == {"en", "zh"} and all(v.values()) for v in STRINGS.values())


def test_a_translator_keeps_its_decoding_page(qtbot: QtBot) -> None:
    s = Session.open_builtin("en-de")
    v = DecodingView(s, SessionBridge(s))
    qtbot.addWidget(v)
    assert v.fill.isHidden() and not v.stack.isHidden()


def test_the_diagram_draws_the_masked_word_head(
    qtbot: QtBot, opened: tuple[Session, SessionBridge]
) -> None:
    """No [CLS] vector or classification head: the masked-word head, then the word scores."""
    from visualizer.panels.diagram.diagram_index import box_of
    from visualizer.panels.diagram.diagram_view import DiagramView

    s, bridge = opened
    s.seek(s.trace.first("mlm.act").index)
    view = DiagramView(s, bridge)
    qtbot.addWidget(view)
    boxes = view.texts.boxes
    assert boxes[-4:] == ["mlm", "linear", "softmax", "output"]
    assert "cls" not in boxes and "cls.head" not in boxes
    assert view.current == "mlm"
    assert view.texts.labels["mlm"].startswith("Masked-word head")
    assert {box_of(n, True) for n in ("mlm.transform", "mlm.norm", "mlm.bias")} == {"mlm"}
    s.lang = "zh"
    try:
        assert HAN.search(view.texts.labels["mlm"])
    finally:
        s.lang = "en"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_input_bar_fills_in(
    qtbot: QtBot, opened: tuple[Session, SessionBridge], lang: str
) -> None:
    from visualizer.panels.input.input_bar import InputBar

    s, bridge = opened
    s.lang = lang
    try:
        bar = InputBar(s, bridge)
        qtbot.addWidget(bar)
        assert bar.run_button.text() == {"en": "Fill in", "zh": "填空"}[lang]
        examples = [bar.examples.itemText(i) for i in range(1, bar.examples.count())]
        assert examples and all("[MASK]" in e for e in examples)
        assert s.fill_mask is not None and s.fill_mask.text in bar.answer.text()
        assert not bar.answer.isHidden()
    finally:
        s.lang = "en"
