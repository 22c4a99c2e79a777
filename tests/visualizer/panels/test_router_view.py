"""The router view draws the traced router probabilities of the MoE layer at the cursor,
outlines the traced top-k choices, and its load and mean-probability bars are the two
factors of the traced load-balancing loss; a dense model gets one line saying it has
no experts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest

from core import assets, checkpoint
from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.router.router_data import RouterIndex
from visualizer.panels.router.router_text import STRINGS
from visualizer.panels.router.router_view import RouterView

LECTURE = "Time flies like an arrow"


@pytest.fixture(scope="module")
def moe() -> Session:
    """The shipped moe-de (decoder-only, 4 experts, top-1) on the lecture sentence."""
    return Session(checkpoint.load(assets.path("models", "moe-de")), "en-de", LECTURE)


@pytest.fixture(scope="module")
def moe_bridge(qapp: object, moe: Session) -> SessionBridge:
    return SessionBridge(moe)


@pytest.fixture
def view(qtbot, moe: Session, moe_bridge: SessionBridge) -> Iterator[RouterView]:
    moe.mode, moe.lang = "translate", "en"
    moe.seek(0)
    v = RouterView(moe, moe_bridge)
    qtbot.addWidget(v)
    v.resize(1000, 650)
    v.show()
    qtbot.waitExposed(v)
    yield v
    moe.mode, moe.lang = "translate", "en"


def seek(session: Session, key: str) -> None:
    session.seek(next(s.index for s in session.trace.steps if s.key == key))


def tokens_of(session: Session, key: str) -> list[str]:
    """Each row's token, read from the traced token ids with the model's own vocabulary."""
    ids = session.trace.value(key)[0]
    vocab = session.bundle.tgt_tok.vocab
    return [vocab[int(i)] for i in ids]


def test_heatmap_is_the_traced_router_probs(view: RouterView, moe: Session) -> None:
    for t, layer in ((0, 0), (3, 1), (6, 0)):
        key = f"t{t}/dec.{layer}.moe.router.probs"
        seek(moe, key)
        probs = moe.trace.value(key)[0]  # (T, E)
        assert probs.shape == (6 + t, 4)  # the prompt "time flies like an arrow =" + t answers
        assert np.array_equal(view.heatmap.values, probs)
        assert view.heatmap.rows == tokens_of(moe, f"t{t}/tgt.tokens")
        assert view.heatmap.cols == ["Expert 0", "Expert 1", "Expert 2", "Expert 3"]
        assert view.heatmap.mode == "probability"
        assert f"decoder layer {layer}" in view.title.text()
        assert f"decoding step {t}" in view.title.text()
        assert "This step computes" in view.note.text()
        assert f"“{view.heatmap.rows[-1]}”" in view.note.text()  # the newest token is named


def test_marked_cells_are_the_traced_topk(view: RouterView, moe: Session) -> None:
    key = "t5/dec.1.moe.topk.experts"
    seek(moe, key)
    chosen = moe.trace.value(key)[0]  # (T, 1)
    expected = [(row, int(chosen[row, 0])) for row in range(chosen.shape[0])]
    assert view.marks.cells == expected
    shown = [r.rect() for r in view.marks._rects if r.isVisible()]
    assert [(int(r.y()), int(r.x())) for r in shown] == expected
    # top-1 picks the most probable expert of every token
    probs = moe.trace.value("t5/dec.1.moe.router.probs")[0]
    assert [e for _, e in expected] == list(np.argmax(probs, axis=1))


def test_load_bars_are_counts_and_give_the_traced_aux_loss(view: RouterView, moe: Session) -> None:
    for key in ("t2/dec.0.moe.aux_loss", "t6/dec.1.moe.aux_loss"):
        seek(moe, key)
        stem = key.removesuffix(".aux_loss")
        chosen = moe.trace.value(stem + ".topk.experts")[0, :, 0].tolist()
        probs = moe.trace.value(stem + ".router.probs")[0].astype(np.float64)
        counted = Counter(chosen)
        n = len(chosen)
        load = [b.prob for b in view.load_bars.bars]
        mean = [b.prob for b in view.mean_bars.bars]
        assert load == pytest.approx([counted[e] / n for e in range(4)], abs=1e-12)
        assert sum(load) == pytest.approx(1.0)
        assert mean == pytest.approx([probs[:, e].sum() / n for e in range(4)], abs=1e-7)
        # the model's own load-balancing loss is 4 · Σ f·P of exactly these bars
        aux = float(moe.trace.value(key))
        assert 4 * float(np.dot(load, mean)) == pytest.approx(aux, rel=1e-5)
        assert f"{aux:.3f}" in view.aux.text() and key in view.aux.text()
        words = view.words.text()
        for e in range(4):
            assert f"<b>Expert {e}</b> ({counted[e]})" in words


def test_hovering_a_token_highlights_its_expert(view: RouterView, moe: Session) -> None:
    seek(moe, "t4/dec.0.moe.combine")
    chosen = moe.trace.value("t4/dec.0.moe.topk.experts")[0, :, 0]
    for row in (0, 5, 9):
        view.heatmap.sigCellHovered.emit(row, 0)
        assert [b.chosen for b in view.load_bars.bars] == [e == chosen[row] for e in range(4)]
        assert [b.chosen for b in view.mean_bars.bars] == [e == chosen[row] for e in range(4)]
    view.heatmap.sigHoverEnded.emit()
    assert not any(b.chosen for b in view.load_bars.bars)


def test_cursor_moves_pick_layer_and_decoding_step(view: RouterView, moe: Session) -> None:
    assert view.layer.count() == 2 and view.layer.isVisibleTo(view)
    seek(moe, "t2/dec.1.moe.router.probs")
    assert view.resolved is not None
    assert (view.resolved.call.block, view.resolved.call.t) == ("dec.1.moe", 2)
    assert view.layer.currentIndex() == 1
    # the next decoding step, before its routing in this layer: a preview of it
    seek(moe, "t3/dec.1.self_attn.q")
    assert (view.resolved.call.block, view.resolved.call.t) == ("dec.1.moe", 3)
    assert view.resolved.relation == "later" and view.note.text().startswith("Preview")
    # into the other layer's experts: the view follows the cursor
    seek(moe, "t4/dec.0.moe.expert.2.out")
    assert (view.resolved.call.block, view.resolved.call.t) == ("dec.0.moe", 4)
    assert view.resolved.relation == "here" and view.layer.currentIndex() == 0
    assert np.array_equal(view.heatmap.values, moe.trace.value("t4/dec.0.moe.router.probs")[0])
    # the chooser shows another layer at the same decoding step ...
    view.layer.activated.emit(1)
    assert (view.resolved.call.block, view.resolved.call.t) == ("dec.1.moe", 4)
    assert np.array_equal(view.heatmap.values, moe.trace.value("t4/dec.1.moe.router.probs")[0])
    # ... and keeps it while the cursor moves outside any MoE layer
    seek(moe, "t5/dec.0.self_attn.q")
    assert (view.resolved.call.block, view.resolved.call.t) == ("dec.1.moe", 5)
    moe.go_end()  # next.token of the last step: the last routing
    assert view.resolved.call.t == 6 and view.resolved.relation == "here"


def test_training_step_shows_its_forward_routing(view: RouterView, moe: Session) -> None:
    moe.mode = "train"
    tr = moe.trace
    assert tr.meta["kind"] == "train_step"
    seek(moe, "d/dec.0.moe.router.probs")  # the backward pass: still the layer's routing
    assert view.resolved is not None and view.resolved.call.t is None
    assert view.resolved.call.probs.key == "dec.0.moe.router.probs"
    assert np.array_equal(view.heatmap.values, tr.value("dec.0.moe.router.probs")[0])
    assert view.heatmap.rows == tr.meta["tgt_in_tokens"]
    assert view.marks.cells == list(enumerate(tr.value("dec.0.moe.topk.experts")[0, :, 0]))
    assert "training step" in view.title.text()
    moe.lang = "zh"
    assert "训练步" in view.title.text()


def test_labels_follow_the_language(view: RouterView, moe: Session) -> None:
    seek(moe, "t1/dec.0.moe.router.probs")
    english = (view.title.text(), view.load_title.text(), view.heatmap.cols[0])
    assert english == (
        "Router (mixture of experts) · decoder layer 0 · decoding step 1",
        "Load f: share of the 7 tokens sent to each expert",
        "Expert 0",
    )
    assert view.layer.itemText(1) == "Decoder layer 1"
    moe.lang = "zh"
    assert view.title.text() == "路由（混合专家） · 解码器第 0 层 · 解码第 1 步"
    assert view.load_title.text() == "负载 f：7 个词元中交给每个专家的比例"
    assert view.heatmap.cols[0] == "专家 0"
    assert view.layer.itemText(1) == "解码器第 1 层"
    assert view.words_title.text() == STRINGS["words"]["zh"]
    assert "负载均衡损失" in view.aux.text()
    moe.lang = "en"
    assert view.title.text() == english[0]


def test_a_dense_model_has_no_experts(qtbot, builtin_session: Session) -> None:
    dense = Session(builtin_session.bundle, "en-de", LECTURE)
    v = RouterView(dense, SessionBridge(dense))
    qtbot.addWidget(v)
    assert v.stack.currentIndex() == 0  # the hint page
    assert v.stack.hint.text() == STRINGS["none"]["en"]
    assert not RouterIndex(dense.trace)
    dense.lang = "zh"
    assert v.stack.hint.text() == STRINGS["none"]["zh"]
    dense.mode = "train"
    assert v.stack.currentIndex() == 0 and v.routing is None


def test_encoder_decoder_moe_with_top_2(qtbot) -> None:
    """`transformer-sim train --ffn moe --top-k 2` on the translator's shape: encoder
    layers route the source once, decoder layers at every decoding step."""
    from core.builtin_corpus import builtin_corpus
    from core.bundle import new_bundle
    from core.config import ModelConfig
    from core.decode import DecodeSettings

    cfg = ModelConfig(
        d_model=16, n_heads=2, d_ff=32, n_enc_layers=1, n_dec_layers=1, ffn="moe",
        n_experts=3, top_k=2,
    )  # fmt: skip
    s = Session(new_bundle(builtin_corpus("en-de"), cfg), "en-de", LECTURE)
    s.decode = DecodeSettings(max_len=4)
    v = RouterView(s, SessionBridge(s))
    qtbot.addWidget(v)
    assert [v.layer.itemText(i) for i in range(v.layer.count())] == [
        "Encoder layer 0",
        "Decoder layer 0",
    ]
    seek(s, "enc.0.moe.topk.weights")
    probs, chosen = (
        s.trace.value("enc.0.moe.router.probs")[0],
        s.trace.value("enc.0.moe.topk.experts")[0],
    )
    assert np.array_equal(v.heatmap.values, probs)
    assert v.heatmap.rows == s.trace.meta["src_tokens"]
    assert v.marks.cells == [(r, int(e)) for r in range(len(chosen)) for e in chosen[r]]
    assert chosen.shape[1] == 2 and len(v.marks.cells) == 2 * len(chosen)
    counted = Counter(chosen.reshape(-1).tolist())
    assert [b.prob for b in v.load_bars.bars] == pytest.approx(
        [counted[e] / chosen.size for e in range(3)]
    )
    # aux uses the first choices only
    first = Counter(chosen[:, 0].tolist())
    f = np.array([first[e] / len(chosen) for e in range(3)])
    aux = float(s.trace.value("enc.0.moe.aux_loss"))
    assert 3 * float(f @ probs.astype(np.float64).mean(0)) == pytest.approx(aux, rel=1e-5)
    # a decoding step: the decoder reads <bos> and the tokens so far
    seek(s, "t2/dec.0.moe.router.probs")
    assert v.heatmap.rows == ["<bos>", *s.trace.meta["tgt_tokens"][:2]]
    assert np.array_equal(v.heatmap.values, s.trace.value("t2/dec.0.moe.router.probs")[0])
    # back in the encoder with the decoder layer chosen: its first routing, as a preview
    seek(s, "enc.0.self_attn.q")
    v.layer.activated.emit(1)
    assert v.resolved is not None and v.resolved.relation == "ahead"
    assert v.resolved.call.probs.key == "t0/dec.0.moe.router.probs"


def test_load_balancing_loss_over_the_training_snapshots(view: RouterView, moe: Session) -> None:
    """The training tab's snapshots keep the RMS of every tensor of the demo sentence's
    translation; for the scalar aux_loss that is the loss of its last decoding step."""
    from core.builtin_corpus import builtin_corpus
    from core.bundle import new_bundle
    from core.tracing import trace_translation
    from core.train_process import snapshot

    assert not view.history.isVisibleTo(view)  # no training run yet
    untrained = new_bundle(builtin_corpus("en-de"), moe.bundle.cfg, seed=3)
    snaps = [snapshot(untrained, LECTURE, 0), snapshot(moe.bundle, LECTURE, 600)]
    try:
        moe.snapshots = tuple((s.step, s.rms) for s in snaps)
        assert view.history.isVisibleTo(view) and view.history_title.isVisibleTo(view)
        lines = {name: (x, y) for name, x, y in view.history.lines}
        assert list(lines) == ["Decoder layer 0", "Decoder layer 1"]
        for layer in (0, 1):
            expected = []
            for bundle in (untrained, moe.bundle):
                trace, _ = trace_translation(bundle, LECTURE)
                last = max(s.t for s in trace.steps if s.t is not None)
                expected.append(float(trace.value(f"t{last}/dec.{layer}.moe.aux_loss")))
            assert lines[f"Decoder layer {layer}"] == ([0, 600], expected)
        moe.lang = "zh"
        assert [name for name, _, _ in view.history.lines] == ["解码器第 0 层", "解码器第 1 层"]
        assert "负载均衡损失" in view.history_title.text()
        # a dense run's snapshots name no router: nothing to draw
        moe.snapshots = ((0, {"dec.0.ffn.out": 1.0}),)
        assert not view.history.isVisibleTo(view) and view.history.lines == []
    finally:
        moe.snapshots = ()
