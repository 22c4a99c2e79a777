"""The tensor view's heading: the step's title for a person (``core.step_titles``) in
the window's language, the code name as a smaller line under it, one line that is cut
with its whole text as tooltip when narrow, and a parameter's axes named by what the
parameter is (out × in features of a linear layer, vocabulary × dim of a table)."""

from __future__ import annotations

import html
import re

import pytest
from PySide6.QtWidgets import QLayout
from pytestqt.qtbot import QtBot

from core.session import Session
from core.step_titles import step_title
from core.trace import Trace
from tests.visualizer.panels.tensor_kit import go
from visualizer.gallery.fit_rules import CODE_NAME, CODE_PROPERTY, plain, without_code_spans
from visualizer.panels.tensor.tensor_view import TensorView


@pytest.fixture
def view(tensor_view: TensorView) -> TensorView:
    return tensor_view


def meta(view: TensorView) -> str:
    return " ".join(plain(view.header.meta.text()).split())


def code_name(view: TensorView) -> str:
    """The code name in the header's second line, as the layout check reads it: a
    ``<code>`` span of a label marked with ``CODE_PROPERTY``, gone from the prose."""
    label = view.header.meta
    spans = re.findall(r"<code>(.*?)</code>", label.text())
    assert len(spans) == 1 and label.property(CODE_PROPERTY)
    name = html.unescape(spans[0])
    assert CODE_NAME.fullmatch(name) and name not in without_code_spans(label, meta(view))
    return name


# the step, its title in English and in Chinese: layers counted from 0, as the trace
# names and the diagram count them
TITLES = [
    ("src.embed", "Source embeddings", "源句嵌入"),
    ("enc.0.self_attn.q", "Encoder layer 0 · self-attention · queries Q",
     "编码器第 0 层 · 自注意力 · 查询 Q"),
    (
        "t2/dec.0.self_attn.masked",
        "Decoder layer 0 · masked self-attention · masked scores",
        "解码器第 0 层 · 掩码自注意力 · 掩码后的分数",
    ),
    ("t3/dec.1.cross_attn.weights", "Decoder layer 1 · cross-attention · attention weights",
     "解码器第 1 层 · 交叉注意力 · 注意力权重"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "en", "zh"), TITLES)
def test_the_heading_is_the_steps_title_over_its_code_name(
    view: TensorView, session: Session, name: str, en: str, zh: str
) -> None:
    go(session, name)
    step, header = session.step, view.header
    for lang, want in (("en", en), ("zh", zh)):
        session.lang = lang
        assert header.title.full_text() == want
        assert want.casefold() == step_title(step.name, lang).casefold()  # core's title
        assert header.title.text() == want and header.title.toolTip() == ""  # room: whole
        # the code name: starts the smaller second line, read as code by the layout check
        assert header.code == step.name and code_name(view) == step.name
        assert meta(view).startswith(f"{step.name} ")
        assert header.meta.font().pointSizeF() < header.title.font().pointSizeF()
        assert header.meta.geometry().top() >= header.title.geometry().bottom()
        # the heading names the layer: no "layer 0" repeated beside it
        assert re.search(r"· (layer|层) \d", meta(view)) is None, meta(view)


def test_a_step_outside_a_layer_still_says_its_decoding_step(
    view: TensorView, session: Session
) -> None:
    go(session, "t3/next.probs")
    assert view.header.title.full_text() == "Next-token probabilities"
    assert "decoding step 3" in meta(view)
    session.lang = "zh"
    assert view.header.title.full_text() == "下一个词元的概率" and "解码步 3" in meta(view)


def test_a_narrow_heading_is_shortened_with_its_whole_text_as_tooltip(
    qtbot: QtBot, view: TensorView, session: Session
) -> None:
    """Narrower and narrower: the whole title, then its middle left out, then its
    start (then that cut with "…", where the panel could get narrower); always one
    line that fits, the whole title as tooltip."""
    go(session, "t3/dec.1.cross_attn.weights")
    title = view.header.title
    one_line = title.height()
    layout = view.layout()
    assert layout is not None
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    whole = "Decoder layer 1 · cross-attention · attention weights"
    forms = [whole, "Decoder layer 1 · … · attention weights", "… · attention weights"]
    seen = []
    for width in range(1200, 200, -20):
        view.resize(width, 800)
        qtbot.wait(5)
        shown = title.text()
        seen.append(shown)
        assert title.full_text() == whole
        assert title.toolTip() == ("" if shown == whole else whole)
        assert shown in forms or (
            shown.endswith("…") and forms[-1].startswith(shown[:-1]) and shown[-2] not in " ·"
        ), shown
        assert title.fontMetrics().horizontalAdvance(shown) <= title.contentsRect().width()
        assert title.height() == one_line  # never a second line that pushes the heatmaps
    assert [form for form in forms if form in seen] == forms  # each, in this order
    assert seen.index(forms[1]) < seen.index(forms[2])  # the cut itself: test_elided_label
    view.resize(1200, 800)
    qtbot.wait(10)
    assert title.text() == whole and title.toolTip() == ""


