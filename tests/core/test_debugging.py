"""The session as a debugger: breakpoints both ways, interventions that re-run the model
(with the clean run kept for comparison), and .tsim files that reopen exactly."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import numpy as np

from core.breakpoints import Breakpoint
from core.interventions import zero_head
from core.session import Session
from core.trace import Intervention
from core.tracing import changes


def cross_steps(s: Session) -> list[int]:
    return [st.index for st in s.trace.steps if fnmatch(st.name, "dec.*.cross_attn.weights")]


def test_run_to_breakpoint_forward_and_backward(session: Session) -> None:
    session.add_breakpoint(Breakpoint("name", "dec.*.cross_attn.weights"))
    expected = cross_steps(session)
    assert len(expected) > 4
    session.seek(0)
    assert session.run_to_breakpoint(+1) and session.cursor == expected[0]
    assert session.run_to_breakpoint(+1) and session.cursor == expected[1]
    assert "dec.*.cross_attn.weights" in session.stopped
    session.go_end()
    assert session.run_to_breakpoint(-1) and session.cursor == expected[-1]
    session.seek(expected[0])
    assert not session.run_to_breakpoint(-1)
    assert session.cursor == expected[0] and "no breakpoint" in session.error


def test_a_disabled_breakpoint_does_not_stop(session: Session) -> None:
    i = session.add_breakpoint(Breakpoint("kind", "softmax"))
    session.breakpoints.toggle(i)
    session.seek(0)
    assert not session.run_to_breakpoint(+1) and session.cursor == 0


def test_interventions_rerun_keep_the_clean_run_and_toggle(session: Session) -> None:
    plain = session.trace
    assert session.clean is None
    session.add_intervention(zero_head("enc.1.self_attn", 2))
    assert session.clean is not None
    key = "enc.1.self_attn.context"
    np.testing.assert_array_equal(session.clean.value(key), plain.value(key))
    assert not session.trace.value(key)[:, 2].any()  # head 2 is silent
    moved = changes(session.clean, session.trace)
    first = min(c.step for c in moved)
    assert session.trace.steps[first].name == key  # nothing before the patched step moved
    session.toggle_intervention(0)
    assert session.clean is None and session.disabled == frozenset({0})
    np.testing.assert_array_equal(session.trace.value(key), plain.value(key))
    session.toggle_intervention(0)
    assert session.clean is not None
    session.remove_intervention(0)
    assert session.interventions == () and session.clean is None


def test_a_bad_intervention_is_a_message(session: Session) -> None:
    before = session.trace
    session.add_intervention(Intervention("no.such.point", "zero"))
    assert "no.such.point" in session.error
    assert session.trace is before
    assert session.interventions == ()  # the refused one is not left in the list


def test_patch_from_another_sentence(session: Session) -> None:
    plain = session.trace
    session.patch_from_sentence("Fruit flies like a banana", "enc.0.ffn.out")
    assert session.error == "" and len(session.interventions) == 1
    moved = {c.key for c in changes(plain, session.trace)}
    assert "enc.0.ffn.out" in moved and "enc.0.self_attn.weights" not in moved
    session.patch_from_sentence("Fruit flies like a banana and more words", "enc.0.ffn.out")
    assert "shapes differ" in session.error and len(session.interventions) == 1


def test_session_file_reopens_exactly(session: Session, shipped_fr, tmp_path: Path) -> None:
    session.add_breakpoint(Breakpoint("absmax", threshold=5.0))
    session.add_breakpoint(Breakpoint("name", "dec.1.*"))
    session.breakpoints.toggle(1)
    session.watch("enc.0.self_attn.weights")
    session.add_intervention(zero_head("dec.0.cross_attn", 1))
    session.add_intervention(zero_head("dec.1.cross_attn", 3))
    session.toggle_intervention(1)
    session.seek(123)
    path = tmp_path / "debug.tsim"
    assert session.save_file(path, history={"loss": [3.0, 2.0]})

    other = Session(shipped_fr, "en-fr", "You like this course")
    state = other.open_file(path)
    assert state is not None and state["history"]["loss"] == [3.0, 2.0]
    assert other.pair == "en-de" and other.source == "Time flies like an arrow"
    assert other.cursor == 123
    assert [bp.to_dict() for bp in other.breakpoints] == session.breakpoints.to_list()
    assert other.watches == ("enc.0.self_attn.weights",)
    assert other.intervention_labels() == session.intervention_labels()
    assert other.disabled == frozenset({1})
    assert [s.key for s in other.trace.steps] == [s.key for s in session.trace.steps]
    for key, value in session.trace.tensors.items():
        np.testing.assert_array_equal(other.trace.tensors[key].numpy(), value.numpy(), key)


def test_a_broken_session_file_changes_nothing(session: Session, tmp_path: Path) -> None:
    bad = tmp_path / "broken.tsim"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = session.bundle
    assert session.open_file(bad) is None
    assert session.error and "\n" not in session.error and session.bundle is before
