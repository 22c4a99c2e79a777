"""The decoding view shows the traced next-token probabilities, the chosen token and the
beam tree up to the cursor's decoding step, and its controls only change session.decode."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.decoding.decoding_view import DecodingView
from visualizer.widgets.numbers import percent


@pytest.fixture
def view(qtbot, session: Session) -> DecodingView:
    max_len = session.bundle.cfg.max_len - 1
    session.set_decode(beam=1, temperature=0.0, top_k=0, top_p=1.0, seed=0, max_len=max_len)
    session.lang, session.animate = "en", False
    session.seek(0)
    v = DecodingView(session, SessionBridge(session))
    qtbot.addWidget(v)
    v.resize(450, 600)
    v.show()
    qtbot.waitExposed(v)
    return v


def go(session: Session, key: str) -> None:
    session.seek_key(key)


def top5(session: Session, t: int) -> list[tuple[str, float]]:
    p = session.trace.value(f"t{t}/next.probs").reshape(-1)
    order = np.argsort(-p, kind="stable")[:5]
    return [(session.bundle.tgt_tok.token(int(i)), float(p[i])) for i in order]


def chosen(session: Session, t: int) -> str:
    return session.bundle.tgt_tok.token(int(session.trace.value(f"t{t}/next.token")[0]))


@pytest.mark.parametrize("key", ["t3/dec.0.self_attn.q", "t3/next.probs", "t0/next.token"])
def test_bars_are_the_traced_top5_of_the_cursors_step(
    view: DecodingView, session: Session, key: str
):
    go(session, key)
    t = session.step.t
    assert [(b.label, b.prob) for b in view.bars.bars] == top5(session, t)
    assert view.bars_title.text().startswith(f"t={t}:")
    assert view.bars.bars[0].prob == pytest.approx(session.translation.generation.choices[t].prob)


def test_the_chosen_token_is_highlighted_only_once_chosen(view: DecodingView, session: Session):
    go(session, "t3/next.probs")
    assert not any(b.chosen for b in view.bars.bars)
    assert not view.bars.pending
    assert view.strip.chips[-1].text == "?" and view.strip.chips[-1].kind == "pending"
    go(session, "t3/dec.1.ffn.hidden")
    assert view.bars.pending  # before next.probs the numbers are not computed yet
    go(session, "t3/next.token")
    marked = [b for b in view.bars.bars if b.chosen]
    assert [b.label for b in marked] == [chosen(session, 3)]
    last = view.strip.chips[-1]
    assert (last.text, last.kind) == (chosen(session, 3), "current")
    assert [c.text for c in view.strip.chips] == ["<bos>", *(chosen(session, t) for t in range(4))]


def test_encoder_phase_waits_with_bos(view: DecodingView, session: Session):
    session.seek_name("enc.1.norm2")
    assert [c.kind for c in view.strip.chips] == ["bos", "note"]
    assert view.bars.bars == []
    assert "encoder" in view.status.text()


def test_clicking_a_token_seeks_to_its_next_token_step(view: DecodingView, session: Session, qtbot):
    session.go_end()
    rect = view.strip._rects[2]  # <bos>, "die", "Zeit": produced at t=1
    qtbot.mouseClick(
        view.strip,
        Qt.MouseButton.LeftButton,
        pos=QPoint(*map(int, (rect.center().x(), rect.center().y()))),
    )
    assert session.step.key == "t1/next.token"


def test_strategy_controls_only_set_session_decode(view: DecodingView, session: Session):
    c = view.controls
    c.max_len.setValue(12)  # sampling may ramble on: keep the re-runs short
    assert session.decode.max_len == 12
    c.combo.setCurrentIndex(1)  # beam
    assert session.decode.beam >= 2 and session.decode.strategy == "beam"
    c.beam.setValue(4)
    assert session.decode.beam == 4
    c.combo.setCurrentIndex(2)  # sampling
    assert session.decode.strategy == "sample" and session.decode.beam == 1
    c.temperature.setValue(0.7)
    c.top_k.setValue(5)
    c.top_p.setValue(0.9)
    c.seed.setValue(7)
    d = session.decode
    assert (d.temperature, d.top_k, d.top_p, d.seed) == (pytest.approx(0.7), 5, 0.9, 7)
    assert c.temperature.isVisibleTo(view) and not c.beam.isVisibleTo(view)
    c.combo.setCurrentIndex(0)
    assert session.decode.strategy == "greedy"
    session.set_decode(beam=3)  # and the controls follow the session
    assert c.strategy == "beam" and c.beam.value() == 3


def test_beam_tree_grows_with_the_cursor(view: DecodingView, session: Session):
    session.set_decode(beam=3)
    tree = session.translation.generation.tree
    assert view.tree.isVisibleTo(view) and len(view.tree.nodes) == len(tree)
    go(session, "t2/dec.0.self_attn.q")  # token 2 not chosen yet: the tree up to t=1
    assert len(view.tree.visible()) == sum(n.t <= 1 for n in tree)
    go(session, "t2/next.token")
    assert len(view.tree.visible()) == sum(n.t <= 2 for n in tree)
    path = [n for n in tree if n.id in view.tree.path]
    ids = [int(session.trace.value(f"t{t}/next.token")[0]) for t in range(3)]
    assert [n.token for n in sorted(path, key=lambda n: n.t)][1:] == ids
    dead = view.tree.dead()
    assert dead and not dead & view.tree.path
    session.go_end()
    assert len(view.tree.visible()) == len(tree)


def test_length_limit_is_reported(view: DecodingView, session: Session):
    session.set_decode(max_len=3)
    session.go_end()
    assert not session.translation.generation.finished
    assert "length limit" in view.status.text() and "3" in view.status.text()
    session.set_decode(max_len=session.bundle.cfg.max_len - 1)
    session.go_end()
    assert "<eos>" in view.status.text()


def test_language_switch_relabels(view: DecodingView, session: Session):
    go(session, "t2/next.token")
    session.lang = "zh"
    assert view.gen_title.text() == "已生成的译文"
    assert view.controls.labels["strategy"].text() == "策略"
    assert "t=2" in view.bars_title.text() and "概率" in view.bars_title.text()


def test_french(qtbot):
    fr = Session.open_builtin("en-fr")
    fr.animate = False
    v = DecodingView(fr, SessionBridge(fr))
    qtbot.addWidget(v)
    fr.go_end()
    t = fr.step.t
    assert [(b.label, b.prob) for b in v.bars.bars] == top5(fr, t)
    words = [c.text for c in v.strip.chips[1:-1]]
    assert " ".join(words).lower() == fr.translation.text.lower()


def test_percentages_are_readable():
    assert percent(0.9992545) == "99.9%"
    assert percent(0.99996) == "99.996%"
    assert percent(0.0001067) == "0.011%"
    assert percent(0.003) == "0.30%"


@pytest.mark.parametrize("beam", [1, 3])
def test_walking_every_step_raises_nothing(view: DecodingView, session: Session, beam: int):
    session.set_decode(beam=beam)
    session.animate = True
    for i in range(len(session)):
        session.seek(i)
    assert view.strip.chips[-1].kind == "eos"


def test_a_shorter_new_trace_with_the_cursor_at_the_end(view: DecodingView, session: Session):
    session.go_end()
    session.set_decode(max_len=2)  # the trace arrives before the cursor is moved into it
    assert session.step.t == 1
    assert [c.text for c in view.strip.chips] == ["<bos>", chosen(session, 0), chosen(session, 1)]


@pytest.fixture
def zoom2():
    """Presentation zoom 2 for one test (back to 1 afterwards, also on failure)."""
    from visualizer import theme

    theme.set_scale(2.0)
    yield 2.0
    theme.set_scale(1.0)


def test_beam_tree_scales_as_a_whole_at_zoom_2(qtbot, session: Session, zoom2: float):
    """Zoomed type in nodes laid out in screen pixels was elided to "…": the tree is
    drawn at its design size and scaled, so every token fits its box on screen."""
    from PySide6.QtGui import QFontMetricsF

    from visualizer.panels.decoding.beam_tree import BeamTree
    from visualizer.theme import ui_font

    session.set_decode(beam=3, temperature=0.0, top_k=0, top_p=1.0, seed=0, max_len=8)
    session.go_end()
    assert session.translation is not None
    nodes = session.translation.generation.tree
    labels = [session.bundle.tgt_tok.token(n.token) for n in nodes]
    tree = BeamTree()
    qtbot.addWidget(tree)
    tree.set_tree(nodes, labels)
    tree.set_state(float(max(n.t for n in nodes)), [])
    fm = QFontMetricsF(ui_font(9, bold=True))  # the zoomed type, on screen
    for size, scale in (((1600, 1000), zoom2), ((300, 200), 1.0)):
        tree.resize(*size)
        assert tree.drawing_scale() == pytest.approx(scale)
        tree.grab()  # paints: lays the boxes out
        if scale == zoom2:
            for n, label in zip(nodes, labels, strict=True):
                box = tree.node_box(n.id)
                assert box is not None and box.width() >= fm.horizontalAdvance(label)
                assert box.height() >= fm.height()


def test_columns_sit_side_by_side_only_with_room_at_the_zoom(
    view: DecodingView, zoom2: float
) -> None:
    """At 200 % the bars need twice the width: 1000 px stacks them, 1600 px does not."""
    from PySide6.QtWidgets import QBoxLayout

    from visualizer.panels.decoding.decoding_view import WIDE

    view.apply_scale(zoom2)
    view.resize(round(WIDE * 1.3), 700)
    assert view.body.direction() == QBoxLayout.Direction.TopToBottom
    view.resize(round(WIDE * zoom2) + 10, 700)
    assert view.body.direction() == QBoxLayout.Direction.LeftToRight
