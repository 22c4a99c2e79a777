"""The tensor view: the right numbers in the right panels, labels, selection, heads,
languages, new runs, and every step of a translation and of a training step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from core.session import Session
from core.trace import Trace
from tests.visualizer.panels.tensor_kit import go
from visualizer.bridge import SessionBridge
from visualizer.panels.tensor.tensor_view import TensorView
from visualizer.widgets.heatmap import Heatmap


@pytest.fixture
def view(tensor_view: TensorView) -> TensorView:
    return tensor_view


def shown(view: TensorView) -> list[Heatmap]:
    return view.strip.panels[: len(view.panels)]


def main(view: TensorView) -> Heatmap:
    i = next(i for i, p in enumerate(view.panels) if p.main)
    return view.strip.panels[i]


def test_scores_show_q_times_k_transposed(view: TensorView, session: Session) -> None:
    go(session, "enc.0.self_attn.scores")
    tr, step = session.trace, session.step
    assert [p.role for p in view.panels] == ["q", "k", "out"]
    q, k, out = shown(view)
    np.testing.assert_array_equal(q.values, tr.value(step.tensors["q"])[0, 0])
    np.testing.assert_array_equal(k.values, tr.value(step.tensors["k"])[0, 0].T)
    np.testing.assert_array_equal(out.values, tr.value(step.key)[0, 0])
    assert "Kᵀ" in k.title.text()
    assert out.rows == out.cols == tr.meta["src_tokens"]
    assert k.cols == tr.meta["src_tokens"]  # Kᵀ: tokens along the columns
    assert view.strip.grid  # drawn as a product: Kᵀ above, Q left of the scores
    meta = view.header.meta.text()
    assert "<b>op</b> matmul" in meta and "1 × 4 × 6 × 6" in meta


def test_head_selector_sets_selection_and_redraws(view: TensorView, session: Session) -> None:
    go(session, "enc.0.self_attn.weights")
    assert view.header.head_box.isVisible()
    view.header.heads.button(2).click()
    assert session.selection.head == 2
    np.testing.assert_array_equal(main(view).values, session.trace.value(session.step.key)[0, 2])
    assert "head 2" in main(view).title.text()
    go(session, "enc.0.add1")  # no head axis: no selector
    assert not view.header.head_box.isVisible()


def _click(qtbot, hm: Heatmap, r: int, c: int) -> None:  # type: ignore[no-untyped-def]
    """A real mouse click on the centre of cell (r, c)."""
    vb = hm.plot.getViewBox()
    pos = hm.plot.mapFromScene(vb.mapViewToScene(QPointF(c + 0.5, r + 0.5)))
    qtbot.mouseClick(hm.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))


def test_click_selects_cell_and_links_inputs(qtbot, view: TensorView, session: Session) -> None:  # type: ignore[no-untyped-def]
    go(session, "enc.0.self_attn.scores")
    q, k, out = shown(view)
    qtbot.wait(50)
    _click(qtbot, out, 1, 2)
    assert (session.selection.row, session.selection.col) == (1, 2)
    assert out.selected == (1, 2) and out.marker.isVisible()
    assert "0." in out.readout.text() or "[" in out.readout.text()
    assert q.band.isVisible() and q.band.rect().y() == 1 and q.band.rect().height() == 1
    assert k.band.isVisible() and k.band.rect().x() == 2 and k.band.rect().width() == 1
    assert out.describe(1, 2).endswith(f"{float(out.values[1, 2]):.6g}")


def test_hover_links_inputs_then_restores_selection(view: TensorView, session: Session) -> None:
    go(session, "enc.0.self_attn.context")
    session.selection = replace(session.selection, row=2, col=3)
    weights, v, out = shown(view)
    assert weights.band.rect().y() == 2 and v.band.rect().x() == 3
    out.sigCellHovered.emit(4, 5)  # the pointer over cell (4, 5) of the context
    assert weights.band.rect().y() == 4 and v.band.rect().x() == 5
    out.sigHoverEnded.emit()
    assert weights.band.rect().y() == 2 and v.band.rect().x() == 3
    assert (session.selection.row, session.selection.col) == (2, 3)


def test_selection_survives_steps_when_in_range(view: TensorView, session: Session) -> None:
    session.selection = replace(session.selection, row=1, col=2)
    go(session, "enc.0.self_attn.scaled")
    assert main(view).selected == (1, 2)
    assert shown(view)[0].band.isVisible()  # the same cell of the input
    go(session, "t0/dec.0.self_attn.masked")  # a 1×1 matrix: out of range
    assert main(view).selected is None
    go(session, "enc.1.self_attn.weights")
    assert main(view).selected == (1, 2)


def test_masked_scores_visible_as_minus_inf(view: TensorView, session: Session) -> None:
    go(session, "t2/dec.0.self_attn.masked")
    out = main(view)
    value = session.trace.value(session.step.key)
    assert np.isneginf(out.values).any()
    r, c = np.argwhere(np.isneginf(out.values))[0]
    assert "-inf" in out.describe(r, c)
    assert tuple(out.image.image[r, c, :3]) == (190, 190, 196)  # grey, not the blue end
    assert out.bar.masked
    assert f"{int(np.isneginf(value).sum())}" in view.header.stats.text()
    assert out.mode == "diverging"


def test_softmax_uses_probability_colours(view: TensorView, session: Session) -> None:
    go(session, "t2/dec.0.self_attn.weights")
    x, out = shown(view)
    assert out.mode == "probability" and x.mode == "diverging"
    assert out.bar.lo == 0.0 and out.bar.hi == 1.0
    go(session, "t3/dec.1.cross_attn.weights")
    assert main(view).rows == ["<bos>", *session.trace.meta["tgt_tokens"][:3]]
    assert main(view).cols == session.trace.meta["src_tokens"]


def test_next_probs_labelled_with_vocabulary(view: TensorView, session: Session) -> None:
    go(session, "t3/next.probs")
    out = main(view)
    tok = session.bundle.tgt_tok
    assert out.values.shape == (1, tok.size)
    assert out.cols == [tok.token(i) for i in range(tok.size)]
    np.testing.assert_array_equal(out.values[0], session.trace.value(session.step.key)[0])
    go(session, "t3/next.token")
    chosen = int(session.trace.value(session.step.key)[0])
    assert main(view).cols == [tok.token(chosen)] and main(view).mode == "ids"


def test_embedding_ids_table_and_param_toggle(view: TensorView, session: Session) -> None:
    go(session, "src.embed")
    assert [p.role for p in view.panels] == ["ids", "out", "table"]
    ids, _, table = shown(view)
    assert ids.mode == "ids" and ids.cols == session.trace.meta["src_tokens"]
    np.testing.assert_array_equal(ids.values[0], session.trace.value("src.tokens")[0])
    assert table.values.shape == session.trace.value("src_embed.weight").shape
    session.selection = replace(session.selection, row=1, col=0)
    assert table.band.isVisible() and table.band.rect().y() == ids.values[0, 1]
    view.header.params.setChecked(False)
    assert [p.role for p in view.panels] == ["ids", "out"]
    view.header.params.setChecked(True)


def test_linear_weight_sliced_to_the_head(view: TensorView, session: Session) -> None:
    session.selection = replace(session.selection, head=1)
    go(session, "enc.0.self_attn.q")
    x, w, out = shown(view)
    weight = session.trace.value("enc.0.self_attn.w_q.weight")
    np.testing.assert_array_equal(w.values, weight[16:32].T)
    assert "Wᵀ" in w.title.text() and "head 1" in out.title.text()
    bias = x.values @ w.values - out.values  # x · Wᵀ_h + b = Q_h: rows differ by the bias
    np.testing.assert_allclose(bias - bias[0], 0, atol=1e-4)


def test_add_and_layernorm(view: TensorView, session: Session) -> None:
    go(session, "enc.0.add1")
    x, sub, out = shown(view)
    np.testing.assert_allclose(x.values + sub.values, out.values, atol=1e-5)
    assert "sublayer(x)" in sub.title.text() and view.strip.vertical  # 6×64: stacked
    go(session, "enc.0.norm1")
    assert [p.role for p in view.panels] == ["x", "weight", "out"]
    assert shown(view)[1].values.shape == (1, 64)


def test_language_switch_relabels(view: TensorView, session: Session) -> None:
    go(session, "enc.0.self_attn.weights")
    session.lang = "zh"
    assert "形状" in view.header.meta.text() and "最小值" in view.header.stats.text()
    assert "注意力权重" in main(view).title.text()
    assert view.header.chip.text().strip() == "前向"
    session.lang = "en"
    assert "shape" in view.header.meta.text() and "weights" in main(view).title.text()


def test_chinese_names_axes_and_panels_in_chinese(view: TensorView, session: Session) -> None:
    """In Chinese the header's axes, the panels' titles and the op captions hold no English
    word: tokens (the vocabularies) and code names (the step's trace name) are data."""
    from visualizer.gallery.fit_rules import foreign_words, plain, without_code_spans
    from visualizer.panels.tensor.tensor_header import AXES_ZH

    vocab = frozenset(
        t.lower()
        for tok in (session.bundle.src_tok, session.bundle.tgt_tok)
        for t in (tok.token(i) for i in range(tok.size))
    )
    session.lang = "zh"
    try:
        go(session, "enc.0.self_attn.weights")
        meta = " ".join(plain(view.header.meta.text()).split())
        assert "轴 批 × 头 × 源位置 × 源位置" in meta, meta
        go(session, "src.tokens")
        assert main(view).rows == ["编号"]
        found: dict[str, list[str]] = {}
        for i in range(len(session)):
            session.seek(i)
            meta = plain(view.header.meta.text())  # read as the layout check reads it
            texts = [without_code_spans(view.header.meta, meta), view.header.title.text()]
            texts += [plain(hm.title.text()) for hm in shown(view)]
            texts += [o.caption.text() for o in view.strip.ops if o.isVisible()]
            for text in texts:
                words = foreign_words(text, "zh", vocab)
                if words:
                    found[f"{session.step.name}: {text}"] = words
            # the code name starting the line is read as one by the layout check
            assert meta.startswith(view.header.code) and view.header.code == session.step.name
            assert view.header.code not in without_code_spans(view.header.meta, meta)
        assert not found, found
        assert set(AXES_ZH) >= {a for s in session.trace.steps for a in s.axes}
    finally:
        session.lang = "en"
    go(session, "src.tokens")
    assert main(view).rows == ["id"] and "axes batch × src" in " ".join(
        plain(view.header.meta.text()).split()
    )


@pytest.mark.parametrize("model", ["moe-de", "vit-pets", "bert-who"])
def test_other_shapes_read_in_chinese(qtbot, model: str) -> None:  # type: ignore[no-untyped-def]
    """The MoE router's, the picture classifier's and the sentence classifier's steps:
    their panels (experts, patches, the classification head) are named in Chinese."""
    from pathlib import Path

    from visualizer.gallery.fit_rules import foreign_words, plain, without_code_spans

    s = Session.open_builtin("en-de")
    s.open_model(Path(__file__).parents[3] / "assets" / "models" / model)
    s.animate, s.lang = False, "zh"
    v = TensorView(s, SessionBridge(s))
    qtbot.addWidget(v)
    v.resize(1200, 800)
    vocab = frozenset(
        t.lower()
        for tok in (s.bundle.src_tok, s.bundle.tgt_tok)
        for t in (tok.token(i) for i in range(tok.size))
    )
    found: dict[str, list[str]] = {}
    for i in range(len(s)):
        s.seek(i)
        texts = [without_code_spans(v.header.meta, plain(v.header.meta.text()))]
        texts += [plain(hm.title.text()) for hm in shown(v)]
        texts += [o.caption.text() for o in v.strip.ops[: len(v.panels)]]
        for text in texts:
            if words := foreign_words(text, "zh", vocab):
                found[f"{s.step.name}: {text}"] = words
    assert not found, found


def test_new_source_relabels(view: TensorView, session: Session) -> None:
    try:
        session.source = "The dog sees the cat"
        go(session, "enc.0.self_attn.weights")
        assert main(view).rows == session.trace.meta["src_tokens"]
        assert main(view).values.shape[0] == len(session.trace.meta["src_tokens"])
    finally:
        session.source = "Time flies like an arrow"


def test_every_translation_step(view: TensorView, session: Session) -> None:
    from core.display import as_matrix

    for i in range(len(session)):
        session.seek(i)
        step = session.step
        assert view.step is step and view.strip.isVisible(), step.key
        out = main(view)
        expected = as_matrix(session.trace, step, step.key, 0).values
        assert out.values.size == expected.size, step.key
    assert view.header.code == session.step.name


def test_training_step_backward_and_update(
    view: TensorView, session: Session, train_trace: Trace
) -> None:
    old = session.trace
    try:
        session.trace = train_trace  # cursor still points into the longer translation
        for i in range(len(train_trace)):
            session.seek(i)
            assert view.strip.isVisible(), session.step.key
        grad = train_trace.first("dec.1.cross_attn.weights", phase="backward")
        session.seek(grad.index)
        assert view.header.code == "∂L/∂ dec.1.cross_attn.weights"
        assert "<code>∂L/∂ dec.1.cross_attn.weights</code>" in view.header.meta.text()
        assert [p.role for p in view.panels] == ["value", "out"]
        assert "∂L/∂" in main(view).title.text() and main(view).mode == "diverging"
        upd = next(s for s in train_trace.steps if s.phase == "update")
        session.seek(upd.index)
        assert [p.role for p in view.panels] == ["before", "grad", "update", "out"]
        session.seek(train_trace.first("loss", phase="loss").index)
        assert main(view).values.shape == (1, 1)
    finally:
        session.cursor = 0
        session.trace = old


def test_hovering_a_cell_reports_the_traced_value(
    qtbot, view: TensorView, session: Session
) -> None:  # type: ignore[no-untyped-def]
    go(session, "t3/dec.1.cross_attn.weights")
    session.selection = replace(session.selection, head=2)
    out = main(view)
    qtbot.wait(50)
    traced = session.trace.value("t3/dec.1.cross_attn.weights")[0, 2]  # (tgt, src) of head 2
    vb = out.plot.getViewBox()
    for r, c in ((0, 0), (3, 2), (2, 5)):
        # what the scene reports when the pointer moves over the centre of cell (r, c)
        out.plot.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(c + 0.5, r + 0.5)))
        assert out.readout_text.endswith(f"=  {float(traced[r, c]):.6g}")
        assert out.plot.toolTip() == out.readout_text


