"""What the neuron figure shows at each cursor, without Qt: a value appears exactly when
the step that produced it has run, and it is the traced value."""

from __future__ import annotations

import numpy as np
import pytest

from core.basics.neuron_lab import NeuronLab
from visualizer.rooms.neuron.neuron_state import FOCUS, GRADS, NeuronPicture

FIELDS = {  # trace key -> FigureState attribute
    "neuron.inputs": "a",
    "neuron.weighted": "wa",
    "neuron.sum": "s",
    "neuron.out": "z",
    "target": "y",
    "loss": "loss",
    "neuron.w@after": "w_after",
    "neuron.b@after": "b_after",
    "lr": "lr",
}


def test_picture_is_plain_python_over_the_trace() -> None:
    lab = NeuronLab(seed=2)
    lab.train_step()
    pic = NeuronPicture(lab.trace)
    assert pic.at(0).a == pytest.approx(list(lab.inputs), abs=1e-6)
    last = pic.at(len(lab) - 1)
    assert last.b_after == pytest.approx(lab.bias) and last.lr == pytest.approx(lab.lr)


def test_values_appear_as_the_run_reaches_them() -> None:
    lab = NeuronLab(seed=0)
    lab.train_step()
    trace = lab.trace
    made = {}  # key -> index of the step that produced it
    for s in trace.steps:
        for key in (s.key, *s.tensors.values()):
            made.setdefault(key, s.index)
    pic = NeuronPicture(trace)
    for step in trace.steps:
        st = pic.at(step.index)
        assert st.step is step and st.phase == step.phase
        assert st.focus == FOCUS.get((step.phase, step.name), "")
        for key, attr in FIELDS.items():
            got = getattr(st, attr)
            if made[key] > step.index:
                assert got is None, (step.key, key)
            else:
                want = trace.value(key).reshape(-1)
                np.testing.assert_allclose(np.ravel(got), want, rtol=1e-6, err_msg=key)
        for name in GRADS:
            has = made["d/" + name] <= step.index
            assert (name in st.grad) == has, (step.key, name)
            if has:
                np.testing.assert_allclose(st.grad[name], trace.value("d/" + name).ravel())
        np.testing.assert_allclose(st.w, trace.value("neuron.w"), rtol=1e-6)  # the weights before


def test_cursor_is_clamped_and_an_empty_trace_shows_nothing() -> None:
    lab = NeuronLab(seed=1)
    lab.train_step()
    pic = NeuronPicture(lab.trace)
    assert pic.at(10_000).step is lab.trace.steps[-1] and pic.at(-3).step is lab.trace.steps[0]
    from core.trace import Trace

    empty = NeuronPicture(Trace()).at(0)
    assert empty.step is None and empty.a is None and not empty.has_target
