"""What the playground's network canvas shows at the cursor, without Qt: columns light
up as the recorded iteration runs, with the values, gradients and weights it traced."""

from __future__ import annotations

import numpy as np
import pytest

from core.basics.playground_lab import PlaygroundLab
from visualizer.rooms.playground.playground_frame import build_frame, column_of


@pytest.fixture
def lab() -> PlaygroundLab:
    lab = PlaygroundLab()
    lab.animate = False
    lab.step_traced()
    lab.playing = False
    return lab


def test_forward_lights_layer_by_layer_with_the_traced_values(lab: PlaygroundLab) -> None:
    trace = lab.trace
    lab.seek(trace.first("l1.act").index)
    frame = build_frame(lab)
    assert frame.stepped and frame.phase == "forward" and frame.current == "l1"
    assert frame.lit == {"input", "l1"}
    np.testing.assert_array_equal(frame.values["l1"], trace.value("l1.act")[0])
    assert frame.columns == ["input", "l1", "l2", "out"]
    assert frame.sizes == list(trace.meta["layers"])
    assert frame.batch == list(trace.meta["batch_index"])
    lab.seek(trace.first("out.probs").index)
    frame = build_frame(lab)
    np.testing.assert_array_equal(frame.focus_probs, trace.value("out.probs")[0])
    assert frame.value_kind["out"] == "prob" and frame.lit == set(frame.columns)


def test_backward_turns_the_links_it_reached_into_gradients(lab: PlaygroundLab) -> None:
    trace = lab.trace
    lab.seek(trace.first("l2.pre", "backward").index)
    frame = build_frame(lab)
    assert frame.lit == {"l2", "out"}
    assert frame.link_mode == {"out": "grad"}  # the output layer's ∂L/∂W has arrived
    np.testing.assert_array_equal(frame.link_values["out"], trace.value("d/out.weight"))
    assert frame.loss == pytest.approx(float(trace.value("loss")))
    assert frame.target == int(trace.value("target")[0])


def test_update_gives_each_layer_its_new_weights(lab: PlaygroundLab) -> None:
    trace = lab.trace
    before = trace.value("l1.weight")
    lab.seek(trace.first("l1.weight", "update").index)
    frame = build_frame(lab)
    assert frame.link_mode["l1"] == "update"
    np.testing.assert_array_equal(frame.weights["l1"], trace.value("l1.weight@after"))
    np.testing.assert_array_equal(frame.before["l1"], before)
    assert not np.array_equal(frame.weights["l1"], before)
    np.testing.assert_array_equal(frame.weights["l2"], trace.value("l2.weight"))  # not yet


def test_nothing_recorded_shows_the_live_network() -> None:
    lab = PlaygroundLab()
    frame = build_frame(lab)
    assert not frame.stepped and frame.phase is None
    assert frame.lit == set(frame.columns) == {"input", *lab.model.layer_names}
    for name in lab.model.layer_names:
        np.testing.assert_array_equal(
            frame.weights[name], lab.model.linear(name).weight.detach().numpy()
        )


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("l2.act", "l2"),
        ("out.probs", "out"),
        ("loss", "out"),
        ("target", "out"),
        ("input", "input"),
    ],
)
def test_column_of(name: str, column: str) -> None:
    assert column_of(name) == column
