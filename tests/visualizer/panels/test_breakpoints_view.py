"""The breakpoints panel: every kind added through the add row stops at exactly the steps a
brute-force scan of the trace finds, forwards and backwards; the enable box, hit counts,
"break here", the timeline's marks and the step search box."""

from __future__ import annotations

import copy
import fnmatch

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.breakpoints import Breakpoint
from core.config import TrainConfig
from core.session import Session
from core.trace import Step, Trace
from core.tracing import trace_forward, trace_training_step
from core.train import Trainer
from visualizer.bridge import SessionBridge
from visualizer.panels.breakpoints.breakpoints_view import BreakpointsView
from visualizer.panels.timeline.timeline_view import TimelineView

SOURCE, TARGET = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"


def poisoned(builtin_session: Session, name: str, index: tuple[int, ...]) -> Trainer:
    """A trainer on a copy of the model with one weight entry set to NaN."""
    bundle = copy.deepcopy(builtin_session.bundle)
    with torch.no_grad():
        dict(bundle.model.named_parameters())[name][index] = float("nan")
    return Trainer(bundle, None, TrainConfig(warmup=0, lr=1e-4))


@pytest.fixture(scope="module")
def nan_traces(builtin_session: Session) -> dict[str, Trace]:
    """A training step whose model has NaN in an embedding row the sentence never uses
    (the loss stays finite, the update carries the NaN on), and a forward pass with NaN
    in a decoder bias (a training step refuses a NaN loss, so forward and loss only)."""
    bundle = builtin_session.bundle
    tgt_in, tgt_out, _ = bundle.encode_target(TARGET)
    used = set(tgt_in.flatten().tolist()) | set(tgt_out.flatten().tolist())
    unused = max(set(range(bundle.model.tgt_embed.weight.shape[0])) - used)
    step = trace_training_step(
        poisoned(builtin_session, "tgt_embed.weight", (unused, 0)), SOURCE, TARGET
    )
    forward = trace_forward(poisoned(builtin_session, "dec.1.ffn.lin2.bias", (3,)), SOURCE, TARGET)
    return {"train_step": step, "forward": forward}


def make(qtbot: QtBot, session: Session) -> tuple[BreakpointsView, TimelineView]:
    session.breakpoints.clear()
    session.update(lang="en", error="", stopped="", animate=False)
    session.seek(0)
    bridge = SessionBridge(session)
    view, timeline = BreakpointsView(session, bridge), TimelineView(session, bridge)
    for w, size in ((view, (560, 380)), (timeline, (1000, 90))):
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
    return view, timeline


# -- brute force, from the trace alone -------------------------------------------------------
def floats(trace: Trace, key: str | None) -> np.ndarray | None:
    if key is None or key not in trace.tensors:
        return None
    x = trace.value(key)
    return x.astype(np.float64) if x.dtype.kind == "f" and x.size else None


def output(trace: Trace, s: Step) -> np.ndarray | None:
    x = floats(trace, s.key)
    if x is not None and s.kind == "mask" and s.phase != "backward":
        x = x[~np.isneginf(x)]  # a mask's -inf entries are the mask itself
    return x


def brute(trace: Trace, kind: str, pattern: str = "", threshold: float = 0.0) -> list[int]:
    out = []
    for s in trace.steps:
        if kind == "name":
            hit = fnmatch.fnmatchcase(s.name, pattern) or fnmatch.fnmatchcase(s.key, pattern)
        elif kind == "kind":
            hit = fnmatch.fnmatchcase(s.kind, pattern)
        elif kind == "phase":
            hit = s.phase == pattern
        elif kind == "nonfinite":
            x = output(trace, s)
            hit = x is not None and not np.isfinite(x).all()
        elif kind == "absmax":
            x = output(trace, s)
            x = x[~np.isnan(x)] if x is not None else None
            hit = x is not None and x.size > 0 and np.abs(x).max() > threshold
        elif kind == "attention":
            x = floats(trace, s.key)
            is_attn = s.phase in ("forward", "decode") and s.name.endswith("_attn.weights")
            hit = is_attn and x is not None and x.max() > threshold
        else:  # gradnorm
            g = s.key if s.phase == "backward" else s.tensors.get("grad")
            x = floats(trace, g) if s.phase in ("backward", "update") else None
            hit = x is not None and np.sqrt((x**2).sum()) > threshold
        if hit:
            out.append(s.index)
    return out


def add(
    qtbot: QtBot, view: BreakpointsView, kind: str, pattern: str = "", thr: float = 0.0
) -> None:
    view.adder.set_kind(kind)
    view.adder.pattern.setText(pattern)
    view.adder.threshold.setValue(thr)
    qtbot.mouseClick(view.adder.add, Qt.MouseButton.LeftButton)


