"""The playground's network against independent references: autograd, its own untraced
path, the seed, and the data sets it must learn (accuracy thresholds stated below)."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch

from core.basics.datasets import DATASETS, make_dataset
from core.basics.network import MLP, loss_of, traced_iteration, train_iteration
from core.basics.plane import cell_of, evaluate_plane, grid_points
from core.basics.playground_lab import PlaygroundConfig, PlaygroundLab
from core.narration import narrate
from core.trace import GRAD, Tracer


def _batch(k: int = 3, n: int = 12) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(5)
    return torch.rand(n, 2, generator=g) * 2 - 1, torch.randint(0, k, (n,), generator=g)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_recorded_gradients_equal_autograd(activation: str) -> None:
    model = MLP((4, 3), 3, activation, seed=2)
    x, y = _batch()
    tracer = Tracer(grads=True, keep_graph=True)
    tracer.watch_parameters(model, clone=False)
    with tracer.active():
        loss = loss_of(model, model(x), y, l2=0.01)
    loss.backward(retain_graph=True)
    tracer.close()
    tracer.recording = False
    live = {k: v for k, v in tracer.live.items() if v.requires_grad}
    params = dict(model.named_parameters())
    wanted = [*live.values(), *params.values()]
    grads = torch.autograd.grad(loss, wanted)
    recorded = tracer.trace.tensors
    for name, grad in zip([*live, *params], grads, strict=True):
        torch.testing.assert_close(recorded[GRAD + name], grad, atol=0, rtol=0)
    assert set(live) == {"l1.pre", "l1.act", "l2.pre", "l2.act", "out.logits"}
    assert len(params) == 6


def test_traced_iteration_records_autograd_and_the_update() -> None:
    model = MLP((5,), 2, "tanh", seed=3)
    x, y = _batch(k=2)
    ref = copy.deepcopy(model)
    expected = torch.autograd.grad(loss_of(ref, ref(x), y, 0.02), list(ref.parameters()))
    trace = traced_iteration(model, x, y, lr=0.5, l2=0.02)
    phases = [s.phase for s in trace.steps]
    assert phases == sorted(phases, key=["forward", "loss", "backward", "update"].index)
    assert trace.first("*", "backward").name == "loss"
    updates = {s.name: s for s in trace.steps if s.phase == "update"}
    for (name, p), (rname, rp), g in zip(
        model.named_parameters(), ref.named_parameters(), expected, strict=True
    ):
        assert name == rname
        torch.testing.assert_close(trace.tensors[GRAD + name], g, atol=0, rtol=0)
        roles = {r: trace.tensors[k] for r, k in updates[name].tensors.items()}
        assert torch.equal(roles["before"], rp.detach())
        assert torch.equal(roles["update"], -0.5 * g)
        assert torch.equal(roles["out"], p.detach())
        assert not torch.equal(roles["out"], roles["before"])
    probs = trace.value("out.probs")
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)


def test_traced_and_untraced_iterations_agree_bit_for_bit() -> None:
    a, b = MLP((4, 4), 3, "relu", seed=7), MLP((4, 4), 3, "relu", seed=7)
    x, y = _batch()
    for _ in range(3):
        loss = train_iteration(a, x, y, lr=0.1, l2=0.001)
        trace = traced_iteration(b, x, y, lr=0.1, l2=0.001)
        assert loss == trace.meta["loss"]
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_every_step_has_narration_in_both_languages() -> None:
    lab = PlaygroundLab(PlaygroundConfig(layers=(3, 2, 2), l2=0.01))
    lab.step_traced()
    for step in lab.trace.steps:
        for lang in ("en", "zh"):
            assert narrate(step.narration, lang).text
    assert lab.trace.steps[0].name == "input"


@pytest.mark.parametrize(
    ("dataset", "layers", "activation", "lr", "iterations", "accuracy"),
    [
        ("xor", (4, 4), "tanh", 0.1, 2000, 0.95),
        # lr 0.1 for 5000 steps reached 0.78-0.94 by seed and by machine (float rounding
        # picks the trajectory); at 0.03 for 8000, 0.945-1.0 on seeds 1-4 on two kernels
        ("spiral", (8, 8, 8, 8), "relu", 0.03, 8000, 0.90),
        ("cat_dog", (3,), "tanh", 0.1, 1000, 0.90),
    ],
)
def test_playground_learns(
    dataset: str,
    layers: tuple[int, ...],
    activation: str,
    lr: float,
    iterations: int,
    accuracy: float,
) -> None:
    """Fixed seed 1, no noise, half the points for testing: held-out accuracy."""
    lab = PlaygroundLab(
        PlaygroundConfig(dataset=dataset, layers=layers, activation=activation, lr=lr, seed=1)
    )
    before = lab.accuracy("test")
    lab.train(iterations)
    assert lab.accuracy("test") >= accuracy > before
    assert lab.history[-1].train_loss < lab.history[0].train_loss


def test_multi_class_softmax() -> None:
    lab = PlaygroundLab(PlaygroundConfig(dataset="blobs", classes=4, layers=(), lr=0.1))
    assert lab.data.classes == ("orange", "blue", "green", "purple")
    lab.train(500)
    assert lab.accuracy("test") >= 0.95
    trace = lab.step_traced()
    assert trace.value("out.probs").shape == (10, 4)
    field = lab.plane("live", 40)
    np.testing.assert_allclose(field.probs.sum(-1), 1.0, rtol=1e-5)


def test_same_seed_replays_the_same_run() -> None:
    def run(seed: int) -> list[tuple[float, float]]:
        lab = PlaygroundLab(PlaygroundConfig(dataset="circle", seed=seed, noise=0.2, batch=7))
        lab.train(30)
        lab.step_traced()
        lab.train(30)
        return [(h.train_loss, h.test_loss) for h in lab.history]

    assert run(4) == run(4)
    assert run(4) != run(5)


def test_stepping_equals_training() -> None:
    a, b = PlaygroundLab(), PlaygroundLab()
    a.train(5)
    for _ in range(5):
        b.step_traced()
    for pa, pb in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_lab_configuration_and_edits() -> None:
    lab = PlaygroundLab()
    lab.train(20)
    lab.configure(lr=0.3, l2=0.001, batch=5)  # hyper-parameters carry on
    assert lab.iteration == 20
    lab.step_traced()
    assert lab.trace.steps
    lab.set_weight("l2", 1, 0, 2.5)  # an edit drops the recorded iteration
    assert lab.weight("l2", 1, 0) == 2.5 and not lab.trace.steps
    lab.configure(dataset="spiral")  # new data: a new run
    assert lab.iteration == 0 and len(lab.history) == 1
    for _ in range(8):
        lab.add_layer()
        lab.add_neuron(0)
    assert lab.config.layers[0] == 8 and len(lab.config.layers) == 6
    assert lab.model.sizes == [2, 8, 4, 4, 4, 4, 4, 2]
    for _ in range(7):
        lab.remove_layer()
    assert lab.config.layers == ()
    with pytest.raises(ValueError):
        lab.configure(activation="swish")


def test_data_sets() -> None:
    for name in DATASETS:
        d = make_dataset(name, seed=3, noise=0.3, split=0.7, points=200)
        assert d.x_train.shape == (140, 2) and d.x_test.shape == (60, 2)
        assert float(d.x_train.abs().max()) <= 1.0
        assert torch.equal(d.x_train, make_dataset(name, 3, 0.3, 0.7, points=200).x_train)
    cd = make_dataset("cat_dog")
    assert cd.classes == ("cat", "dog") and cd.features == ("ear pointiness", "snout length")
    assert make_dataset("spiral", classes=3).n_classes == 3
    assert make_dataset("xor", classes=3).n_classes == 2


def test_plane_is_the_network_over_a_grid() -> None:
    lab = PlaygroundLab(PlaygroundConfig(layers=(3,)))
    field = evaluate_plane(lab.model, 20)
    assert field.outputs["l1"].shape == (20, 20, 3)
    pts = grid_points(20)
    cell = cell_of(float(pts[47, 0]), float(pts[47, 1]), 20)
    assert cell == (2, 7)
    np.testing.assert_allclose(field.probs[2, 7], lab.predict(pts[47].numpy())[0], rtol=1e-5)
    lab.step_traced()
    assert not np.array_equal(lab.plane("before", 20).probs, lab.plane("after", 20).probs)
    np.testing.assert_array_equal(lab.plane("after", 20).probs, lab.plane("live", 20).probs)


def test_basics_import_without_qt() -> None:
    code = (
        "import sys, core.basics.playground_lab;"
        "print(any(m.split('.')[0] in ('PySide6', 'pyqtgraph') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
