"""Interventions from the window: each control adds the expected intervention, the model
re-runs and differs from the clean run exactly from the intervened step on; toggling,
removing, the diagram's marks, what-changed, and the divergence demo."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt

from core.interventions import ablate_sublayer, edit_value, scale_head, zero_head
from core.navigator import Selection
from core.session import Session
from core.trace import Trace
from core.tracing import changes, trace_translation
from visualizer.bridge import SessionBridge
from visualizer.panels.diagram.diagram_paint import MARK
from visualizer.panels.diagram.diagram_view import DiagramView
from visualizer.panels.inspector.inspector_view import InspectorView
from visualizer.panels.interventions.interventions_view import InterventionsView


@pytest.fixture
def view(qtbot, session: Session, bridge: SessionBridge) -> Iterator[InterventionsView]:
    session.lang, session.animate, session.error = "en", False, ""
    if session.interventions:
        session.clear_interventions()
    session.selection = Selection()
    session.seek(0)
    v = InterventionsView(session, bridge)
    qtbot.addWidget(v)
    v.resize(460, 720)
    v.show()
    yield v
    v.close()


def first_change(s: Session) -> int:
    assert s.clean is not None
    found = changes(s.clean, s.trace)
    assert found
    return found[0].step


def unchanged_before(s: Session, index: int) -> None:
    """Every step before ``index`` holds exactly the clean run's tensor."""
    assert s.clean is not None
    for step in s.trace.steps[:index]:
        assert torch.equal(s.clean.tensors[step.key], s.trace.tensors[step.key]), step.key


def test_zero_head_at_every_decoding_step(view: InterventionsView, session: Session) -> None:
    session.seek_name("t2/dec.1.cross_attn.weights")
    session.selection = Selection(head=2)
    assert view.add.zero.isEnabled() and view.add.zero.text() == "Zero head 2"
    assert view.zero_head()
    assert session.interventions == (zero_head("dec.1.cross_attn", 2),)
    first = session.trace.first("dec.1.cross_attn.context").index  # t=0 comes first
    assert first_change(session) == first
    unchanged_before(session, first)
    assert not session.trace.value(session.trace.steps[first].key)[0, 2].any()
    assert view.found == changes(session.clean, session.trace)


def test_scale_head_only_at_this_decoding_step(view: InterventionsView, session: Session) -> None:
    session.seek_name("t3/dec.0.self_attn.scores")
    session.selection = Selection(head=1)
    view.add.only_t.setChecked(True)
    assert view.scale_head(3.0)
    assert session.interventions == (scale_head("dec.0.self_attn", 1, 3.0, t=3),)
    first = session.trace.first("t3/dec.0.self_attn.context").index
    assert first_change(session) == first
    unchanged_before(session, first)
    key = session.trace.steps[first].key
    assert session.clean is not None
    want = session.clean.value(key)[0, 1] * np.float32(3.0)
    assert np.allclose(session.trace.value(key)[0, 1], want)


def test_ablate_the_sublayer_of_an_add_norm_step(view: InterventionsView, session: Session) -> None:
    session.seek_name("enc.1.add2")  # adds the feed-forward's output
    assert view.add.ablate.text() == "Ablate enc.1.ffn"
    assert view.ablate()
    assert session.interventions == (ablate_sublayer("enc.1.ffn"),)
    first = session.trace.first("enc.1.ffn.out").index
    assert first_change(session) == first
    unchanged_before(session, first)
    assert not session.trace.value("enc.1.ffn.out").any()


