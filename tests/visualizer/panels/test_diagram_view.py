"""The architecture diagram: every step lights the right box, clicks seek, boxes expand."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.diagram import diagram_layout as dl
from visualizer.panels.diagram.diagram_text import BOX, OPS, SHORT, STRINGS
from visualizer.panels.diagram.diagram_view import DiagramView


@pytest.fixture
def view(qtbot, session: Session, bridge: SessionBridge) -> Iterator[DiagramView]:
    session.lang, session.animate = "en", False
    session.seek(0)
    v = DiagramView(session, bridge)
    qtbot.addWidget(v)
    v.resize(500, 800)
    v.show()
    yield v
    v.close()


def expected_box(name: str) -> str | None:
    """Which box a step belongs to, written out independently of the view's code."""
    fixed = {"next.token": "output", "next.probs": "softmax", "logits": "linear"}
    if name in fixed:
        return fixed[name]
    if m := re.fullmatch(r"(src|tgt)\.(tokens|embed|embed_scaled)", name):
        return f"{m[1]}.embed"
    if m := re.fullmatch(r"(src|tgt)\.(pos|input)", name):
        return f"{m[1]}.pos"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.(self_attn|cross_attn|ffn)\.\w+", name):
        return f"{m[1]}.{m[2]}"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.(?:add|norm)(\d)", name):
        return f"{m[1]}.an{m[2]}"
    return None


def click(qtbot, view: DiagramView, box: str) -> None:
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.box_center(box))


def test_every_step_highlights_its_box(view: DiagramView, session: Session) -> None:
    seen = set()
    for i in range(len(session)):
        session.seek(i)
        want = expected_box(session.step.name)
        assert want is not None, session.step.name
        assert view.current == want, (i, session.step.key)
        lay = view.diagram_layout()
        sc = view.scene()
        assert sc.current == want
        assert sc.glow == lay.boxes[want]  # the highlight sits on that box (no animation)
        if len(lay.pills) > 1:
            assert lay.boxes[want].contains(lay.pills[0].cx, lay.pills[0].cy)
            assert view.ops()[sc.pill_current] == i  # the current op's pill is lit
        seen.add(want)
    cfg = session.bundle.cfg
    assert seen == set(dl.all_boxes(cfg.n_enc_layers, cfg.n_dec_layers))


def test_every_layer_is_drawn(view: DiagramView, session: Session) -> None:
    lay = view.diagram_layout()
    assert set(lay.frames) == {"enc.0", "enc.1", "dec.0", "dec.1"}
    assert not lay.collapsed
    assert lay.height <= view.height()
    enc, dec = lay.boxes["enc.1.an2"], lay.boxes["dec.1.an3"]
    assert enc.right < dec.x  # encoder left, decoder right
    assert lay.boxes["src.embed"].bottom == lay.boxes["tgt.embed"].bottom  # both at the bottom
    assert lay.boxes["output"].bottom < lay.boxes["softmax"].y < lay.boxes["linear"].y
    assert lay.boxes["linear"].bottom < lay.frames["dec.1"].y


@pytest.mark.parametrize(
    ("start", "box", "lands"),
    [
        ("t2/dec.0.self_attn.masked", "dec.1.cross_attn", "t2/dec.1.cross_attn.q"),
        ("t2/dec.0.self_attn.masked", "src.pos", "src.pos"),
        ("t2/dec.0.self_attn.masked", "enc.1.ffn", "enc.1.ffn.hidden"),
        ("enc.0.self_attn.scores", "dec.0.ffn", "t0/dec.0.ffn.hidden"),
        ("enc.0.self_attn.scores", "tgt.embed", "t0/tgt.tokens"),
        ("t3/dec.1.norm2", "linear", "t3/logits"),
        ("t4/logits", "output", "t4/next.token"),
        ("t4/logits", "dec.1.an2", "t4/dec.1.add2"),
        ("t5/tgt.pos", "softmax", "t5/next.probs"),
    ],
)
def test_click_seeks_to_the_box(
    qtbot, view: DiagramView, session: Session, start: str, box: str, lands: str
) -> None:
    session.seek(session.trace.first(start).index)
    click(qtbot, view, box)
    assert session.step.key == lands
    assert view.current == box


def test_click_every_box(qtbot, view: DiagramView, session: Session) -> None:
    for box in list(view.diagram_layout().boxes):
        session.seek(session.trace.first("t3/tgt.tokens").index)
        click(qtbot, view, box)
        assert view.current == box
        assert expected_box(session.step.name) == box
        assert session.step.t == (None if box[:3] in ("src", "enc") else 3)