def walk(view: BreakpointsView, direction: int) -> list[int]:
    s, seen = view.session, []
    s.seek(0 if direction > 0 else len(s) - 1)
    run = view.run_next if direction > 0 else view.run_previous
    while run():
        seen.append(s.cursor)
        assert s.stopped and view.rows_here()
    assert "no breakpoint is hit" in s.error
    return seen


def check_both_ways(view: BreakpointsView, expected: list[int]) -> None:
    last = len(view.session) - 1
    assert walk(view, +1) == [i for i in expected if i > 0]
    assert walk(view, -1) == [i for i in reversed(expected) if i < last]


CASES = [
    ("translate", "name", "dec.*.cross_attn.weights", 0.0),
    ("translate", "name", "t3/*", 0.0),
    ("translate", "kind", "softmax", 0.0),
    ("translate", "absmax", "", 20.0),
    ("translate", "attention", "", 0.95),
    ("train", "phase", "backward", 0.0),
    ("train", "gradnorm", "", 0.001),
]


@pytest.mark.parametrize(("which", "kind", "pattern", "thr"), CASES)
def test_each_kind_stops_where_brute_force_says(
    qtbot: QtBot, request: pytest.FixtureRequest, which: str, kind: str, pattern: str, thr: float
) -> None:
    session: Session = request.getfixturevalue(which)
    view, timeline = make(qtbot, session)
    add(qtbot, view, kind, pattern, thr)
    expected = brute(session.trace, kind, pattern, thr)
    assert 0 < len(expected) < len(session)  # a case that can tell right from wrong
    assert len(session.breakpoints) == 1 and session.breakpoints[0].kind == kind
    assert view.list.counts() == [len(expected)]
    assert timeline.scrubber.marks == expected == session.breakpoints.marks(session.trace)
    check_both_ways(view, expected)


def test_first_backward_step(qtbot: QtBot, train: Session) -> None:
    view, _ = make(qtbot, train)
    add(qtbot, view, "phase", "Backward")  # phases are matched in lower case
    qtbot.mouseClick(view.next_btn, Qt.MouseButton.LeftButton)
    first = next(s for s in train.trace.steps if s.phase == "backward")
    assert train.cursor == first.index and train.step.phase == "backward"
    assert train.stopped == "phase backward"
    assert "Stopped at step" in view.status.text()
    qtbot.mouseClick(view.next_btn, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.prev_btn, Qt.MouseButton.LeftButton)
    assert train.cursor == first.index


@pytest.mark.parametrize(
    ("which", "first"), [("train_step", "tgt_embed.weight"), ("forward", "dec.1.ffn")]
)
def test_nan_breakpoint_on_a_poisoned_model(
    qtbot: QtBot, train: Session, nan_traces: dict[str, Trace], which: str, first: str
) -> None:
    view, timeline = make(qtbot, train)
    clean, poisoned_trace = train.trace, nan_traces[which]
    try:
        train.update(trace=poisoned_trace, cursor=0)
        qtbot.mouseClick(view.nan_btn, Qt.MouseButton.LeftButton)
        expected = brute(poisoned_trace, "nonfinite")
        assert expected and expected[0] > 0
        assert poisoned_trace.steps[expected[0]].name.startswith(first)  # where it was set
        assert view.list.counts() == [len(expected)]
        assert timeline.scrubber.marks == expected
        check_both_ways(view, expected)
        train.seek(0)
        assert view.run_next() and train.stopped == "NaN or Inf"
        assert "NaN or Inf" in view.status.text()
    finally:
        train.update(trace=clean, cursor=0)
    assert view.list.counts() == [0]  # the clean run has no NaN
    assert timeline.scrubber.marks == []


def test_toggle_counts_marks_and_errors(qtbot: QtBot, translate: Session) -> None:
    view, timeline = make(qtbot, translate)
    trace = translate.trace
    add(qtbot, view, "name", "dec.1.cross_attn.weights")
    add(qtbot, view, "kind", "layernorm")
    names, norms = (
        brute(trace, "name", "dec.1.cross_attn.weights"),
        brute(trace, "kind", "layernorm"),
    )
    assert view.list.counts() == [len(names), len(norms)]
    assert timeline.scrubber.marks == sorted(set(names) | set(norms))
    # switch the second off with its box: counts stay, marks and stops drop it
    item = view.list.topLevelItem(1)
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not translate.breakpoints[1].enabled
    assert view.list.checked() == [True, False]
    assert view.list.counts() == [len(names), len(norms)]
    assert timeline.scrubber.marks == names == translate.breakpoints.marks(trace)
    check_both_ways(view, names)
    view.list.topLevelItem(1).setCheckState(0, Qt.CheckState.Checked)
    assert translate.breakpoints[1].enabled
    # remove the selected row
    view.list.topLevelItem(0).setSelected(True)
    qtbot.mouseClick(view.remove_btn, Qt.MouseButton.LeftButton)
    assert [bp.kind for bp in translate.breakpoints] == ["kind"]
    assert timeline.scrubber.marks == norms
    # a bad breakpoint is refused with a message in the status line
    add(qtbot, view, "name", "")
    assert "needs a pattern" in translate.error and "needs a pattern" in view.status.text()
    add(qtbot, view, "phase", "sideways")
    assert "phase must be one of" in view.status_text()
    assert len(translate.breakpoints) == 1
    translate.seek(translate.cursor + 1)  # an old error is not shown at another step
    assert "phase must be" not in view.status_text()