def _labels(hm: Heatmap, side: str) -> list[tuple[float, str]]:
    return hm._last_ticks[side][0]  # type: ignore[index]


def test_next_probs_reads_only_the_last_logits_row(view: TensorView, session: Session) -> None:
    go(session, "t4/next.probs")
    logits, out = shown(view)
    full = session.trace.value(session.step.tensors["x"])
    np.testing.assert_array_equal(logits.values[0], full.reshape(-1, full.shape[-1])[-1])
    assert logits.values.shape == (1, out.values.shape[1])
    assert "last position" in logits.title.text() and logits.rows[0] in logits.title.text()
    # the two panels' cells start at the same x, so their columns line up
    assert view.strip.vertical
    x0 = [
        hm.mapTo(view, hm.plot.getViewBox().geometry().topLeft().toPoint()).x()
        for hm in (logits, out)
    ]
    assert abs(x0[0] - x0[1]) <= 1
    # the likeliest tokens are always named on both axes, and in the readout
    best = int(np.argmax(out.values[0]))
    for hm in (logits, out):
        assert any(s.endswith(out.cols[best]) for _, s in _labels(hm, "bottom"))
    assert out.cols[best] in out.readout_text


def test_layernorm_gain_centred_on_one(view: TensorView, session: Session) -> None:
    go(session, "enc.0.norm1")
    gamma = shown(view)[1]
    assert gamma.mode == "gain" and "centred on 1" in gamma.title.text()
    lo, hi = gamma.bar.lo, gamma.bar.hi
    assert abs((lo + hi) / 2 - 1) < 1e-6 and hi - lo < 1.0