@pytest.mark.parametrize(
    ("step", "sel", "index"),
    [
        ("t3/dec.0.ffn.hidden", Selection(0, 2, 5), (0, 2, 5)),
        ("enc.0.self_attn.scores", Selection(1, 2, 3), (0, 1, 2, 3)),
        ("t2/next.probs", Selection(0, 0, 7), (0, 7)),
    ],
)
def test_set_the_selected_cell(
    view: InterventionsView,
    session: Session,
    step: str,
    sel: Selection,
    index: tuple[int, ...],
) -> None:
    session.seek_name(step)
    at = session.step
    session.selection = sel
    old = float(session.trace.value(at.key)[index])
    assert view.add.value.text() == str(np.float32(old))  # starts from the cell's value
    assert view.set_cell(1.5)
    assert session.interventions == (edit_value(at.name, index, 1.5, t=at.t),)
    assert session.trace.value(at.key)[index] == np.float32(1.5)
    assert first_change(session) == session.trace.first(at.key).index
    unchanged_before(session, session.trace.first(at.key).index)


def test_patch_from_sentence_a(view: InterventionsView, session: Session) -> None:
    session.seek_name("enc.0.ffn.out")
    a = "Fruit flies like a banana"
    assert view.patch(a)
    (i,) = session.interventions
    assert i.name == "enc.0.ffn.out" and i.op == "replace"
    trace_a, _ = trace_translation(session.bundle, a, session.decode)
    assert np.array_equal(session.trace.value("enc.0.ffn.out"), trace_a.value("enc.0.ffn.out"))
    assert first_change(session) == session.trace.first("enc.0.ffn.out").index


def test_errors_are_one_line_and_add_nothing(view: InterventionsView, session: Session) -> None:
    session.seek_name("enc.0.ffn.hidden")
    session.selection = Selection(0, 1, 1)
    assert not view.set_cell("abc")
    assert "not a number" in session.error and "\n" not in session.error
    assert not view.patch("The dog sees the cat in the big house today")  # other length
    assert session.error and session.interventions == ()
    assert view.error.text() == session.error.splitlines()[0]
    assert not view.patch("  ") and session.error == "type sentence A first"
    session.seek_name("src.tokens")
    assert not view.add.zero.isEnabled() and not view.add.ablate.isEnabled()
    assert not view.zero_head() and session.interventions == ()


def marked_pixels(diagram: DiagramView, box: str) -> int:
    """Pixels of the intervention colour around a box's top-right corner (its badge)."""
    image = diagram.grab().toImage()
    r, s = diagram.diagram_layout().boxes[box], diagram.scale()
    n = 0
    for x in range(round((r.right - 20) * s), round((r.right + 8) * s)):
        for y in range(round((r.y - 8) * s), round((r.y + 10) * s)):
            c = image.pixelColor(x, y)
            near = abs(c.red() - MARK.red()) + abs(c.green() - MARK.green())
            n += near + abs(c.blue() - MARK.blue()) < 60
    return n


def test_toggle_remove_clear_and_the_diagram_marks(
    qtbot, view: InterventionsView, session: Session, bridge: SessionBridge
) -> None:
    diagram = DiagramView(session, bridge)
    qtbot.addWidget(diagram)
    diagram.resize(520, 800)
    diagram.show()
    assert diagram.scene().marked == set() and diagram.banner() == ""
    session.add_intervention(zero_head("dec.1.cross_attn", 0))
    session.add_intervention(ablate_sublayer("enc.0.ffn"))
    assert diagram.scene().marked == {"dec.1.cross_attn", "enc.0.ffn"}
    assert diagram.banner() == "✎ 2 interventions on"
    assert view.badge.isVisible() and view.badge.text() == "2 on"
    assert marked_pixels(diagram, "enc.0.ffn") > 20  # the badge and outline are drawn
    tip = diagram.tooltip(QPointF(diagram.box_center("enc.0.ffn")))
    assert "intervention: zero enc.0.ffn.out" in tip
    session.lang = "zh"
    assert diagram.banner() == "✎ 2 个干预生效中"
    session.lang = "en"
    item = view.items.list.item(1)
    item.setCheckState(Qt.CheckState.Unchecked)  # switch the ablation off
    assert session.disabled == frozenset({1})
    assert diagram.scene().marked == {"dec.1.cross_attn"}
    assert diagram.banner() == "✎ 1 intervention on"
    assert marked_pixels(diagram, "enc.0.ffn") == 0
    assert view.badge.text() == "1 on"
    view.items.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert session.clean is None and diagram.scene().marked == set() and diagram.banner() == ""
    assert not view.badge.isVisible() and not view.changes.buttons[0].isVisible()
    view.toggle(0)
    assert session.active_interventions() == [zero_head("dec.1.cross_attn", 0)]
    assert view.items.list.item(0).checkState() == Qt.CheckState.Checked
    view.items.list.setCurrentRow(0)
    view.items.remove.click()
    assert session.interventions == (ablate_sublayer("enc.0.ffn"),)
    assert session.disabled == frozenset({0})  # the ablation is still off
    view.items.clear.click()
    assert session.interventions == () and diagram.scene().marked == set()


