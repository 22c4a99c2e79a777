"""The loss view draws a training step's traced loss: top-5 guesses, the true token with
its probability and rank, −log p per position, the mean; clicking a row sets the selection."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.loss.loss_rows import ROW_H
from visualizer.panels.loss.loss_view import LossView


@pytest.fixture
def view(qtbot, session: Session) -> LossView:
    session.mode, session.lang = "train", "en"
    session.seek(0)
    v = LossView(session, SessionBridge(session))
    qtbot.addWidget(v)
    v.resize(700, 600)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_rows_match_trace(view: LossView, session: Session) -> None:
    tr = session.trace
    probs = tr.value("probs")[0]
    per_token = tr.value("loss.per_token")[0]
    out = tr.meta["tgt_out_tokens"]
    d = view.data
    assert d is not None and len(d.rows) == len(out) == per_token.shape[0]
    for t, row in enumerate(d.rows):
        tid = int(tr.value("tgt.target")[0, t])
        assert session.bundle.tgt_tok.token(tid) == out[t] == row.true_label
        assert row.p_true == pytest.approx(float(probs[t, tid]), abs=1e-9)
        assert row.loss == pytest.approx(float(per_token[t]), abs=1e-9)
        assert abs(-np.log(probs[t, tid]) - per_token[t]) < 1e-4  # the trace agrees with itself
        assert row.rank == 1 + int(np.sum(probs[t] > probs[t, tid]))
        top = np.argsort(-probs[t])[:5]
        assert [i for i, _, _ in row.top] == [int(i) for i in top]
        assert [lab for _, lab, _ in row.top] == [session.bundle.tgt_tok.token(int(i)) for i in top]
    assert d.mean == pytest.approx(float(tr.value("loss")), abs=1e-9)
    worst = int(np.argmax(per_token))
    assert d.worst == worst
    assert f"t={worst}" in view.advice.text() and out[worst] in view.advice.text()


def test_selection_highlight_and_click(view: LossView, session: Session, qtbot) -> None:
    session.seek_name("loss.per_token")
    session.selection = session.selection.__class__(head=0, row=0, col=4)
    assert view.rows.selected == 4
    session.seek_name("probs")
    session.selection = session.selection.__class__(head=0, row=2, col=None)
    assert view.rows.selected == 2
    # click row 5 on probs: row = position, column = the true token's id
    y = view.rows.row_rect(5).center().toPoint()
    qtbot.mouseClick(view.rows, Qt.MouseButton.LeftButton, pos=QPoint(30, y.y()))
    tid = int(session.trace.value("tgt.target")[0, 5])
    assert (session.selection.row, session.selection.col) == (5, tid)
    assert view.rows.selected == 5
    session.seek_name("loss.per_token")
    qtbot.mouseClick(view.rows, Qt.MouseButton.LeftButton, pos=QPoint(30, ROW_H * 1 + 10))
    assert (session.selection.row, session.selection.col) == (0, 1)
    assert view.rows.selected == 1


def test_lang_walk_and_translate_hint(view: LossView, session: Session) -> None:
    session.lang = "zh"
    assert "怎样降低" in view.advice.text() and "平均损失" in view.mean.text()
    session.lang = "en"
    assert "What would lower it" in view.advice.text()
    for i in range(len(session)):
        session.seek(i)
    session.mode = "translate"
    assert view.data is None and view.stack.currentIndex() == 0
    assert "Train one step" in view.hint.text()
    session.lang = "zh"
    assert "训练一步" in view.hint.text()
    for i in range(0, len(session), 7):
        session.seek(i)
    session.lang = "en"
    session.mode = "train"
    assert view.data is not None and view.stack.currentIndex() == 1
