"""The Update view draws one Adam step of one parameter, straight from the trace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.update.update_view import UpdateView

if TYPE_CHECKING:
    from visualizer.assemble import SimulatorWindow


@pytest.fixture
def view(qtbot: QtBot, train: Session) -> UpdateView:
    s = train
    s.lang = "en"
    s.selection = replace(s.selection, row=None, col=None)
    v = UpdateView(s, SessionBridge(s))
    qtbot.addWidget(v)
    v.resize(900, 650)
    return v


def update_index(s: Session, name: str) -> int:
    return next(st.index for st in s.trace.steps if st.phase == "update" and st.name == name)


def test_panels_are_the_traced_tensors(view: UpdateView, train: Session) -> None:
    s = train
    for name in ("head.weight", "enc.0.norm1.weight", "enc.0.self_attn.w_q.weight"):
        s.seek(update_index(s, name))
        step = s.step
        assert view.param == name
        for role in ("before", "grad", "update", "out"):
            want = s.trace.value(step.tensors[role]).astype(np.float32)
            got = view.maps[role].values
            assert got.shape == (want.shape if want.ndim == 2 else (1, want.size))
            np.testing.assert_array_equal(got.ravel(), want.ravel())
        after = view.maps["out"].values.astype(np.float64)
        before = view.maps["before"].values.astype(np.float64)
        delta = view.maps["update"].values.astype(np.float64)
        assert np.abs(after - (before + delta)).max() < 1e-6
        size = int(np.prod(step.shape))
        assert int(view.hist_grad.counts.sum()) == size
        assert int(view.hist_update.counts.sum()) == size
        assert int(view.hist_update.curve.yData.sum()) == size


def test_big_matrix_keeps_its_shape(view: UpdateView, train: Session) -> None:
    s = train
    s.seek(update_index(s, "head.weight"))
    assert view.maps["grad"].values.shape == (109, 64)
    assert "109×64" in view.title.text()


def test_picker_changes_the_parameter(view: UpdateView, train: Session) -> None:
    s = train
    s.seek_name("enc.0.self_attn.weights")
    assert s.step.phase == "forward"
    assert view.param == "enc.0.self_attn.w_q.weight"
    assert view.picker.currentText() == "enc.0.self_attn.w_q.weight"
    i = view.picker.findText("dec.1.ffn.w1.bias") if "dec.1.ffn.w1.bias" in view.params else 3
    name = view.picker.itemText(i)
    view.picker.activated.emit(i)
    assert view.param == name
    want = s.trace.value(s.trace.steps[view.params[name]].tensors["grad"])
    np.testing.assert_array_equal(view.maps["grad"].values.ravel(), want.ravel())
    # on an update step the picker moves the cursor to the picked parameter's update
    s.seek(update_index(s, "head.bias"))
    j = view.picker.findText("tgt_embed.weight")
    view.picker.activated.emit(j)
    assert s.step.phase == "update" and s.step.name == "tgt_embed.weight"
    assert view.param == "tgt_embed.weight"


def test_selected_cell_and_loss_line(view: UpdateView, train: Session) -> None:
    s = train
    s.seek(update_index(s, "head.weight"))
    s.selection = replace(s.selection, row=5, col=3)
    assert view.cell == (5, 3)
    m = s.trace.value(s.step.tensors["m"])[5, 3]
    assert f"{m:.4g}" in view.adam_line.text()
    meta = s.trace.meta
    text = view.loss_line.text()
    assert f"{meta['loss']:.4g}" in text and f"{meta['loss_after']:.4g}" in text
    drop = (meta["loss"] - meta["loss_after"]) / meta["loss"] * 100
    assert f"{abs(drop):.1f} %" in text
    assert ("#2a9d4b" if drop > 0 else "#d62828") in text
    assert f"{meta['lr']:.3g}" in view.lr_line.text()
    view.maps["before"].sigCellClicked.emit(7, 2)
    assert (s.selection.row, s.selection.col) == (7, 2)
    assert view.cell == (7, 2)


def test_language_switch(view: UpdateView, train: Session) -> None:
    s = train
    s.seek(update_index(s, "head.weight"))
    s.lang = "zh"
    assert "参数更新" in view.title.text()
    assert "损失" in view.loss_line.text()
    s.lang = "en"
    assert view.title.text().startswith("Update")


def test_walk_every_step(view: UpdateView, train: Session) -> None:
    s = train
    s.selection = replace(s.selection, row=100, col=60)  # out of range for most parameters
    for i in range(len(s)):
        s.seek(i)
        assert view.param in view.params


def test_translate_mode_shows_a_hint(qtbot: QtBot, builtin_session: Session) -> None:
    s = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
    v = UpdateView(s, SessionBridge(s))
    qtbot.addWidget(v)
    assert v.stack.currentIndex() == 0
    assert "Train one step" in v.hint.text()
    s.lang = "zh"
    assert "训练一步" in v.hint.text()
    for i in range(len(s)):
        s.seek(i)
    s.mode = "train"
    assert v.stack.currentIndex() == 1 and v.param is not None


def test_on_its_update_step_only_the_value_after_is_drawn_here(
    view: UpdateView, train: Session
) -> None:
    """On a parameter's own update step the centre's tensor view draws before, gradient
    and Δ: this view draws only the value after (no map twice, issue 16); elsewhere, a
    parameter picked in the combo, all four, two by two."""
    s = train
    view.show()
    s.seek(update_index(s, "head.weight"))
    assert view.deferred
    shown = {role for role, heat in view.maps.items() if heat.isVisibleTo(view)}
    assert shown == {"out"}
    assert view.in_centre.isVisibleTo(view) and "centre" in view.in_centre.text()
    np.testing.assert_array_equal(  # still the trace's value after
        view.maps["out"].values, s.trace.value(s.step.tensors["out"]).astype(np.float32)
    )
    s.lang = "zh"
    assert "张量视图" in view.in_centre.text()
    s.lang = "en"
    s.seek_name("enc.0.self_attn.weights")  # a forward step: the block's parameter
    assert not view.deferred and not view.in_centre.isVisibleTo(view)
    assert all(heat.isVisibleTo(view) for heat in view.maps.values())
    grid = {role: view.maps[role].geometry() for role in view.maps}
    assert grid["before"].top() == grid["out"].top() < grid["grad"].top()  # two by two
    assert grid["before"].left() == grid["grad"].left() < grid["out"].left()
    assert grid["before"].width() > view.width() * 0.4  # half the width, not a quarter


def test_the_window_draws_an_update_step_once(
    make_window: Callable[..., SimulatorWindow], builtin_session: Session
) -> None:
    """The whole window at head.weight's update step with the Update dock in front: the
    before matrix (109×64) is drawn by exactly one visible heatmap."""
    from PySide6.QtWidgets import QApplication

    from visualizer.widgets.heatmap import Heatmap

    s = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
    s.animate = False
    s.mode = "train"
    w = make_window(s, (1366, 768))
    w.docks["update"].show()
    w.docks["update"].raise_()
    s.seek(update_index(s, "head.weight"))
    QApplication.processEvents()
    before = s.trace.value(s.step.tensors["before"]).astype(np.float32)
    drawn = [
        h
        for h in w.findChildren(Heatmap)
        if h.isVisible()
        and getattr(h, "values", None) is not None
        and h.values.shape == before.shape
        and np.array_equal(h.values, before)
    ]
    assert len(drawn) == 1
    assert not w.views["update"].isAncestorOf(drawn[0])  # the centre's
