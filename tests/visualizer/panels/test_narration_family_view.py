"""The narration panel shows the step's own sentence (``core.narration_steps``) for the
selected row and head, in the session's language."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.narration_steps import explain
from core.session import MODELS, Selection, Session
from visualizer.bridge import SessionBridge
from visualizer.panels.narration.narration_view import NarrationView


def test_the_panel_says_where_the_router_sends_the_selected_token(qtbot: QtBot) -> None:
    s = Session.open_builtin("en-de")
    s.open_model(MODELS / "moe-de")
    s.animate = False
    v = NarrationView(s, SessionBridge(s))
    qtbot.addWidget(v)
    s.seek(s.trace.find("t6/dec.0.moe.topk.experts")[0].index)
    s.selection = Selection(0, 7, 0)  # "Zeit"
    text = v.browser.toPlainText()
    vocab = [s.bundle.tgt_tok.token(i) for i in range(s.bundle.tgt_tok.size)]
    said = explain(s.trace, s.step, "en", vocab, 7)
    assert said.text in text and "“Zeit” to expert 0 with p = 0.52" in text
    s.lang = "zh"
    assert "路由把 “Zeit” 送给专家 0，p = 0.52" in v.browser.toPlainText()
    s.lang = "en"
