"""The attention view draws exactly the traced weights, and its controls move the session."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.session import Selection, Session
from visualizer.bridge import SessionBridge
from visualizer.panels.attention.attention_text import STRINGS
from visualizer.panels.attention.attention_view import AttentionView


@pytest.fixture
def view(qtbot, session: Session, bridge: SessionBridge) -> AttentionView:
    if session.source != "Time flies like an arrow":
        session.source = "Time flies like an arrow"
    session.lang, session.animate = "en", False
    session.selection = Selection()
    session.seek(0)
    v = AttentionView(session, bridge)
    qtbot.addWidget(v)
    v.resize(900, 700)
    v.show()
    qtbot.waitExposed(v)
    return v


def go(session: Session, key: str) -> None:
    session.seek_key(key)


def test_lines_and_heatmap_hold_the_traced_weights(view: AttentionView, session: Session):
    key = "t5/dec.1.cross_attn.weights"
    go(session, key)
    session.selection = replace(session.selection, head=2)
    traced = session.trace.value(key)[0]
    assert np.array_equal(view.lines.weights, traced)
    assert np.array_equal(view.heatmap.values, traced[2])
    assert view.heatmap.mode == "probability"
    meta = session.trace.meta
    assert view.lines.queries == ["<bos>", *meta["tgt_tokens"][:5]]  # German prefix at t=5
    assert view.lines.keys == meta["src_tokens"]  # English source
    assert view.heatmap.rows == view.lines.queries and view.heatmap.cols == meta["src_tokens"]
    for h, q, k, w in view.lines.links():
        assert w == pytest.approx(float(traced[h, q, k]))
    assert "Cross-attention" in view.title.text() and "decoder layer 1" in view.title.text()
    assert "decoding step 5" in view.title.text() and "German → English" in view.title.text()
    assert view.grid.current == (1, 2)


def test_encoder_labels_are_the_source_tokens(view: AttentionView, session: Session):
    go(session, "enc.0.self_attn.weights")
    src = session.trace.meta["src_tokens"]
    assert view.lines.queries == src and view.lines.keys == src
    assert view.resolved is not None and view.resolved.relation == "here"
    assert "Encoder self-attention" in view.title.text()


def test_masked_links_are_not_drawn(view: AttentionView, session: Session):
    go(session, "t3/dec.0.self_attn.weights")
    links = view.lines.links()
    assert links and all(k <= q for _, q, k, _ in links)  # no link to a future token
    assert view.lines.queries == view.lines.keys == ["<bos>", "die", "Zeit", "fliegt"]


def test_before_the_softmax_is_a_labelled_preview(view: AttentionView, session: Session):
    go(session, "enc.1.self_attn.scores")
    res = view.resolved
    assert res is not None and res.weights.key == "enc.1.self_attn.weights"
    assert res.relation == "later" and view.lines.preview
    assert "Preview" in view.note.text() and "computed later" in view.note.text()
    go(session, "enc.1.self_attn.weights")
    assert not view.lines.preview and "computes these weights" in view.note.text()


def test_outside_attention_shows_the_most_recent(view: AttentionView, session: Session):
    go(session, "t0/logits")
    assert view.resolved is not None and view.resolved.relation == "recent"
    assert view.resolved.weights.key == "t0/dec.1.cross_attn.weights"
    assert "most recent" in view.note.text()
    session.seek(0)  # nothing attended yet: a preview of the first weights
    assert view.resolved.relation == "ahead" and view.resolved.weights.key.startswith("enc.0")


def test_toggling_heads(qtbot, view: AttentionView, session: Session):
    go(session, "enc.0.self_attn.weights")
    chip = view.chips.chips[1]
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert 1 not in view.shown and 1 not in view.lines.enabled
    assert view.lines.links() and all(h != 1 for h, *_ in view.lines.links())
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert 1 in view.lines.enabled and any(h == 1 for h, *_ in view.lines.links())


def test_double_click_or_combo_selects_the_heatmap_head(qtbot, view: AttentionView, session):
    go(session, "enc.0.self_attn.weights")
    qtbot.mouseDClick(view.chips.chips[3], Qt.MouseButton.LeftButton)
    assert session.selection.head == 3 and 3 in view.lines.enabled
    assert np.array_equal(view.heatmap.values, session.trace.value("enc.0.self_attn.weights")[0, 3])
    view.combo.activated.emit(1)
    assert session.selection.head == 1 and view.chips.selected == 1


def test_clicking_a_model_view_cell_seeks_and_selects(qtbot, view: AttentionView, session):
    go(session, "t3/dec.0.cross_attn.weights")
    assert view.grid.layers == [0, 1] and view.grid.heads == 4
    qtbot.mouseClick(
        view.grid, Qt.MouseButton.LeftButton, pos=view.grid.cell_rect(1, 3).center().toPoint()
    )
    assert session.step.key == "t3/dec.1.cross_attn.weights"
    assert session.selection.head == 3 and view.grid.current == (1, 3)
    traced = session.trace.value("t3/dec.1.cross_attn.weights")[0]
    assert np.array_equal(view.heatmap.values, traced[3])


def test_model_view_thumbnails_are_every_layer_of_the_same_kind(view, session):
    go(session, "t2/dec.1.self_attn.masked")
    assert view.resolved is not None and view.resolved.kind == "dec_self"
    idx = view.index
    assert [s.key for s in idx.layers("dec_self", 2)] == [
        "t2/dec.0.self_attn.weights",
        "t2/dec.1.self_attn.weights",
    ]


def test_hovering_a_token_isolates_its_lines(qtbot, view: AttentionView, session: Session):
    go(session, "enc.0.self_attn.weights")
    lines = view.lines
    pitch, top, lw, left_x2, _ = lines._layout()
    y = lines._row_y(2, len(lines.queries), pitch, top)
    qtbot.mouseMove(lines, QPoint(int(left_x2 - lw / 2), int(y)))
    qtbot.waitUntil(lambda: lines.hovered == ("q", 2), timeout=1000)
    active = lines.links(active_only=True)
    assert active and all(q == 2 for _, q, _, _ in active)
    assert len(active) < len(lines.links())
    assert view.heatmap.band.isVisible()  # its row is marked in the heatmap too
    lines.set_hovered(("k", 0))
    assert all(k == 0 for _, _, k, _ in lines.links(active_only=True))
    lines.set_hovered(None)
    assert lines.links(active_only=True) == lines.links()


def test_token_at_maps_positions_to_tokens(view: AttentionView, session: Session):
    go(session, "t5/dec.1.cross_attn.weights")
    lines = view.lines
    pitch, top, lw, _, right_x1 = lines._layout()
    for j in range(len(lines.keys)):
        y = lines._row_y(j, len(lines.keys), pitch, top)
        assert lines.token_at(QPoint(int(right_x1 + lw / 2), int(y)).toPointF()) == ("k", j)
    mid = QPoint(lines.width() // 2, lines.height() // 2).toPointF()
    assert lines.token_at(mid) is None


def test_fade_in_when_animating(qtbot, view: AttentionView, session: Session):
    go(session, "enc.0.self_attn.weights")
    session.animate = True
    go(session, "enc.1.self_attn.weights")
    assert view.lines.progress < 1.0
    qtbot.waitUntil(lambda: view.lines.progress == 1.0, timeout=2000)
    session.animate = False
    go(session, "enc.0.self_attn.weights")
    assert view.lines.progress == 1.0


def test_chinese_labels(view: AttentionView, session: Session):
    go(session, "t5/dec.1.cross_attn.weights")
    session.lang = "zh"
    assert "交叉注意力" in view.title.text() and "德语 → 英语" in view.title.text()
    assert view.chips.chips[0].text() == "头 0" and "查询" in view.lines.headers[0]
    session.lang = "en"
    assert view.chips.chips[0].text() == "Head 0"
    for key, text in STRINGS.items():
        assert text.get("en") and text.get("zh"), key


def test_walk_every_step_and_a_new_sentence(view: AttentionView, session: Session):
    for i in range(len(session)):
        session.seek(i)
        assert view.resolved is not None
        assert view.lines.weights.shape[1:] == (len(view.lines.queries), len(view.lines.keys))
    session.source = "Fruit flies like a banana"
    assert view.lines.keys == session.trace.meta["src_tokens"]
    go(session, "t2/dec.1.cross_attn.weights")
    assert view.lines.queries == ["<bos>", *session.trace.meta["tgt_tokens"][:2]]
    assert np.array_equal(view.lines.weights, session.trace.value("t2/dec.1.cross_attn.weights")[0])


def test_a_training_trace_walks_too(view: AttentionView, session: Session):
    """Loss, backward and update steps (train traces) show something sensible, never raise."""
    from core import checkpoint
    from core.config import TrainConfig
    from core.session import BUILTIN_MODELS, MODELS
    from core.tracing import trace_training_step
    from core.train import Trainer

    bundle = checkpoint.load(MODELS / BUILTIN_MODELS["en-de"])  # its own copy: it gets updated
    trace = trace_training_step(
        Trainer(bundle, None, TrainConfig()),
        "Time flies like an arrow",
        "Die Zeit fliegt wie ein Pfeil",
    )
    session.trace = trace
    try:
        phases = set()
        for i in range(len(trace.steps)):
            session.seek(i)
            phases.add(trace.steps[i].phase)
            assert view.resolved is not None
        assert {"backward", "update"} <= phases
        go(session, "dec.1.cross_attn.weights")
        assert view.lines.queries == trace.meta["tgt_in_tokens"]
        assert "decoding step" not in view.title.text()  # teacher forcing: no decoding step
    finally:
        session.rerun()


def test_long_sentences_draw_only_the_strongest_links():
    from visualizer.panels.attention.attention_render import MAX_LINES, MIN_WEIGHT, plan_links

    rng = np.random.default_rng(0)
    w = rng.random((4, 60, 60)) ** 8
    w = (w / w.sum(-1, keepdims=True)).astype(np.float32)
    everything = np.ones((60, 60), bool)
    plan, (drawn, total) = plan_links(w, [0, 1, 2, 3], everything, hovering=False)
    assert total == int((w >= MIN_WEIGHT).sum()) > MAX_LINES
    assert drawn == int(plan.sum()) == MAX_LINES
    assert w[plan].min() >= w[~plan & (w >= MIN_WEIGHT)].max()  # the strongest ones
    row = np.zeros((60, 60), bool)
    row[7] = True  # hovering query 7: all its links are drawn, whatever the budget
    plan, _ = plan_links(w, [0, 1, 2, 3], row, hovering=True)
    assert np.array_equal(plan[:, 7], w[:, 7] >= MIN_WEIGHT)
    plan, _ = plan_links(w, [2], everything, hovering=False)
    assert not plan[[0, 1, 3]].any()


@pytest.fixture
def zoom2():
    """Presentation zoom 2 for one test (back to 1 afterwards, also on failure)."""
    from visualizer import theme

    theme.set_scale(2.0)
    yield 2.0
    theme.set_scale(1.0)


def test_lines_scale_as_a_whole_at_zoom_2(qtbot, zoom2: float) -> None:
    """Zoomed type in token boxes of fixed size overlapped: boxes, type and hovering
    grow together by the drawing's scale (as far as there is room, never below 1)."""
    from PySide6.QtGui import QFontMetricsF

    from visualizer.panels.attention.attention_lines import (
        MIN_H,
        MIN_W,
        AttentionLines,
        _token_font,
    )

    lines = AttentionLines()
    qtbot.addWidget(lines)
    w = np.full((2, 3, 4), 0.25, np.float32)
    lines.set_data(w, ["time", "flies", "like"], ["die", "Zeit", "fliegt", "<eos>"])
    for size, scale in (((MIN_W, MIN_H), 1.0), ((MIN_W * 3, MIN_H * 3), zoom2)):
        lines.resize(*size)
        assert lines.minimumSize().width() == MIN_W  # not zoomed: fits the screen
        assert lines.drawing_scale() == pytest.approx(scale)
        pitch = lines._layout()[0]
        line_h = QFontMetricsF(_token_font(pitch)).height() * scale  # on screen
        widest = max(QFontMetricsF(_token_font(pitch)).horizontalAdvance(t) for t in lines.keys)
        for side, n in (("q", 3), ("k", 4)):
            for i in range(n):
                box = lines.token_box(side, i)
                assert box.height() >= line_h  # the token's line fits its box
                assert box.width() >= widest * scale  # no token is elided
                assert lines.token_at(box.center()) == (side, i)


