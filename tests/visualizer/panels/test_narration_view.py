"""The narration view explains the current step in the session's language and works its
formula out with the traced numbers of the selected cell."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.display import as_matrix, stats
from core.narration import narrate
from core.session import Selection, Session
from visualizer.panels.narration.narration_view import NarrationView
from visualizer.panels.narration.worked import worked
from visualizer.panels.narration.worked_text import fmt


@pytest.fixture
def view(narration_view: NarrationView) -> NarrationView:
    return narration_view


def go(session: Session, key: str) -> None:
    session.seek_key(key)


def cell(session: Session, key: str, role: str = "out", r: int = 0, c: int = 0) -> float:
    step = session.step
    m = as_matrix(session.trace, step, step.tensors[role], session.selection.head)
    return float(m.values[r, c])


def test_text_follows_the_step_and_the_language(view: NarrationView, session: Session):
    go(session, "enc.0.self_attn.weights")
    softmax = narrate("forward.softmax", "en")
    # the heading is the step's title for a person (layers counted from 0, like enc.0); the code
    # name a smaller line, never cut; the op's name heads the explanation
    assert view.title.full_text() == "Encoder layer 0 · self-attention · attention weights"
    assert view.code.toolTip() == "enc.0.self_attn.weights"
    assert view.code.text().replace("&#8203;", "").count("enc.0.self_attn.weights") == 1
    assert view.narration == softmax
    assert view.browser.toPlainText().startswith(f"{softmax.title}\n{softmax.text}")
    assert "layer 0" not in view.sub.text()  # the heading says which layer
    go(session, "enc.0.norm1")
    assert view.title.full_text() == "Encoder layer 0 · layer norm 1"
    session.lang = "zh"
    zh = narrate("forward.layernorm", "zh")
    assert view.title.full_text() == "编码器第 0 层 · 第 1 次层归一化"
    assert view.narration == zh and zh.text in view.browser.toPlainText()
    assert view.browser.toPlainText().startswith(zh.title)
    assert view.badge.text() == "前向"
    assert view.buttons.button(1).isChecked() and not view.buttons.button(0).isChecked()
    view.buttons.button(0).click()  # the toggle sets session.lang
    assert session.lang == "en"
    assert narrate("forward.layernorm", "en").text in view.browser.toPlainText()


def test_softmax_numbers_are_the_traced_cell(view: NarrationView, session: Session):
    go(session, "enc.0.self_attn.weights")
    session.selection = Selection(head=2, row=1, col=3)
    w = view.worked
    assert w.values["out"] == cell(session, "", "out", 1, 3)
    assert w.values["x"] == cell(session, "", "x", 1, 3)
    text = view.browser.toPlainText()
    assert fmt(w.values["out"]) in text and fmt(w.values["x"]) in text
    assert "head 2" in text


def test_default_cell_is_row0_col0(view: NarrationView, session: Session):
    go(session, "enc.0.self_attn.scaled")
    w = view.worked
    assert w.values["out"] == cell(session, "", "out", 0, 0)
    assert w.values["x"] == cell(session, "", "x", 0, 0)  # the unscaled score
    assert "√16" in view.browser.toPlainText()


def test_layernorm_shows_row_mean_std_and_result(view: NarrationView, session: Session):
    go(session, "enc.0.norm1")
    session.selection = replace(session.selection, row=2, col=5)
    w = view.worked
    x = session.trace.value("enc.0.add1")[0, 2]
    assert w.values["mean"] == pytest.approx(stats(x)["mean"])
    assert w.values["out"] == float(session.trace.value("enc.0.norm1")[0, 2, 5])
    assert w.values["gamma"] == float(session.trace.value("enc.0.norm1.weight")[5])
    assert fmt(w.values["out"]) in view.browser.toPlainText()


def test_mask_shows_minus_infinity(view: NarrationView, session: Session):
    go(session, "t2/dec.0.self_attn.masked")
    session.selection = Selection(head=0, row=0, col=2)
    assert view.worked.values["out"] == float("-inf")
    assert "−∞" in view.browser.toPlainText()


def test_linear_uses_the_weight_row_of_the_head(view: NarrationView, session: Session):
    go(session, "enc.0.self_attn.q")
    session.selection = Selection(head=1, row=2, col=3)
    w = view.worked
    weight = session.trace.value("enc.0.self_attn.w_q.weight")
    bias = session.trace.value("enc.0.self_attn.w_q.bias")
    assert w.values["w0"] == float(weight[1 * 16 + 3, 0])
    assert w.values["bias"] == float(bias[19])
    assert w.values["out"] == float(session.trace.value("enc.0.self_attn.q")[0, 1, 2, 3])


def test_choose_shows_the_token_and_its_probability(view: NarrationView, session: Session):
    go(session, "t3/next.token")
    token = int(session.trace.value("t3/next.token")[0])
    p = float(session.trace.value("t3/next.probs")[0, token])
    assert view.worked.values["prob"] == p
    assert session.bundle.tgt_tok.token(token) in view.browser.toPlainText()


def test_posenc_names_position_and_dimension(view: NarrationView, session: Session):
    go(session, "src.pos")
    session.selection = Selection(head=0, row=3, col=5)
    text = view.browser.toPlainText()
    assert "PE(pos=3, dim=5) = cos(" in text
    assert view.worked.values["out"] == float(session.trace.value("src.pos")[0, 3, 5])


def test_every_step_and_language_works_out(view: NarrationView, session: Session):
    vocab = [session.bundle.tgt_tok.token(i) for i in range(session.bundle.tgt_tok.size)]
    for i in range(len(session)):
        session.seek(i)
        step = session.step
        assert view.worked is not None, step.key
        out = as_matrix(session.trace, step, step.tensors["out"], 0, vocab).values
        r, c = view.worked.header, view.worked.values["out"]
        assert r and (np.isnan(c) or c in out), step.key
    for lang in ("en", "zh"):
        for step in session.trace.steps[::7]:
            assert worked(session.trace, step, 3, 99, 99, lang, vocab).lines


def test_a_shorter_new_trace_with_the_cursor_at_the_end(view: NarrationView, session: Session):
    session.go_end()
    session.set_decode(max_len=2)  # the trace arrives before the cursor is moved into it
    try:
        assert view.code.toolTip() == session.step.name
        assert view.worked.values["out"] == float(session.trace.value(session.step.key)[0])
    finally:
        session.set_decode(max_len=session.bundle.cfg.max_len - 1)


def test_a_squeezed_badge_is_cut_with_an_ellipsis_and_its_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A dock too narrow for "decoding · t=3" at presentation zoom shows it cut with "…"
    and the whole text as tooltip, never clipped; with room again it is whole."""
    from visualizer.panels.narration.narration_view import Badge

    badge = Badge()
    qtbot.addWidget(badge)
    badge.show()
    badge.setText("decoding · t=3")
    full = badge.sizeHint().width()
    badge.resize(full // 2, badge.sizeHint().height())
    assert badge.text().endswith("…") and badge.toolTip() == "decoding · t=3"
    badge.resize(full, badge.sizeHint().height())
    assert badge.text() == "decoding · t=3" and badge.toolTip() == ""
    assert badge.sizeHint().width() == full  # asks for the whole text even while cut
