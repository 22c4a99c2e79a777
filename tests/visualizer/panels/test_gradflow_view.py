"""The gradient-flow view shows, per block, the norm of the gradient at the block's output
and of its parameters' gradients, input first; clicking a bar seeks to its backward step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.gradflow.gradflow_view import GradFlowView


@pytest.fixture
def view(qtbot, session: Session) -> GradFlowView:
    session.mode, session.lang = "train", "en"
    session.seek(0)
    v = GradFlowView(session, SessionBridge(session))
    qtbot.addWidget(v)
    v.resize(700, 600)
    v.show()
    qtbot.waitExposed(v)
    return v


def norm(x: np.ndarray) -> float:
    return float(np.sqrt(np.sum(x.astype(np.float64) ** 2)))


def test_bars_are_trace_norms(view: GradFlowView, session: Session) -> None:
    tr = session.trace
    f = view.flow
    assert f is not None
    ids = [b.id for b in f.blocks]
    assert ids[0] == "src" and ids[-1] == "head"
    assert ids.index("enc.1.ffn") < ids.index("tgt") < ids.index("dec.0.cross_attn")
    vals = dict(zip(ids, view.chart.values, strict=True))
    expect_act = {
        "src": "d/src.input",
        "enc.0.self_attn": "d/enc.0.self_attn.out",
        "enc.0.ffn": "d/enc.0.ffn.out",
        "enc.1.norm2": "d/enc.1.norm2",
        "dec.1.cross_attn": "d/dec.1.cross_attn.out",
        "head": "d/logits",
    }
    for b, key in expect_act.items():
        assert vals[b][0] == pytest.approx(norm(tr.value(key)), rel=1e-6)
    params = [k for k in tr.tensors if k.startswith("d/dec.1.cross_attn.w_")]
    assert len(params) == 8
    assert vals["dec.1.cross_attn"][1] == pytest.approx(
        np.sqrt(sum(norm(tr.value(k)) ** 2 for k in params)), rel=1e-6
    )
    assert vals["head"][1] == pytest.approx(
        np.hypot(norm(tr.value("d/head.weight")), norm(tr.value("d/head.bias"))), rel=1e-6
    )
    # all blocks' parameter norms together are the traced total norm before clipping
    total = np.sqrt(sum(p**2 for _, p in view.chart.values))
    assert total == pytest.approx(tr.meta["grad_norm"], rel=1e-4)
    assert f"{tr.meta['grad_norm']:.2e}" in view.summary.text()


def test_highlight_and_click_seeks(view: GradFlowView, session: Session, qtbot) -> None:
    f = view.flow
    assert f is not None
    session.seek_key("d/dec.1.cross_attn.weights")
    i = f.index("dec.1.cross_attn")
    assert view.chart.highlight == i
    session.seek_name("enc.0.ffn.hidden")  # forward step: its block is highlighted too
    assert view.chart.highlight == f.index("enc.0.ffn")
    j = f.index("dec.0.self_attn")
    y = int(view.chart.row_rect(j).center().y())
    qtbot.mouseClick(view.chart, Qt.MouseButton.LeftButton, pos=QPoint(300, y))
    step = session.step
    assert step.phase == "backward" and step.key == "d/dec.0.self_attn.out"
    assert session.cursor == min(
        s.index
        for s in session.trace.steps
        if s.phase == "backward" and s.name.startswith("dec.0.self_attn")
    )
    assert view.chart.highlight == j


def test_log_lang_walk_and_translate_hint(view: GradFlowView, session: Session) -> None:
    view.log_box.setChecked(False)
    assert not view.chart.log
    view.log_box.setChecked(True)
    session.lang = "zh"
    assert "解码器1 交叉注意力" in view.chart.labels
    assert "梯度范数" in view.summary.text()
    session.lang = "en"
    assert "dec.1 cross-attn" in view.chart.labels
    for i in range(len(session)):
        session.seek(i)
    session.mode = "translate"
    assert view.flow is None and view.stack.currentIndex() == 0
    assert "Train one step" in view.hint.text()
    for i in range(0, len(session), 7):
        session.seek(i)
    session.mode = "train"
    assert view.flow is not None and view.stack.currentIndex() == 1


@pytest.fixture
def zoom2():
    """Presentation zoom 2 for one test (back to 1 afterwards, also on failure)."""
    from visualizer import theme

    theme.set_scale(2.0)
    yield 2.0
    theme.set_scale(1.0)


def test_chart_scales_as_a_whole_at_zoom_2(qtbot, view: GradFlowView, zoom2: float) -> None:
    """Zoomed type in rows of fixed height overlapped: the chart asks for room for every
    row, and its rows, type and hit testing grow together by the drawing's scale."""
    from PySide6.QtGui import QFontMetricsF

    from visualizer.panels.gradflow.gradflow_chart import GradFlowChart
    from visualizer.theme import ui_font

    chart = GradFlowChart()
    qtbot.addWidget(chart)
    chart.set_data(view.chart.labels, view.chart.values)
    n = len(chart.values)
    line_h = QFontMetricsF(ui_font(9 / zoom2)).height()  # a label's line at zoom 1
    need = chart.minimumSizeHint().height()
    assert need >= n * line_h  # not zoomed: the window must not outgrow the screen
    for height, scale in ((need, 1.0), (round(need * zoom2) + 4, zoom2)):
        chart.resize(800, height)
        assert chart.drawing_scale() == pytest.approx(scale)
        rows = [chart.row_rect(i) for i in range(n)]
        for i, r in enumerate(rows):
            assert r.height() >= line_h * scale  # the label's line fits its row on screen
            assert chart.row_at(r.center().y()) == i  # clicks land on the row drawn there
        assert rows[0].bottom() <= height and rows[-1].top() >= 0
