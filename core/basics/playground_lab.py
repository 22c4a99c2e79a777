"""The network playground's session: data, network, training and one traced iteration.

``PlaygroundLab`` is a ``Navigator`` like the Transformer's session, so the shared
timeline steps the trace of one iteration (``step_traced``) with the same keys,
scrubber and breakpoints. Continuous training (``train(n)``) is untraced and fast;
the window calls it in small slices. Everything random hangs off ``config.seed`` (the
data, the initial weights and the order of the batches), so the same seed replays
the same run, iteration for iteration. Changing the data or the architecture starts
over; changing the learning rate, batch size or L2 carries on from where it is, as in
TensorFlow Playground. Any change to the live network drops the recorded iteration:
its "before" weights no longer describe the network on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from core.basics.datasets import DATASETS, Dataset, make_dataset
from core.basics.network import (
    ACTIVATIONS,
    MAX_LAYERS,
    MAX_NEURONS,
    MLP,
    traced_iteration,
    train_iteration,
)
from core.basics.plane import PlaneField, evaluate_plane
from core.messages import msg
from core.navigator import Navigator
from core.threads import one_thread
from core.trace import Trace

RESTART_DATA = frozenset({"dataset", "noise", "split", "seed", "classes", "points"})
RESTART_MODEL = frozenset({"layers", "activation"})


@dataclass(frozen=True)
class PlaygroundConfig:
    dataset: str = "xor"
    noise: float = 0.0  # 0 … 0.5
    split: float = 0.5  # fraction of the points used for training
    layers: tuple[int, ...] = (4, 4)  # hidden layers, neurons each
    activation: str = "tanh"
    lr: float = 0.03
    batch: int = 10
    l2: float = 0.0
    seed: int = 1
    classes: int = 2  # blobs and spiral take 2 … 4
    points: int = 400

    def check(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown data set {self.dataset!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        if len(self.layers) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in self.layers):
            raise ValueError(msg("lab_layers", layers=MAX_LAYERS, neurons=MAX_NEURONS))
        if not (self.lr > 0 and self.batch >= 1 and self.l2 >= 0 and self.points >= 10):
            raise ValueError(msg("lab_options"))


@dataclass(frozen=True)
class HistoryPoint:
    iteration: int
    train_loss: float  # cross-entropy over the whole training set (no L2 term)
    test_loss: float


class PlaygroundLab(Navigator):
    FIELDS: ClassVar[tuple[str, ...]] = (*Navigator.FIELDS, "config", "iteration", "version")

    def __init__(self, config: PlaygroundConfig | None = None) -> None:
        super().__init__()
        self.config = config or PlaygroundConfig()
        self.config.check()
        self.iteration = 0
        self.version = 0  # bumped whenever the live network changes (views redraw)
        self.history: list[HistoryPoint] = []
        self._planes: dict[tuple[str, int, int], PlaneField] = {}
        self.data: Dataset = self._make_data(self.config)
        self.model: MLP = self._make_model(self.config)
        self.reset()

    # -- configuration -----------------------------------------------------------------
    def configure(self, **changes: Any) -> None:
        """Change settings; data or architecture changes start a new run."""
        new = replace(self.config, **changes)
        new.check()
        old = self.config
        changed = {f.name for f in fields(new) if getattr(new, f.name) != getattr(old, f.name)}
        if not changed:
            return
        if changed & RESTART_DATA:
            self.data = self._make_data(new)
        if changed & (RESTART_DATA | RESTART_MODEL):
            self.model = self._make_model(new)
        self.config = new  # emitted once the data and the model match it
        if changed & (RESTART_DATA | RESTART_MODEL):
            self.reset()

    def add_layer(self) -> None:
        layers = self.config.layers
        if len(layers) < MAX_LAYERS:
            self.configure(layers=(*layers, layers[-1] if layers else 4))

    def remove_layer(self) -> None:
        if self.config.layers:
            self.configure(layers=self.config.layers[:-1])

    def add_neuron(self, layer: int) -> None:
        """``layer`` counts hidden layers from 0."""
        layers = list(self.config.layers)
        layers[layer] = min(MAX_NEURONS, layers[layer] + 1)
        self.configure(layers=tuple(layers))

    def remove_neuron(self, layer: int) -> None:
        layers = list(self.config.layers)
        layers[layer] = max(1, layers[layer] - 1)
        self.configure(layers=tuple(layers))

    def _make_data(self, c: PlaygroundConfig) -> Dataset:
        return make_dataset(c.dataset, c.seed, c.noise, c.split, c.classes, c.points)

    def _make_model(self, c: PlaygroundConfig) -> MLP:
        return MLP(c.layers, self.data.n_classes, c.activation, c.seed)

    # -- running -----------------------------------------------------------------------
    def reset(self) -> None:
        """Back to iteration 0 with the seed's initial weights and batch order."""
        self.model.reinit(self.config.seed)
        self._rng = np.random.default_rng([self.config.seed, 99])
        self._order = np.zeros(0, np.int64)
        self._pos = 0
        self.history = []
        self._changed(iteration=0)

    @one_thread()
    def train(self, n: int = 1) -> float:
        """``n`` untraced iterations; returns the mean batch loss (nan for n = 0)."""
        c, d, total = self.config, self.data, 0.0
        for _ in range(n):
            idx = self._next_batch()
            total += train_iteration(self.model, d.x_train[idx], d.y_train[idx], c.lr, c.l2)
        self._changed(iteration=self.iteration + n)
        return total / n if n else float("nan")

    @one_thread()
    def step_traced(self) -> Trace:
        """One iteration, recorded; it becomes the trace the timeline steps through."""
        c, d = self.config, self.data
        idx = self._next_batch()
        trace = traced_iteration(self.model, d.x_train[idx], d.y_train[idx], c.lr, c.l2)
        trace.meta.update(
            room="playground",
            iteration=self.iteration,
            batch_index=idx.tolist(),
            classes=list(self.data.classes),
            features=list(self.data.features),
            layers=list(self.model.sizes),
            activation=c.activation,
        )
        self._changed(iteration=self.iteration + 1, trace=trace)
        return trace

    def set_weight(self, layer: str, src: int, dst: int, value: float) -> None:
        """Edit the link from neuron ``src`` of the layer before to neuron ``dst`` of
        ``layer`` ("l1" … "out"): ``W[dst, src]``."""
        with torch.no_grad():
            self.model.linear(layer).weight[dst, src] = float(value)
        self._changed(iteration=self.iteration)

    def weight(self, layer: str, src: int, dst: int) -> float:
        return float(self.model.linear(layer).weight.detach()[dst, src])

    def _next_batch(self) -> torch.Tensor:
        """The next batch of training indices: a fresh seeded shuffle every epoch."""
        n, b = len(self.data.y_train), min(self.config.batch, len(self.data.y_train))
        if self._pos + b > len(self._order):
            self._order, self._pos = self._rng.permutation(n), 0
        idx = self._order[self._pos : self._pos + b]
        self._pos += b
        return torch.from_numpy(idx)

    def _changed(self, iteration: int, trace: Trace | None = None) -> None:
        """Record the losses, drop stale pictures, then tell the views (all at once)."""
        train, test = self.losses()
        if self.history and self.history[-1].iteration == iteration:
            self.history.pop()  # an edit at the same iteration replaces its point
        self.history.append(HistoryPoint(iteration, train, test))
        self._planes.clear()
        fresh: dict[str, Any] = {"iteration": iteration, "version": self.version + 1}
        if trace is not None:
            fresh.update(trace=trace, cursor=0)
        elif self.trace.steps:
            fresh.update(trace=Trace(), cursor=0, playing=False)
        self.update(**fresh)

    # -- reading -----------------------------------------------------------------------
    @torch.no_grad()
    @one_thread()
    def losses(self) -> tuple[float, float]:
        """Cross-entropy over the whole training set and the whole test set."""
        d, m = self.data, self.model
        return (
            float(F.cross_entropy(m(d.x_train), d.y_train)),
            float(F.cross_entropy(m(d.x_test), d.y_test)),
        )

    @torch.no_grad()
    @one_thread()
    def accuracy(self, part: str = "test") -> float:
        d = self.data
        x, y = (d.x_train, d.y_train) if part == "train" else (d.x_test, d.y_test)
        return float((self.model(x).argmax(1) == y).float().mean())

    @torch.no_grad()
    @one_thread()
    def predict(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) points → (N, K) class probabilities of the live network."""
        x = torch.as_tensor(np.asarray(points, np.float32).reshape(-1, 2))
        return torch.softmax(self.model(x), -1).numpy()

    @one_thread()
    def plane(self, which: str = "live", res: int = 100) -> PlaneField:
        """Every neuron over the plane: "live" weights, or the recorded iteration's
        weights "before" or "after" its update (the live ones when none is recorded)."""
        if which != "live" and not self.trace.steps:
            which = "live"
        key = (which, res, self.version)
        if key not in self._planes:
            params = None
            if which != "live":
                suffix = "" if which == "before" else "@after"
                t = self.trace.tensors
                params = {n: t[n + suffix] for n, _ in self.model.named_parameters()}
            self._planes[key] = evaluate_plane(self.model, res, params)
        return self._planes[key]
