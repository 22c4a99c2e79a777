"""The Explanation's heading: the step's title for a person where it says more than the
op's name (which then heads the explanation), at most two lines, cut with its whole
text as tooltip; the op's name where no rule titles the step."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from core.narration import narrate_step
from core.session import Session
from core.step_titles import step_title
from core.trace import Trace
from visualizer.gallery.fit_rules import CODE_PROPERTY
from visualizer.panels.narration.narration_view import NarrationView, heading


@pytest.fixture(scope="module")
def train_trace(session: Session) -> Trace:
    from core.config import TrainConfig
    from core.tracing import trace_training_step
    from core.train import Trainer

    trainer = Trainer(copy.deepcopy(session.bundle), None, TrainConfig(warmup=0))
    return trace_training_step(trainer, "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil")


@pytest.fixture
def view(narration_view: NarrationView) -> NarrationView:
    return narration_view


@pytest.mark.parametrize(
    ("name", "en", "zh"),
    [
        ("src.embed", "Source embeddings", "源句嵌入"),
        ("t1/dec.0.self_attn.masked", "Decoder layer 0 · masked self-attention · masked scores",
         "解码器第 0 层 · 掩码自注意力 · 掩码后的分数"),
    ],
)  # fmt: skip
def test_heading_title_code_name_and_op(
    view: NarrationView, session: Session, name: str, en: str, zh: str
) -> None:
    session.seek_key(name)
    step = session.step
    for lang, want in (("en", en), ("zh", zh)):
        session.lang = lang
        op = narrate_step(session.trace, step, lang).title
        assert view.title.full_text() == want
        assert want.casefold() == step_title(step.name, lang).casefold()
        assert view.code.toolTip() == step.name and view.code.property(CODE_PROPERTY)
        assert view.browser.toPlainText().startswith(op)  # the op's name heads the text
        assert view.title.font().pointSizeF() > view.code.font().pointSizeF()


def test_a_parameters_gradient(view: NarrationView, session: Session, train_trace: Trace) -> None:
    old = session.trace
    try:
        session.trace = train_trace
        session.seek(train_trace.first("dec.0.ffn.lin1.weight", phase="backward").index)
        assert view.title.full_text() == (
            "Decoder layer 0 · feed-forward · first linear layer · weights · gradient"
        )
        session.lang = "zh"
        assert view.title.full_text() == "解码器第 0 层 · 前馈网络 · 第一个线性层 · 权重 · 梯度"
    finally:
        session.cursor = 0
        session.trace = old


def test_the_ops_name_heads_a_step_no_rule_titles(session: Session) -> None:
    step = session.trace.first("enc.0.self_attn.weights")
    assert heading(step, "en", "Softmax") == "Encoder layer 0 · self-attention · attention weights"
    assert heading(replace(step, name="enc.0.adapter.gate"), "en", "Softmax") is None
    assert heading(step, "en", "encoder LAYER 0 · self-attention · attention weights") is None


def test_a_long_heading_takes_two_lines_then_is_cut(
    qtbot: QtBot, view: NarrationView, session: Session
) -> None:
    session.seek_key("t3/dec.1.self_attn.concat")
    qtbot.wait(10)  # the layout gives the new text its height
    title = view.title
    whole = "Decoder layer 1 · masked self-attention · heads concatenated"
    line = title.fontMetrics().lineSpacing()
    assert title.text() == whole and title.toolTip() == ""  # 450 px: two lines, whole
    assert line < title.height() <= 2 * line + 4
    view.resize(260, 600)  # the narrowest the panel goes
    qtbot.wait(10)
    assert title.text() == "Decoder layer 1 · … · heads concatenated"  # the middle left out
    assert title.toolTip() == whole
    assert line < title.height() <= 2 * line + 4  # never a third line