def test_index_zero_always_labelled(view: TensorView, session: Session) -> None:
    for name in ("enc.1.ffn.act", "t4/logits"):
        go(session, name)
        for hm in shown(view):
            assert _labels(hm, "bottom")[0][0] == 0.5, name


def test_token_steps_show_tokens_not_stats(view: TensorView, session: Session) -> None:
    go(session, "t3/next.token")
    text = view.header.stats.text()
    chosen = int(session.trace.value(session.step.key)[0])
    assert session.bundle.tgt_tok.token(chosen) in text and "mean" not in text
    go(session, "t3/next.probs")
    assert "mean" in view.header.stats.text()


def test_thinned_token_labels_name_their_index(view: TensorView, session: Session) -> None:
    session.source = (
        "the dog sees the cat and the bird flies like an arrow "
        "and the dog sees the cat and the bird"
    )
    try:
        go(session, "enc.0.self_attn.weights")
        shown = main(view)
        # the same matrix squeezed below the readable minimum the strip keeps it at (in a
        # window the strip scrolls instead)
        hm = Heatmap()
        hm.set_matrix(shown.values, shown.rows, shown.cols, shown.mode)
        hm.resize(300, 300)
        hm.show()
        QApplication.processEvents()
        ticks = _labels(hm, "bottom")
        if len(ticks) < hm.values.shape[1]:  # thinned: "index:token" at the index' cell
            for x, s in ticks:
                i, tok = s.split(":", 1)
                assert int(i) + 0.5 == x and hm.cols[int(i)].startswith(tok.rstrip("…"))
        assert len(ticks) < hm.values.shape[1]
    finally:
        session.source = "Time flies like an arrow"


def test_a_narrow_readout_is_elided_with_the_whole_text_in_its_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    hm = Heatmap()
    qtbot.addWidget(hm)
    hm.set_matrix(np.arange(6, dtype=np.float32).reshape(2, 3), ["a", "b"], ["x", "y", "z"])
    hm.select((1, 2))
    whole = hm.readout_text
    assert whole == "[b , z]  =  5"
    hm.hint = "hover a cell for its exact value   —   top 3: <eos> 0.5 · Zeit 0.3 · Pfeil 0.2"
    hm.select(None)
    hm.resize(160, 200)
    hm.show()
    qtbot.waitExposed(hm)
    shown = hm.readout.text()
    assert shown != hm.hint and shown.endswith("…") and hm.readout.toolTip() == hm.hint
    assert hm.readout.fontMetrics().horizontalAdvance(shown) <= hm.readout.contentsRect().width()
    assert shown.startswith("hover") and hm.readout_text == hm.hint
    hm.resize(1400, 200)
    qtbot.wait(10)
    assert hm.readout.text() == hm.hint and hm.readout.toolTip() == ""  # "<eos>" as written