def test_expanded_box_shows_its_ops(qtbot, view: DiagramView, session: Session) -> None:
    session.seek(session.trace.first("enc.0.self_attn.q").index)
    assert view.scene().pills == ["Q", "K", "V", "Q·Kᵀ", "÷√d", "softmax", "·V", "concat", "W_O"]
    assert view.scene().pill_current == 0
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.pill_center(3))
    assert session.step.key == "enc.0.self_attn.scores"
    assert view.scene().pill_current == 3
    session.seek(session.trace.first("t2/dec.1.self_attn.masked").index)
    sc = view.scene()
    assert "mask" in sc.pills and sc.pills[sc.pill_current] == "mask"
    assert len(view.diagram_layout().pills) == len(session.trace.find("t2/dec.1.self_attn.*"))
    session.seek(session.trace.first("t2/dec.1.ffn.act").index)
    assert view.scene().pills == ["Linear₁", "ReLU", "Linear₂"]
    session.seek(session.trace.first("t2/dec.1.norm3").index)
    assert view.scene().pills == ["add", "norm"]
    collapsed = view.diagram_layout().boxes["dec.1.self_attn"]
    assert collapsed.h == view.diagram_layout().unit  # only the current box grows


def test_language_switch_relabels(view: DiagramView, session: Session) -> None:
    session.seek(session.trace.first("t2/dec.0.self_attn.masked").index)
    en = view.scene()
    assert en.labels["dec.0.cross_attn"] == "Cross-Attention"
    assert en.labels["dec.0.self_attn"] == "Masked Self-Attention"
    assert en.legends["dec.1"] == "Decoder layer 1 (of 2)"
    session.lang = "zh"
    zh = view.scene()
    assert zh.labels["dec.0.cross_attn"] == "交叉注意力"
    assert zh.labels["enc.0.self_attn"] == "自注意力"
    assert zh.legends["enc.0"] == "编码器 第 0 层（共 2 层）"
    assert "掩码" in zh.pills
    assert zh.title.startswith("解码步骤 t=2（第 3 个词元")
    assert all(zh.labels[b] for b in zh.labels)
    for table in (BOX, STRINGS, OPS, SHORT):
        assert all(entry.get("en") and entry.get("zh") for entry in table.values())


def test_header_shows_decoding_step_and_choice(view: DiagramView, session: Session) -> None:
    session.seek(session.trace.first("t3/dec.0.self_attn.q").index)
    sc = view.scene()
    assert sc.phase == "decode" and sc.phase_text == "decoding"
    assert sc.title == "Decoding step t=3 (token 4 of 7)"
    assert sc.sentence == "die Zeit fliegt" and sc.sentence_next == "?"
    step = session.trace.first("t3/next.token")
    session.seek(step.index)
    tid = int(session.trace.value(step.key).reshape(-1)[0])
    word = session.bundle.tgt_tok.token(tid)
    assert view.scene().sentence_next.startswith(word) and word == "wie"
    assert view.scene().labels["output"].startswith("Next token: wie")
    session.seek(0)
    assert view.scene().title == "Encoding the source"
    assert view.scene().tokens["src"] == session.trace.meta["src_tokens"]


def test_tooltip_counts_steps(view: DiagramView, session: Session) -> None:
    session.seek(session.trace.first("t2/dec.0.self_attn.q").index)
    tip = view.tooltip(QPointF(view.box_center("dec.1.cross_attn")))
    n = len(session.trace.find("t2/dec.1.cross_attn.*"))
    assert f"{n} steps here" in tip and "first: t2/dec.1.cross_attn.q" in tip


def test_animation_moves_the_highlight(qtbot, view: DiagramView, session: Session) -> None:
    session.seek(session.trace.first("enc.0.self_attn.q").index)
    view.grab()
    session.animate = True
    session.seek(session.trace.first("enc.0.add1").index)
    assert view._anim.state() == view._anim.State.Running
    qtbot.waitUntil(lambda: view._anim.state() == view._anim.State.Stopped, timeout=2000)
    assert view.scene().glow == view.diagram_layout().boxes["enc.0.an1"]
    session.animate = False
    session.seek(session.trace.first("enc.0.ffn.act").index)
    assert view._anim.state() == view._anim.State.Stopped