def test_what_changed_and_the_jumps(view: InterventionsView, session: Session) -> None:
    session.seek_name("enc.1.self_attn.weights")
    session.selection = Selection(head=0)
    view.zero_head()
    assert session.clean is not None
    found = changes(session.clean, session.trace)
    before = session.clean.meta["translation"]
    assert before in view.changes.summary.text()
    assert session.trace.meta["translation"] in view.changes.summary.text()
    assert f"{len(found)} of {len(session)} steps changed" in view.changes.first.text()
    shown = [b for b in view.changes.buttons if b.isVisible()]
    assert len(shown) == min(5, len(found))
    biggest = max(c.max_abs_diff for c in found)
    assert f"{biggest:.4g}" in shown[0].text()
    shown[1].click()
    assert session.cursor == view.changes.top[1].step
    view.changes.first.click()
    assert session.cursor == found[0].step
    session.lang = "zh"
    assert "干预" in view.title.text() and "将" in view.items.list.item(0).text()
    assert "译文" in view.changes.summary.text()
    session.lang = "en"


def test_train_mode_disables_the_controls(view: InterventionsView, session: Session) -> None:
    session.mode = "train"
    try:
        session.seek_name("enc.0.self_attn.weights")
        assert not view.add.zero.isEnabled() and not view.add.patch.isEnabled()
        assert "training step" in view.add.where.text()
        for i in range(0, len(session), 7):
            session.seek(i)
    finally:
        session.mode = "translate"


def test_walk_every_step(view: InterventionsView, session: Session) -> None:
    for i in range(len(session)):
        session.seek(i)
    assert view.add.where.text().startswith(f"at #{len(session)}")


@pytest.fixture(scope="module")
def diverged(session: Session) -> Session:
    from visualizer.debugger.divergence import load_divergence_demo

    s = Session(session.bundle, "en-de", "Time flies like an arrow")
    load_divergence_demo(s, run=False)
    return s


def brute_first(trace: Trace) -> int:
    for st in trace.steps:
        x = trace.tensors[st.key]
        if not x.is_floating_point():
            continue
        if st.kind == "mask" and st.phase in ("forward", "decode"):
            x = x[x != float("-inf")]
        if not bool(torch.isfinite(x).all()):
            return st.index
    raise AssertionError("no non-finite value in the demo's step")


def test_the_divergence_demo_stops_on_the_first_nonfinite_step(qtbot, diverged: Session) -> None:
    s = diverged
    assert s.error == "" and s.mode == "train" and s.cursor == 0
    bridge = SessionBridge(s)
    inspector = InspectorView(s, bridge)
    qtbot.addWidget(inspector)
    inspector.resize(1000, 620)
    inspector.show()
    assert s.run_to_breakpoint(+1)
    assert s.cursor == brute_first(s.trace) and "nan" in s.stopped.lower() + "nan"
    x = s.trace.value(s.step.key)
    n_nan = int(np.isnan(x).sum())
    assert n_nan and f"NaN {n_nan}" in inspector.ui.info.text()
    assert not s.run_to_breakpoint(-1)  # nothing non-finite before it
    inspector.close()
