"""The watch list: a pinned name shows TensorInfo of its tensor at the cursor's decoding
step (or the nearest occurrence), and a sparkline (RMS) with one point per occurrence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from core.inspector import TensorInfo
from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.watches.watches_view import SPARK, WatchesView, X, fmt


def make(qtbot: QtBot, session: Session) -> WatchesView:
    session.update(lang="en", watches=(), error="", animate=False)
    session.seek(0)
    view = WatchesView(session, SessionBridge(session))
    qtbot.addWidget(view)
    view.resize(820, 300)
    view.show()
    return view


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def row_of(view: WatchesView, name: str) -> int:
    return view.names.index(name)


def check_row(view: WatchesView, name: str, key: str) -> None:
    """The row shows TensorInfo.of(trace.value(key)), exactly and as text."""
    r = row_of(view, name)
    occ = view.shown[r]
    assert occ is not None and occ.step.key == key
    info = TensorInfo.of(view.session.trace.value(key))
    assert occ.info == info
    texts = view.row_values(r)
    assert texts["min"] == fmt(info.min) and texts["max"] == fmt(info.max)
    assert texts["mean"] == fmt(info.mean) and texts["std"] == fmt(info.std)
    assert texts["bad"] == f"{info.nan} / {info.inf}"
    assert texts["shape"] == "×".join(map(str, info.shape))
    steps = view.session.trace.find(name)
    steps = [s for s in steps if s.name == name]
    assert view.sparks[r].current == [s.key for s in steps].index(key)


def test_pin_and_stats_follow_the_decoding_step(qtbot: QtBot, translate: Session) -> None:
    view = make(qtbot, translate)
    assert not view.stack.currentIndex()  # the hint: nothing pinned yet
    translate.seek_key("t3/dec.1.cross_attn.weights")
    qtbot.mouseClick(view.pin_btn, Qt.MouseButton.LeftButton)
    assert translate.watches == ("dec.1.cross_attn.weights",)
    assert not view.pin_btn.isEnabled()  # already pinned
    translate.seek_key("t2/next.probs")
    view.pin_current()
    translate.seek_name("enc.1.ffn.out")
    view.pin_current()
    assert view.names == ["dec.1.cross_attn.weights", "next.probs", "enc.1.ffn.out"]
    assert view.stack.currentIndex() == 1
    # on the encoder: the decoder names show their nearest occurrence, t0
    check_row(view, "dec.1.cross_attn.weights", "t0/dec.1.cross_attn.weights")
    check_row(view, "enc.1.ffn.out", "enc.1.ffn.out")
    ts = sorted({s.t for s in translate.trace.steps if s.t is not None})
    for t in ts:
        translate.seek_key(f"t{t}/dec.0.self_attn.q")  # any step at t: stats of t
        check_row(view, "dec.1.cross_attn.weights", f"t{t}/dec.1.cross_attn.weights")
        check_row(view, "next.probs", f"t{t}/next.probs")
        check_row(view, "enc.1.ffn.out", "enc.1.ffn.out")
        assert view.row_values(row_of(view, "next.probs"))["at"] == f"t{t}"
    # sparklines: one point per occurrence, each the RMS of that occurrence
    r = row_of(view, "dec.1.cross_attn.weights")
    spark = view.sparks[r]
    assert spark.point_count() == len(ts) == len(translate.trace.find("dec.1.cross_attn.weights"))
    expect = [rms(translate.trace.value(f"t{t}/dec.1.cross_attn.weights")) for t in ts]
    assert spark.values == pytest.approx(expect, rel=1e-9)
    assert view.sparks[row_of(view, "enc.1.ffn.out")].point_count() == 1
    # clicking the sparkline's first point goes to t0
    qtbot.mouseClick(spark, Qt.MouseButton.LeftButton, pos=QPoint(2, spark.height() // 2))
    assert translate.step.key == "t0/dec.1.cross_attn.weights"
    # ✕ unpins its row, the other rows stay right
    qtbot.mouseClick(
        view.table.cellWidget(row_of(view, "next.probs"), X), Qt.MouseButton.LeftButton
    )
    assert translate.watches == ("dec.1.cross_attn.weights", "enc.1.ffn.out")
    assert view.table.rowCount() == 2 and view.names == list(translate.watches)
    translate.seek_key("t4/dec.1.ffn.out")
    check_row(view, "dec.1.cross_attn.weights", "t4/dec.1.cross_attn.weights")
    assert isinstance(view.table.cellWidget(1, SPARK), type(spark))


def test_forward_and_backward_occurrences(qtbot: QtBot, train: Session) -> None:
    view = make(qtbot, train)
    name = "dec.0.ffn.out"
    train.watch(name)
    occ = [s for s in train.trace.steps if s.name == name]
    assert [s.phase for s in occ] == ["forward", "backward"]
    assert view.sparks[0].point_count() == 2
    assert view.sparks[0].phases == ["forward", "backward"]
    train.seek(occ[0].index)
    check_row(view, name, name)
    back = next(s for s in train.trace.steps if s.phase == "backward")
    train.seek(back.index)  # in the backward pass: the gradient
    check_row(view, name, f"d/{name}")
    assert view.row_values(0)["at"] == "backward"
    # a parameter: its gradient (backward) and its new value (update)
    train.watch("dec.0.ffn.lin1.weight")
    p = [s for s in train.trace.steps if s.name == "dec.0.ffn.lin1.weight"]
    assert [s.phase for s in p] == ["backward", "update"]
    train.seek(p[1].index)
    check_row(view, "dec.0.ffn.lin1.weight", "dec.0.ffn.lin1.weight@after")


def test_a_name_missing_from_the_run_and_a_new_trace(qtbot: QtBot, translate: Session) -> None:
    view = make(qtbot, translate)
    translate.watch("probs")  # only a training step has it
    translate.watch("t9/nothing")
    assert view.row_values(0)["at"] == "not in this run" and view.sparks[0].point_count() == 0
    translate.watch("next.token")  # token ids: integers are summarised too
    translate.seek_key("t1/next.token")
    check_row(view, "next.token", "t1/next.token")
    translate.source = "The dog sees the cat"
    try:
        key = next(s.key for s in translate.trace.steps if s.name == "next.token")
        translate.seek_key(key)
        check_row(view, "next.token", key)
    finally:
        translate.source = "Time flies like an arrow"


def test_walk_every_step_in_both_languages(qtbot: QtBot, train: Session) -> None:
    view = make(qtbot, train)
    for name in ("enc.0.self_attn.weights", "logits", "loss", "head.weight", "tgt.target"):
        train.watch(name)
    for lang in ("en", "zh"):
        train.lang = lang
        for i in range(len(train)):
            train.seek(i)
        assert all(o is not None for o in view.shown)
    assert view.table.horizontalHeaderItem(0).text() == "名称"
    assert view.pin_btn.text() == "+ 固定当前步骤"
    assert all(not math.isnan(v) for v in view.sparks[1].values)


def test_training_snapshots_give_each_watch_a_sparkline_over_training(qtbot) -> None:
    import math as _math

    from core.session import Session as _Session
    from core.train_process import rms_by_name
    from visualizer.bridge import SessionBridge as _Bridge
    from visualizer.panels.watches.watches_view import WatchesView as _View

    s = _Session.open_builtin()
    v = _View(s, _Bridge(s))
    qtbot.addWidget(v)
    s.watch("dec.1.cross_attn.weights")
    s.watch("no.such.name")
    rms = rms_by_name(s.trace)
    last = [st for st in s.trace.steps if st.name == "dec.1.cross_attn.weights"][-1]
    x = s.trace.value(last.key)
    assert rms["dec.1.cross_attn.weights"] == pytest.approx(float(np.sqrt(np.mean(x**2))))
    s.snapshots = ((0, {"dec.1.cross_attn.weights": 0.3}), (50, rms))
    assert v.trained[0].values == pytest.approx([0.3, rms["dec.1.cross_attn.weights"]])
    assert all(_math.isnan(val) for val in v.trained[1].values)
    assert v.trained[0].current == 1
