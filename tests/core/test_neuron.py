"""The neuron lab's engine: arithmetic, recorded gradients vs autograd, updates, data, lab."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from core.basics.neuron import (
    ACTIVATIONS,
    NeuronParams,
    activate,
    activate_np,
    mean_loss,
    predict,
    trace_iteration,
)
from core.basics.neuron_data import TRUE_BIAS, TRUE_WEIGHTS, make_data
from core.basics.neuron_lab import NeuronLab
from core.narration import LANGUAGES, TEXT_DIR, narrate
from core.trace import GRAD

A, W, B, Y = (1.0, 2.0, 3.0), (0.5, -1.0, 2.0), 0.25, 0.9
S = 0.5 * 1.0 - 1.0 * 2.0 + 2.0 * 3.0 + 0.25  # 4.75
F = {
    "identity": S,
    "step": 1.0,
    "sigmoid": 1 / (1 + math.exp(-S)),
    "tanh": math.tanh(S),
    "relu": S,
}


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_forward_arithmetic(act: str) -> None:
    trace, _ = trace_iteration(NeuronParams(W, B, act), A, Y, lr=0.1, update=False)
    np.testing.assert_allclose(trace.value("neuron.weighted"), [0.5, -2.0, 6.0])
    assert trace.value("neuron.sum") == pytest.approx(S)
    assert trace.value("neuron.out") == pytest.approx(F[act], rel=1e-6)
    assert trace.value("loss") == pytest.approx((F[act] - Y) ** 2, rel=1e-5)
    assert [s.name for s in trace.steps if s.phase != "backward"] == [
        "neuron.inputs",
        "neuron.w",
        "neuron.b",
        "neuron.weighted",
        "neuron.sum",
        "neuron.out",
        "target",
        "loss",
    ]


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_numpy_activation_matches_the_traced_one(act: str) -> None:
    xs = np.linspace(-6, 6, 49)  # includes 0
    want = activate(torch.tensor(xs, dtype=torch.float64), act).numpy()
    np.testing.assert_allclose(activate_np(xs, act), want, rtol=1e-12, atol=1e-15)


def test_negative_sum_through_step_and_relu() -> None:
    p = NeuronParams((-1.0, 0.0, 0.0), -0.5, "relu")
    for act, want in (("relu", 0.0), ("step", 0.0), ("identity", -1.5)):
        trace, _ = trace_iteration(NeuronParams(p.weights, p.bias, act), A, None)
        assert trace.value("neuron.out") == pytest.approx(want)
        assert {s.phase for s in trace.steps} == {"forward"}  # no target: forward only


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_recorded_gradients_equal_autograd(act: str) -> None:
    params = NeuronParams((0.3, -0.7, 0.2), -0.1, act)
    a, y = (0.44, 0.29, 0.15), 1.77
    trace, _ = trace_iteration(params, a, y, lr=0.3)
    # An independent graph, no tracer: the same formula written out here.
    w, b = params.leaves()
    x = torch.tensor(a)
    wa = w * x
    s = wa.sum() + b
    z = activate(s, act)
    loss = (z - y) ** 2
    grads = torch.autograd.grad(loss, [z, s, wa, w, b])
    for key, g in zip(
        ("neuron.out", "neuron.sum", "neuron.weighted", "neuron.w", "neuron.b"), grads, strict=True
    ):
        np.testing.assert_allclose(trace.value(GRAD + key), g.numpy(), rtol=1e-6, atol=1e-7)
    assert trace.value(GRAD + "loss") == 1.0
    # Autograd's order: a gradient comes after the gradients of everything its tensor fed.
    order = [s.key for s in trace.steps if s.phase == "backward"]
    for fed, then in (("loss", "neuron.out"), ("neuron.out", "neuron.sum")):
        assert order.index(GRAD + fed) < order.index(GRAD + then)
    assert order.index(GRAD + "neuron.weighted") < order.index(GRAD + "neuron.w")


def test_gradient_matches_the_chain_rule_by_hand() -> None:
    params = NeuronParams((0.3, -0.7, 0.2), -0.1, "sigmoid")
    a, y = (0.44, 0.29, 0.15), 0.8
    trace, _ = trace_iteration(params, a, y, lr=0.3)
    s = float(trace.value("neuron.sum"))
    z = 1 / (1 + math.exp(-s))
    ds = 2 * (z - y) * z * (1 - z)
    np.testing.assert_allclose(trace.value("d/neuron.w"), [ds * v for v in a], rtol=1e-5)
    assert float(trace.value("d/neuron.b")) == pytest.approx(ds, rel=1e-5)


def test_update_is_sgd_and_step_activation_never_learns() -> None:
    params = NeuronParams((0.3, -0.7, 0.2), -0.1, "identity")
    trace, after = trace_iteration(params, (0.44, 0.29, 0.15), 1.77, lr=0.3)
    upd = trace.first("neuron.w", phase="update")
    before, grad = trace.value(upd.tensors["before"]), trace.value(upd.tensors["grad"])
    np.testing.assert_allclose(trace.value(upd.tensors["out"]), before - 0.3 * grad, rtol=1e-6)
    np.testing.assert_allclose(after.weights, before - 0.3 * grad, rtol=1e-6)
    assert trace.meta["loss_after"] < trace.meta["loss"]
    assert [s.phase for s in trace.steps][-2:] == ["update", "update"]
    stuck, after = trace_iteration(NeuronParams(W, B, "step"), A, Y, lr=0.5)
    assert not np.any(stuck.value("d/neuron.w")) and after.weights == W and after.bias == B


def test_untraced_prediction_equals_the_traced_output() -> None:
    params = NeuronParams((0.3, -0.7, 0.2), -0.1, "tanh")
    trace, _ = trace_iteration(params, (0.44, 0.29, 0.15), None)
    x = np.array([[0.44, 0.29, 0.15]], dtype=np.float32)
    assert predict(params, x)[0] == trace.value("neuron.out")


def test_data_follows_its_documented_relation() -> None:
    d = make_data()
    assert d.x.shape == (40, 3) and d.y.shape == (40,) and len(d.train_y) == 32
    assert np.array_equal(d.x, make_data().x) and not np.array_equal(d.x, make_data(seed=1).x)
    design = np.c_[d.x, np.ones(len(d))]
    coef, *_ = np.linalg.lstsq(design, d.y, rcond=None)
    np.testing.assert_allclose(coef, [*TRUE_WEIGHTS, TRUE_BIAS], atol=0.25)
    assert 0.04 < float(np.std(d.y - design @ coef)) < 0.12


def test_lab_same_seed_same_run_and_learning() -> None:
    a, b = NeuronLab(seed=3), NeuronLab(seed=3)
    a.fit(60)
    b.fit(60)
    assert a.history == b.history and a.weights == b.weights
    assert NeuronLab(seed=4).weights != NeuronLab(seed=3).weights
    assert a.history.train[-1] < 0.1 * a.history.train[0]
    assert a.history.train[-1] == pytest.approx(a.train_loss())
    assert a.path().shape == (61, 2) and a.cursor == len(a) - 1


def test_lab_step_order_preview_and_edits() -> None:
    lab = NeuronLab(seed=0)
    assert lab.step.name == "loss" and lab.step.phase == "loss"  # the preview shows the loss
    assert "update" not in {s.phase for s in lab.trace.steps}
    lab.set_sample(5)
    lab.train_step()
    assert lab.history.samples == (5,) and lab.cursor == 0
    assert lab.step.phase == "forward" and lab.trace.steps[-1].phase == "update"
    assert lab.trace.meta["target"] == pytest.approx(float(lab.data.train_y[5]))
    np.testing.assert_allclose(lab.weights, lab.trace.value("neuron.w@after"))
    lab.train_step()
    assert lab.history.samples == (5, 6) and lab.sample == 6
    lab.set_input(0, 0.9)
    assert lab.sample is None and lab.target() is None
    assert {s.phase for s in lab.trace.steps} == {"forward"}
    assert lab.trace.value("neuron.inputs")[0] == pytest.approx(0.9)
    lab.set_weight(1, 2.5)
    assert lab.weights[1] == 2.5 and lab.history.steps == 0  # an edit starts a new run
    lab.set_activation("relu")
    assert lab.trace.first("neuron.out").kind == "neuron_relu"
    with pytest.raises(ValueError):
        lab.set_activation("softplus")


def test_loss_surface_is_the_training_loss() -> None:
    lab = NeuronLab(seed=1)
    lab.fit(100)
    surf = lab.loss_surface(0, 1, grid=21)
    assert surf.loss.shape == (21, 21)
    a, b = 7, 13
    vec = [*lab.weights, lab.bias]
    vec[0], vec[1] = float(surf.xs[a]), float(surf.ys[b])
    p = NeuronParams((vec[0], vec[1], vec[2]), vec[3], lab.activation)
    d = lab.data
    assert surf.loss[a, b] == pytest.approx(mean_loss(p, d.train_x, d.train_y), rel=1e-4)
    x, y, _ = surf.lowest()  # the valley is near the true weights of sun and water
    assert abs(x - TRUE_WEIGHTS[0]) < 0.6 and abs(y - TRUE_WEIGHTS[1]) < 0.6
    assert lab.loss_surface(2, 3, grid=5).loss.shape == (5, 5)


def test_every_neuron_step_is_narrated_in_both_languages() -> None:
    files = [json.loads((TEXT_DIR / f"neuron.{g}.json").read_text("utf-8")) for g in LANGUAGES]
    assert set(files[0]) == set(files[1])
    keys = set()
    for act in ACTIVATIONS:
        trace, _ = trace_iteration(NeuronParams(W, B, act), A, Y, lr=0.1)
        keys |= {s.narration for s in trace.steps}
    assert keys <= set(files[0])
    for key in keys:
        for lang in LANGUAGES:
            n = narrate(key, lang)
            assert n.title.strip() and n.text.strip() and n.formula.strip()
    assert "0" in narrate("backward.neuron_step", "en").text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in narrate("update.neuron_sgd", "zh").text)


def test_lab_runs_without_qt() -> None:
    code = (
        "import importlib.abc, sys\n"
        "class B(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'visualizer'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, B())\n"
        "from core.basics.neuron_lab import NeuronLab\n"
        "lab = NeuronLab(); lab.fit(3); print(len(lab.history.samples))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "3"
