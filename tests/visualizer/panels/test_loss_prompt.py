"""A decoder-only model is graded on its answer only: the loss view counts, marks and
averages the answer's positions, and the prompt's are shown as not counted."""

from __future__ import annotations

import numpy as np

from core.session import MODELS, Session
from visualizer.bridge import SessionBridge
from visualizer.panels.loss.loss_data import loss_data
from visualizer.panels.loss.loss_view import LossView


def test_the_prompt_positions_do_not_count(qtbot, fresh_session: Session) -> None:  # type: ignore[no-untyped-def]
    s = fresh_session
    s.open_model(MODELS / "gpt-de")
    s.mode = "train"
    trace = s.trace
    tok = s.bundle.tgt_tok
    d = loss_data(trace, tok.token)
    assert d is not None
    prompt_len = trace.meta["prompt_len"]
    counted = [r.counted for r in d.rows]
    # independent: the answer starts where the prompt's last token ("=") predicts it
    assert counted == [t >= prompt_len - 1 for t in range(len(d.rows))]
    per_token = trace.value("loss.per_token")[0]
    answer = per_token[prompt_len - 1 :]
    assert d.counted == len(answer) and np.isclose(d.mean, answer.mean(), atol=1e-6)
    assert d.mismatch < 1e-4  # −log p from probs agrees on every counted position
    assert d.rows[d.worst].counted
    view = LossView(s, SessionBridge(s))
    qtbot.addWidget(view)
    view._relabel()
    text = view.mean.text()
    assert f"over {d.counted} positions" in text and f"the {prompt_len - 1} prompt" in text
    assert "differs" not in text
    s.lang = "zh"
    assert f"提示的 {prompt_len - 1} 个位置不计入" in view.mean.text()
    s.update(lang="en", mode="translate")


def test_a_translator_counts_every_position(fresh_session: Session) -> None:
    s = fresh_session
    s.mode = "train"
    d = loss_data(s.trace, s.bundle.tgt_tok.token)
    assert d is not None and d.counted == len(d.rows)
    assert np.isclose(d.mean, s.trace.value("loss.per_token")[0].mean(), atol=1e-6)