def test_break_here_toggles_and_double_click_runs(qtbot: QtBot, translate: Session) -> None:
    view, timeline = make(qtbot, translate)
    translate.seek_name("t2/dec.0.ffn.out")
    assert view.toggle_here() is True
    assert translate.breakpoints.items == (Breakpoint("name", "dec.0.ffn.out"),)
    assert view.here_btn.isChecked()
    hits = brute(translate.trace, "name", "dec.0.ffn.out")
    assert timeline.scrubber.marks == hits and len(hits) == len(
        {s.t for s in translate.trace.steps if s.t is not None}
    )
    assert "Stopped at step" in view.status_text() or "dec.0.ffn.out" in view.status_text()
    translate.seek(0)
    assert not view.here_btn.isChecked()  # step 0 is another name
    assert f"next hit {hits[0]}" in view.status_text()
    view.run_to_row(0)
    assert translate.cursor == hits[0]
    qtbot.mouseClick(view.here_btn, Qt.MouseButton.LeftButton)  # on dec.0.ffn.out: removes
    assert len(translate.breakpoints) == 0 and timeline.scrubber.marks == []
    assert not view.here_btn.isChecked()


def test_search_completes_and_seeks(qtbot: QtBot, translate: Session) -> None:
    _, timeline = make(qtbot, translate)
    box, trace = timeline.search, translate.trace
    words = set(box.completions())
    assert {s.name for s in trace.steps} <= words and {s.key for s in trace.steps} <= words
    box.completer_.setCompletionPrefix("CROSS_ATTN.WEIGHTS")  # case-insensitive, contains
    found = {
        box.completer_.completionModel().index(i, 0).data()
        for i in range(box.completer_.completionCount())
    }
    assert found == {w for w in words if "cross_attn.weights" in w}
    assert "dec.1.cross_attn.weights" in found and "t3/dec.1.cross_attn.weights" in found
    assert box.go("t3/next.token")
    assert translate.step.key == "t3/next.token"
    translate.seek(0)
    occurrences = [s.index for s in trace.find("dec.1.cross_attn.weights")]
    box.setText("Dec.1.Cross_Attn.Weights")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert translate.cursor == occurrences[0]
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter again: the next occurrence
    assert translate.cursor == occurrences[1]
    assert box.go("ffn.ou")  # a fragment: the next step whose name contains it
    assert "ffn.ou" in translate.step.name
    assert not box.go("no.such.step")
    assert "no step matches" in translate.error
    assert box.go("enc.0.ffn.out") and translate.error == ""
    timeline.focus_search()
    box.completer_.activated.emit("t5/next.probs")
    assert translate.step.key == "t5/next.probs"
    assert box.text() == "t5/next.probs"
    box.clear()
    qtbot.keyClicks(box, "t1/logit")
    assert box.completer_.completionCount() >= 1


def test_search_picking_a_completion_seeks_once(qtbot: QtBot, translate: Session) -> None:
    _, timeline = make(qtbot, translate)
    box = timeline.search
    timeline.focus_search()
    seeks: list[int] = []
    translate.events.cursor.connect(seeks.append)
    try:
        qtbot.keyClicks(box, "dec.1.cross_attn.weig")
        popup = box.completer_.popup()
        assert popup.isVisible() and box.completer_.completionCount() == 8  # name + 7 keys
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
        first = translate.trace.first("dec.1.cross_attn.weights").index
        assert seeks == [first] and box.text() == "dec.1.cross_attn.weights"
        qtbot.keyClick(box, Qt.Key.Key_Return)
        assert translate.step.key == "t1/dec.1.cross_attn.weights"
    finally:
        translate.events.cursor.disconnect(seeks.append)


@pytest.mark.parametrize("which", ["translate", "train"])
def test_walk_every_step_in_both_languages(
    qtbot: QtBot, request: pytest.FixtureRequest, which: str
) -> None:
    session: Session = request.getfixturevalue(which)
    view, timeline = make(qtbot, session)
    add(qtbot, view, "kind", "softmax")
    qtbot.mouseClick(view.nan_btn, Qt.MouseButton.LeftButton)
    add(qtbot, view, "gradnorm", "", 0.1)
    for lang in ("en", "zh"):
        session.lang = lang
        for i in range(0, len(session), 3):
            session.seek(i)
            view.toggle_here() if i % 60 == 0 else None
        assert view.status.text() and view.next_btn.text()
    assert view.next_btn.text() == "下一个命中 ▶"
    assert timeline.scrubber.marks == session.breakpoints.marks(session.trace)