def test_new_source_rebuilds_the_index(view: DiagramView, session: Session) -> None:
    session.source = "The dog sees the cat"
    try:
        assert view.index.trace is session.trace
        session.seek(0)
        assert view.scene().tokens["src"] == session.trace.meta["src_tokens"]
        for i in range(0, len(session), 3):  # repaints on the new trace (speed: bench/gui.py)
            session.seek(i)
            view.repaint()
    finally:
        session.source = "Time flies like an arrow"


def test_training_trace_shows_phases(qtbot, view: DiagramView, session: Session) -> None:
    import copy

    from core.config import TrainConfig
    from core.tracing import trace_training_step
    from core.train import Trainer

    old = session.trace
    trainer = Trainer(copy.deepcopy(session.bundle), None, TrainConfig(warmup=0))
    trace = trace_training_step(
        trainer, "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"
    )
    session.trace = trace
    try:
        assert view.index.trace is trace and not view.index.translation
        for i in range(len(session)):
            session.seek(i)
            view.scene()
            assert view.current is not None, session.step.key  # every step has a box
        session.seek(trace.first("enc.0.self_attn.w_q.weight", "update").index)
        sc = view.scene()
        assert sc.phase == "update" and sc.current == "enc.0.self_attn"
        assert sc.pills[sc.pill_current] == "W_Q"
        assert sc.labels["output"] == "Loss"
        view.grab()
    finally:
        session.trace = old
        session.seek(0)


def test_small_dock_scales_and_clicks_still_hit(qtbot, view: DiagramView, session: Session) -> None:
    view.resize(240, 320)
    session.seek(session.trace.first("t1/dec.0.self_attn.q").index)
    assert view.scale() < 1.0  # even the compact layout is taller: drawn scaled to fit
    click(qtbot, view, "dec.1.ffn")
    assert session.step.key == "t1/dec.1.ffn.hidden"
    view.grab()


def test_narrow_pills_keep_every_attention_op(qtbot, view: DiagramView, session: Session) -> None:
    view.resize(230, 330)
    session.seek(session.trace.first("enc.0.self_attn.scores").index)
    ops = view.ops()
    assert len(ops) == len(session.trace.find("enc.0.self_attn.*"))
    assert view.scene().pills[0] == "Q"
    view.resize(500, 800)


def test_chosen_token_never_rounds_up_and_long_inputs_elide() -> None:
    from visualizer.panels.diagram.diagram_chrome import shown_tokens
    from visualizer.widgets.numbers import percent

    assert percent(0.99996) != "100.0%" and not percent(0.99996).startswith("100")
    toks = ["tok"] * 40
    shown = shown_tokens(toks, 200, lambda t: 40.0)
    assert shown[-1].startswith("… +") and len(shown) - 1 + int(shown[-1][3:]) == 40
    assert shown_tokens(toks[:3], 200, lambda t: 40.0) == toks[:3]


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_a_short_dock_scrolls_to_the_current_box_instead_of_shrinking_the_labels(
    qtbot, session: Session, bridge: SessionBridge, zoom: float
) -> None:
    """In its dock's scroll area (as the window holds it) a dock shorter than the compact
    figure scrolls: the figure keeps its full size (labels ≥ 10.5 px, never the 7 px of a
    shrunk drawing; at a presentation zoom drawn that much larger) and each step scrolls
    its box into view (issue 16)."""
    from visualizer.theme import get_scale, set_scale

    before = get_scale()
    set_scale(zoom)
    try:
        _short_dock(qtbot, session, bridge, zoom)
    finally:
        set_scale(before)


def _short_dock(qtbot, session: Session, bridge: SessionBridge, zoom: float) -> None:
    from visualizer.widgets.scrolled import scrolled

    session.animate = False
    session.seek(0)
    v = DiagramView(session, bridge)
    area = scrolled(v)
    qtbot.addWidget(area)
    area.resize(round(300 * zoom), 260)  # a dock as wide as at 100 %, in pixels of the zoom
    area.show()
    qtbot.waitUntil(lambda: v.height() > area.viewport().height())
    for name in ("src.tokens", "enc.1.ffn.hidden", "t0/next.probs", "t1/dec.0.self_attn.q"):
        session.seek(session.trace.first(name).index)
        QApplication.processEvents()
        assert v.scale() == zoom, name
        assert v.height() >= dl.compact_height(v._spec(v.width(), 300)) - 1
        box = v.diagram_layout().boxes[v.current or ""]
        top = v.mapTo(area.viewport(), v.box_center(v.current or ""))
        assert 0 <= top.y() <= area.viewport().height(), (name, top.y(), box)
    area.close()