def test_a_parameters_heading_and_axes(
    view: TensorView, session: Session, train_trace: Trace
) -> None:
    """The gradient of the first feed-forward weight: its title, "∂L/∂" code name, and
    axes named by what the weight is; the sizes are those of the layer that reads it
    (out = the hidden layer's width, in = its input's width)."""
    old = session.trace
    try:
        session.trace = train_trace
        grad = train_trace.first("dec.0.ffn.lin1.weight", phase="backward")
        session.seek(grad.index)
        header = view.header
        assert header.title.full_text() == (
            "Decoder layer 0 · feed-forward · first linear layer · weights · gradient"
        )
        assert header.code == code_name(view) == "∂L/∂ dec.0.ffn.lin1.weight"
        hidden = train_trace.first("dec.0.ffn.hidden")  # x · Wᵀ: W is out × in
        n_in = train_trace.value(hidden.tensors["x"]).shape[-1]
        n_out = train_trace.value(hidden.key).shape[-1]
        assert grad.shape == (n_out, n_in) and n_out != n_in  # 128 × 64: not symmetric
        assert grad.axes == ("dim0", "dim1")  # what the trace itself knows
        assert "shape 128 × 64 · axes out features × in features" in meta(view)
        session.lang = "zh"
        assert header.title.full_text() == "解码器第 0 层 · 前馈网络 · 第一个线性层 · 权重 · 梯度"
        assert "轴 输出特征 × 输入特征" in meta(view)
        session.lang = "en"
        cases = {  # parameter -> its axes, by the step that reads it
            "dec.0.ffn.lin1.bias": "out features",
            "tgt_embed.weight": "vocab × dim",
            "dec.0.norm1.weight": "dim",
            "dec.0.norm1.bias": "dim",
        }
        for name, axes in cases.items():
            for phase in ("backward", "update"):
                session.seek(train_trace.first(name, phase=phase).index)
                assert f"axes {axes} ·" in meta(view) + " ·", (name, phase, meta(view))
        session.seek(train_trace.first("tgt_embed.weight", phase="update").index)
        assert session.step.shape[0] == session.bundle.tgt_tok.size  # a row per token
        assert view.header.title.full_text() == "Target embedding table · weights · update"
    finally:
        session.cursor = 0
        session.trace = old


def test_the_header_keeps_three_lines_narrow_and_zoomed(
    qtbot: QtBot, view: TensorView, session: Session
) -> None:
    """At 200 % in a narrow panel the header is still three lines (twice as tall as at
    100 %): a line of facts leaves its last facts out, "…", the whole line as tooltip,
    and the code name always starts the second line."""
    from visualizer.presentation.scale import apply_scale

    go(session, "enc.0.self_attn.scores")
    session.lang = "zh"
    header = view.header
    qtbot.wait(10)
    wide = header.sizeHint().height()
    full = meta(view)
    assert full.endswith("轴 批 × 头 × 源位置 × 源位置") and header.meta.toolTip() == ""
    layout = view.layout()
    assert layout is not None
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    try:
        apply_scale(view, 2.0)
        view.resize(705, 800)  # the panel's width in a 1366 × 768 window at 200 %
        qtbot.wait(10)
        assert header.height() <= 2 * wide + 8  # three lines, each twice as tall
        for label in (header.meta, header.stats):
            shown = plain(label.text())
            assert shown.endswith("…") and label.height() < 2 * label.fontMetrics().lineSpacing()
            assert " ".join(plain(label.toolTip()).split()).startswith(
                " ".join(shown.removesuffix("…").split())
            )
            assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
        assert " ".join(plain(header.meta.toolTip()).split()) == full
        assert code_name(view) == "enc.0.self_attn.scores" and meta(view).startswith("enc.0.")
    finally:
        apply_scale(view, 1.0)
    view.resize(1200, 800)
    qtbot.wait(10)
    assert meta(view) == full and header.meta.toolTip() == ""
    assert header.sizeHint().height() == wide
