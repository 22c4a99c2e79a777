"""The sampling demo teaches: beside what is drawn from (after temperature, top-k and
top-p) the panel shows the same step at temperature 1, computed by the decoder from
the same logits; a token that cannot be drawn is never listed, nor a special token at
a probability that rounds to nothing; "Closest choice" finds the step where the two
best candidates are closest. Checked against softmax of the traced logits (NumPy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from core.session import MODELS, Session
from visualizer.panels.decoding.decoding_candidates import QUIET, SPECIAL_FLOOR, closest_step
from visualizer.panels.decoding.decoding_view import TOP, DecodingView

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from visualizer.bridge import SessionBridge

LECTURE = "Time flies like an arrow"


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z.astype(np.float64) - z.max())
    return e / e.sum()


@pytest.fixture(scope="module")
def gpt(builtin_session: Session) -> Session:
    s = Session(builtin_session.bundle, "en-de", LECTURE)
    s.open_model(MODELS / "gpt-de")
    return s


def view_on(qtbot: QtBot, session: Session) -> tuple[DecodingView, SessionBridge]:
    from visualizer.bridge import SessionBridge

    bridge = SessionBridge(session)
    view = DecodingView(session, bridge)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    return view, bridge


def test_the_tempered_step_sits_beside_the_models_own_probabilities(
    qtbot: QtBot, gpt: Session
) -> None:
    gpt.set_decode(temperature=1.8, top_p=0.9, seed=0)
    view, _ = view_on(qtbot, gpt)
    token = gpt.bundle.tgt_tok.token
    for t in range(len(gpt.translation.generation.choices)):  # type: ignore[union-attr]
        gpt.seek_name(f"t{t}/next.token")
        logits = np.asarray(gpt.trace.value(f"t{t}/logits"))  # (1, P, V): every position
        own = softmax(logits[0, -1])  # the next token's, at T = 1
        want = [i for i in np.argsort(-own, kind="stable") if token(int(i)) not in QUIET][:TOP]
        shown = view.plain(t)
        assert [i for i, _ in shown] == [int(i) for i in want]
        assert np.allclose([p for _, p in shown], own[want], atol=1e-6)
        assert view.plain_bars.isVisibleTo(view)
        drawn = np.asarray(gpt.trace.value(f"t{t}/next.probs")).reshape(-1)
        listed = view.top(t)
        assert all(p > 0 for _, p in listed)  # only what can be drawn
        assert [p for _, p in listed] == sorted(drawn[drawn > 0], reverse=True)[:TOP]
    # the tempered distribution is flatter than the model's own at the same step
    gpt.seek_name("t0/next.token")
    assert view.top(0)[0][1] < view.plain(0)[0][1]
    assert "T = 1.8" in view.bars_title.text() and "T = 1" in view.plain_title.text()
    gpt.set_decode(temperature=0.0, top_p=1.0)  # greedy again: one column
    assert not view.plain_bars.isVisibleTo(view)


def test_a_sure_model_at_top_p_lists_only_its_survivors_not_special_tokens(
    qtbot: QtBot, builtin_session: Session
) -> None:
    s = Session(builtin_session.bundle, "en-de", LECTURE)  # demo-de: > 99.9 % sure
    s.set_decode(temperature=1.8, top_p=0.9, seed=0)
    view, _ = view_on(qtbot, s)
    s.seek_name("t3/next.token")
    drawn = np.asarray(s.trace.value("t3/next.probs")).reshape(-1)
    assert (drawn > 0).sum() == 1  # top-p keeps one word here
    assert len(view.top(3)) == 1 and view.bars.bars[0].prob == 1.0
    names = [b.label for b in view.plain_bars.bars]
    assert len(names) == TOP and not set(names) & QUIET  # words, not <pad> <bos> <unk>
    s.set_decode(temperature=0.0, top_p=1.0)
    for t in range(len(s.translation.generation.choices)):  # type: ignore[union-attr]
        for i, p in view.top(t):  # greedy: a special token only when visible
            assert s.bundle.tgt_tok.token(i) not in QUIET or p >= SPECIAL_FLOOR


def test_closest_choice_goes_where_the_two_best_are_closest(qtbot: QtBot, gpt: Session) -> None:
    gpt.set_decode(temperature=0.0, top_p=1.0)
    view, _ = view_on(qtbot, gpt)
    gaps = {}
    for t in range(len(gpt.translation.generation.choices)):  # type: ignore[union-attr]
        p = np.sort(np.asarray(gpt.trace.value(f"t{t}/next.probs")).reshape(-1))[::-1]
        gaps[t] = p[0] - p[1]
    view.closest.click()
    assert gpt.step.name == "next.probs" and gpt.step.t == min(gaps, key=gaps.__getitem__)
    # the hint's claim: gpt-de hesitates at t=2 between "fliegt" and "mögen"
    assert gpt.step.t == 2
    best = [gpt.bundle.tgt_tok.token(i) for i, _ in view.top(2)[:2]]
    assert best == ["fliegt", "mögen"]
    assert closest_step({0: [(1, 0.9), (2, 0.1)], 1: [(1, 0.5), (2, 0.4)]}) == 1


def test_the_beam_trees_first_column_speaks_the_language(
    qtbot: QtBot, builtin_session: Session
) -> None:
    s = Session(builtin_session.bundle, "en-de", LECTURE)
    view, _ = view_on(qtbot, s)
    s.lang = "zh"
    assert view.tree.start_label == "开始"
    s.lang = "en"
    assert view.tree.start_label == "start"