def test_model_view_scales_as_a_whole_at_zoom_2(qtbot, zoom2: float) -> None:
    """The head chips and layer labels grow with their cells; clicks find the cell."""
    from PySide6.QtGui import QFontMetricsF

    from visualizer.panels.attention.head_grid import HEADER_H, LABEL_W, HeadGrid
    from visualizer.theme import ui_font

    grid = HeadGrid()
    qtbot.addWidget(grid)
    grid.set_data([0, 1], [np.full((4, 3, 3), 0.3, np.float32)] * 2, ["Layer 0", "Layer 1"])
    grid.set_labels("Head {}")
    grid.resize(700, 400)
    assert grid.drawing_scale() == pytest.approx(zoom2)
    font = QFontMetricsF(ui_font(9, bold=True))  # the zoomed type, on screen
    for h in range(4):
        cell = grid.cell_rect(0, h)
        assert cell.width() >= font.horizontalAdvance("Head 0")  # the chip's text fits
        assert cell.top() >= HEADER_H * zoom2 - 1e-6  # below the zoomed header row
        assert cell.left() >= LABEL_W * zoom2 - 1e-6
        assert (LABEL_W - 6) * zoom2 >= font.horizontalAdvance("Layer 0")
        assert grid.cell_at(cell.center()) == (0, h)
    assert grid.cell_at(grid.cell_rect(1, 2).center()) == (1, 2)
