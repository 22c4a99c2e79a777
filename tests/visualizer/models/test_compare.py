"""The compare mode's numbers: "Pfeil" reading "arrow" through the translator's
cross-attention and through the GPT model's self-attention over its prompt. Checked
against an independent computation: the same rows from a teacher-forced forward pass
(one training step's trace of the sentence pair, on a copy of each model), where every
position is computed at once instead of token by token."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from core import checkpoint
from core.bundle import Bundle
from core.session import Session
from core.trace import Trace
from core.tracing import trace_step_on_copy, trace_translation
from visualizer.bridge import SessionBridge
from visualizer.models.compare_data import (
    compare,
    english_words,
    head_labels,
    run_both,
    shared_words,
    side,
)
from visualizer.models.compare_view import CompareDialog

SHIPPED = Path(__file__).resolve().parents[3] / "assets" / "models"
SRC, TGT = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"


@pytest.fixture(scope="module")
def models() -> tuple[Bundle, Bundle]:
    return checkpoint.load(SHIPPED / "demo-de"), checkpoint.load(SHIPPED / "gpt-de")


@pytest.fixture(scope="module")
def traces(models: tuple[Bundle, Bundle]) -> tuple[Trace, Trace]:
    return run_both(*models, SRC)


def test_pfeil_rows_equal_the_teacher_forced_pass(
    models: tuple[Bundle, Bundle], traces: tuple[Trace, Trace]
) -> None:
    c = compare(*traces, "Pfeil")
    assert c.source_words == ("time", "flies", "like", "an", "arrow")
    t = TGT.split().index("Pfeil")
    assert c.encdec.t == c.deconly.t == t
    encdec_step = trace_step_on_copy(models[0], SRC, TGT)
    gpt_step = trace_step_on_copy(models[1], SRC, TGT)
    prompt_len = gpt_step.meta["prompt_len"]  # "time flies like an arrow ="
    assert prompt_len == 6
    for layer in range(2):
        cross = encdec_step.value(f"dec.{layer}.cross_attn.weights")[0]  # (H, T, S)
        want = cross[:, t, :5]  # the row whose output is "Pfeil", over the English words
        np.testing.assert_allclose(c.encdec.weights[layer], want, atol=1e-5)
        np.testing.assert_allclose(c.encdec.elsewhere[layer], cross[:, t, 5], atol=1e-5)
        own = gpt_step.value(f"dec.{layer}.self_attn.weights")[0]  # (H, T, T)
        row = own[:, prompt_len + t - 1, :]  # the query that predicts "Pfeil"
        np.testing.assert_allclose(c.deconly.weights[layer], row[:, :5], atol=1e-5)
        np.testing.assert_allclose(c.deconly.elsewhere[layer], row[:, 5:].sum(-1), atol=1e-5)
    # every row is a whole softmax: the words and the rest add up to 1
    for s in (c.encdec, c.deconly):
        np.testing.assert_allclose(s.weights.sum(-1) + s.elsewhere, 1.0, atol=1e-5)


def test_both_models_find_arrow(traces: tuple[Trace, Trace]) -> None:
    """The lecture's point: both shapes look at "arrow" when they write "Pfeil", one
    through cross-attention, one through self-attention over the prompt."""
    c = compare(*traces, "Pfeil")
    arrow = c.source_words.index("arrow")
    assert c.focus() == arrow
    for s in (c.encdec, c.deconly):
        value, layer, head = s.peak(arrow)
        assert value == pytest.approx(s.weights[layer, head, arrow])
        assert value == s.weights[:, :, arrow].max() and value > 0.9
    assert c.encdec.keys == ("t5/dec.0.cross_attn.weights", "t5/dec.1.cross_attn.weights")
    assert c.deconly.keys == ("t5/dec.0.self_attn.weights", "t5/dec.1.self_attn.weights")


def test_other_words_and_refusals(
    models: tuple[Bundle, Bundle], traces: tuple[Trace, Trace]
) -> None:
    encdec, gpt = traces
    assert shared_words(encdec, gpt) == ["die", *TGT.split()[1:]]  # tokens: truecased
    zeit = side(encdec, "Zeit")
    assert zeit.t == 1 and zeit.weights.shape == (2, 4, 5)
    with pytest.raises(ValueError, match="not in the encoder-decoder model's answer"):
        side(encdec, "Banane")
    with pytest.raises(ValueError, match="encoder-decoder translation with a decoder-only"):
        compare(gpt, encdec)
    other, _ = trace_translation(models[1], "Fruit flies like a banana")
    with pytest.raises(ValueError, match="read different words"):
        compare(encdec, other)
    assert english_words(gpt) == english_words(encdec)


def test_head_labels_follow_the_trace_names() -> None:
    assert head_labels(2, 2) == ["dec.0 H0", "dec.0 H1", "dec.1 H0", "dec.1 H1"]


# -- the dialog ---------------------------------------------------------------------------
@pytest.fixture
def dialog(qtbot: QtBot, fresh_session: Session) -> CompareDialog:
    d = CompareDialog(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(d)
    d.run(SRC)  # the session's runner: at once in tests
    return d


def test_the_dialog_draws_the_two_rows_it_computed(
    dialog: CompareDialog, traces: tuple[Trace, Trace]
) -> None:
    c = compare(*traces, "Pfeil")
    assert dialog.word.currentText() == "Pfeil"
    assert [dialog.word.itemText(i) for i in range(dialog.word.count())] == [
        "die",
        *TGT.split()[1:],
    ]
    for heat, s in zip(dialog.heat, (c.encdec, c.deconly), strict=True):
        assert heat.rows == head_labels(2, 4)
        assert heat.cols == ["time", "flies", "like", "an", "arrow", "elsewhere"]
        want = np.concatenate([s.weights.reshape(8, 5), s.elsewhere.reshape(8, 1)], axis=1)
        np.testing.assert_allclose(heat.values, want, atol=1e-6)
    value, layer, head = c.deconly.peak(4)
    assert f"{value:.2f} (dec.{layer} H{head}, decoding step t5)" in dialog.peaks[1].text()
    assert "“arrow”" in dialog.peaks[0].text()


def test_another_word_and_a_bad_sentence(dialog: CompareDialog) -> None:
    dialog.word.setCurrentText("Zeit")
    assert dialog.comparison is not None and dialog.comparison.word == "Zeit"
    assert dialog.comparison.encdec.t == 1
    assert "“Zeit”" in dialog.heat[0]._title
    good = dialog.comparison
    dialog.run("🙂🙂")
    assert dialog.error and dialog.status.text() == dialog.error
    assert dialog.comparison is good  # the last comparison stays on screen
    assert dialog.run_button.isEnabled()


def test_the_dialog_speaks_chinese(dialog: CompareDialog) -> None:
    dialog.session.lang = "zh"
    assert dialog.windowTitle() == "对比：编码器-解码器与仅解码器"
    assert "交叉注意力" in dialog.heat[0]._title and "自注意力" in dialog.heat[1]._title
    assert dialog.heat[0].cols[-1] == "其余"
    assert "最强" in dialog.peaks[0].text()
    dialog.session.lang = "en"
