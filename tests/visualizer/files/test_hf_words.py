"""The window's words for an opened Hugging Face model: the pair box names the model
and its family (not "HF:GPT2"), the input's placeholder comes from the model's task,
and the continuation's "stopped after N new tokens" warning is in the window's
language."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.session import Session
from tests.core.hf.gpt2_kit import write_bert, write_gpt2
from visualizer.bridge import SessionBridge
from visualizer.panels.input.input_bar import STRINGS, InputBar
from visualizer.panels.input.train_row import STRINGS as TRAIN_WORDS


@pytest.fixture(scope="module")
def gpt2(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """A tiny GPT-2 in a hub-cache snapshot folder (its name comes from the cache)."""
    root = tmp_path_factory.mktemp("hub")
    folder = root / "models--openai-community--gpt2" / "snapshots" / "0123abc"
    write_gpt2(folder)
    session = Session.open_builtin("en-de")
    session.open_model(folder, "time flies")
    assert not session.error, session.error
    return session


def test_the_pair_box_names_the_model_and_family(qapp: object, gpt2: Session) -> None:
    bar = InputBar(gpt2, SessionBridge(gpt2))
    assert bar.pair.currentText() == "openai-community/gpt2 · GPT-2"
    assert not bar.pair.isEnabled()  # one model, no pair to choose
    assert "0123abc" in bar.pair.toolTip() and "GPT-2" in bar.pair.toolTip()
    gpt2.lang = "zh"
    assert "Hugging Face 模型" in bar.pair.toolTip()
    gpt2.lang = "en"


def test_the_placeholder_asks_for_a_prompt_and_the_warning_is_translated(
    qapp: object, gpt2: Session
) -> None:
    gpt2.set_decode(max_len=3)
    assert gpt2.translation is not None and not gpt2.translation.generation.finished
    bar = InputBar(gpt2, SessionBridge(gpt2))
    assert bar.edit.placeholderText() == STRINGS["prompt"]["en"]
    assert "stopped after 3 new tokens" in bar.notice.text()
    gpt2.lang = "zh"
    assert bar.edit.placeholderText() == STRINGS["prompt"]["zh"]
    assert "写出 3 个新词元后停止" in bar.notice.text()
    gpt2.lang = "en"


def test_a_bert_classifier_asks_for_a_sentence(qapp: object, tmp_path: Path) -> None:
    write_bert(tmp_path / "tiny-bert")
    session = Session.open_builtin("en-de")
    session.open_model(tmp_path / "tiny-bert", "the cat sat on the mat")
    assert not session.error, session.error
    bar = InputBar(session, SessionBridge(session))
    assert bar.edit.placeholderText() == STRINGS["sentence_hf"]["en"]
    assert bar.pair.isHidden()  # a classifier translates no pair


def test_a_pre_trained_bert_asks_for_a_sentence_with_mask(qapp: object, tmp_path: Path) -> None:
    from tests.core.hf.mlm_kit import write_mlm

    write_mlm(tmp_path / "tiny-mlm")
    session = Session.open_builtin("en-de")
    session.open_model(tmp_path / "tiny-mlm", "the cat [MASK] on the mat")
    assert not session.error, session.error
    assert session.bundle.cfg.mlm
    bar = InputBar(session, SessionBridge(session))
    assert bar.edit.placeholderText() == STRINGS["masked"]["en"]
    session.lang = "zh"
    assert "[MASK]" in bar.edit.placeholderText() and "句子" in bar.edit.placeholderText()
    # the mode box names what the model does; no decoder strip in a training step
    assert bar.train_row.mode.itemText(0) == TRAIN_WORDS["fill"]["zh"]
    session.lang = "en"
    assert bar.train_row.mode.itemText(0) == TRAIN_WORDS["fill"]["en"]
    session.mode = "train"
    assert not session.error, session.error
    assert bar.train_row.loss.isVisibleTo(bar) and not bar.train_row.strips.isVisibleTo(bar)


def test_the_mode_box_says_a_language_model_continues(qapp: object, gpt2: Session) -> None:
    bar = InputBar(gpt2, SessionBridge(gpt2))
    assert bar.train_row.mode.itemText(0) == TRAIN_WORDS["continue"]["en"]
    built_in = Session.open_builtin("en-de")
    other = InputBar(built_in, SessionBridge(built_in))
    assert other.train_row.mode.itemText(0) == TRAIN_WORDS["translate"]["en"]
