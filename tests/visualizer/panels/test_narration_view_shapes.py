"""The narration view and the tensor view's header read the text for the open model's
shape (``core.narration.narrate_step``): a classifier's tokens start with [CLS] and have
no <bos>, a decoder-only model's tokens are prompt and answer."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from core.narration import narrate
from core.session import MODELS, Session
from visualizer.bridge import SessionBridge
from visualizer.panels.narration.narration_view import NarrationView


@pytest.mark.parametrize(
    ("model", "shape"), [("bert-who", "encoder-only"), ("gpt-de", "decoder-only")]
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_token_step_reads_its_shapes_text(
    qtbot: QtBot, model: str, shape: str, lang: str
) -> None:
    s = Session.open_builtin("en-de")
    s.open_model(MODELS / model)
    s.mode, s.lang, s.animate = "train", lang, False
    s.seek(next(x for x in s.trace.steps if x.kind == "tokens").index)
    view = NarrationView(s, SessionBridge(s))
    qtbot.addWidget(view)
    text = view.browser.toPlainText()
    assert narrate(f"forward.tokens@{shape}", lang).text in text
    assert narrate("forward.tokens", lang).text not in text
    assert "<bos>" not in text
