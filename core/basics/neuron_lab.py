"""The neuron lab's session: one neuron, the sunflower data, and gradient descent step by step.

A ``Navigator`` subclass, so the shared timeline steps it with the same keys as the
Transformer. Its ``trace`` is always one iteration on one sample:

- after any edit (an input, a weight, the bias, the activation, the sample) a *preview*
  is traced: forward, loss and backward, nothing applied; the cursor lands on the loss
  so the whole forward pass is on screen. Inputs typed by hand have no target, so
  their preview is the forward pass only.
- ``train_step()`` traces and *applies* one step of plain stochastic gradient descent
  on ONE training sample (forward → loss → backward → update; the cursor starts at
  the first step). One sample, not the whole batch, because then every number the
  update uses is on the figure: the four inputs of the arithmetic are the ones shown.
  Samples are taken in order: a step right after a step moves to the next sample,
  while a sample picked by hand is used by the next step.

A manual edit of a parameter or the activation starts a new ``history`` (loss curve
and path) from the edited point, since the old curve belongs to another run. Same
seed, same edits → the same numbers (the initial weights come from ``seed``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from core.basics.neuron import (
    ACTIVATIONS,
    NeuronParams,
    activation_curve,
    mean_loss,
    predict,
    trace_iteration,
)
from core.basics.neuron_data import NeuronData, make_data
from core.basics.neuron_history import History, grown, started
from core.basics.neuron_surface import Surface, surface
from core.messages import msg
from core.navigator import Navigator
from core.trace import Trace

PARAM_NAMES: tuple[str, ...] = ("w1", "w2", "w3", "b")  # the indices loss surfaces use
SPAN = (-1.0, 3.5)  # the surface's axes always show at least this range
LIMIT = 20.0  # …and never more than ±LIMIT, whatever a diverging run does


class NeuronLab(Navigator):
    """Observable neuron state + the trace of one iteration + the training history."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        *Navigator.FIELDS,
        "inputs",
        "weights",
        "bias",
        "activation",
        "sample",
        "lr",
        "seed",
        "history",
        "pair",
    )

    def __init__(
        self,
        seed: int = 0,
        activation: str = "identity",
        lr: float = 0.3,
        data: NeuronData | None = None,
    ) -> None:
        super().__init__()
        self.data = data or make_data()
        self.inputs: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.weights: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.bias = 0.0
        self.activation = self._checked(activation)
        self.sample: int | None = 0  # index into the training samples; None: typed inputs
        self.lr = lr
        self.seed = seed
        self.pair: tuple[int, int] = (0, 1)  # the two parameters of the loss surface
        self.history = History((), (), ())
        self._stepped = False  # the last action was a step: the next step moves on
        self.reset(seed)

    # -- derived -----------------------------------------------------------------------
    @property
    def params(self) -> NeuronParams:
        return NeuronParams(self.weights, self.bias, self.activation)

    @property
    def n_train(self) -> int:
        return self.data.n_train

    def target(self) -> float | None:
        return None if self.sample is None else float(self.data.train_y[self.sample])

    def predictions(self) -> np.ndarray:
        """The neuron's current output for every sample (train then test), (N,)."""
        return predict(self.params, self.data.x)

    def train_loss(self) -> float:
        return mean_loss(self.params, self.data.train_x, self.data.train_y)

    def test_loss(self) -> float:
        return mean_loss(self.params, self.data.test_x, self.data.test_y)

    def curve(self, xs: np.ndarray) -> np.ndarray:
        """The current activation over sums ``xs`` (for drawing its shape)."""
        return activation_curve(self.activation, xs)

    def path(self, i: int | None = None, j: int | None = None) -> np.ndarray:
        """(steps + 1, 2): parameters i and j at the start and after every step."""
        i, j = self.pair if i is None or j is None else (i, j)
        p = np.asarray(self.history.params, dtype=np.float64).reshape(-1, 4)
        return p[:, [i, j]]

    # -- edits (each re-traces the preview) -----------------------------------------------
    def set_input(self, i: int, value: float) -> None:
        values = list(self.inputs)
        values[i] = float(value)
        self._edit(inputs=tuple(values), sample=None)

    def set_sample(self, index: int) -> None:
        if not 0 <= index < self.n_train:
            raise ValueError(msg("lab_sample", high=self.n_train - 1, index=index))
        self._stepped = False
        self._edit(inputs=self._features(index), sample=index)

    def set_weight(self, i: int, value: float) -> None:
        self.set_param(i, value)

    def set_bias(self, value: float) -> None:
        self.set_param(3, value)

    def set_param(self, k: int, value: float) -> None:
        """Parameter k of (w1, w2, w3, b); starts a new history from the edited point."""
        vec = [*self.weights, self.bias]
        vec[k] = float(value)
        weights = (vec[0], vec[1], vec[2])
        fresh = started(NeuronParams(weights, vec[3], self.activation), self.data)
        self._edit(weights=weights, bias=vec[3], history=fresh)

    def set_activation(self, name: str) -> None:
        self._checked(name)
        fresh = started(NeuronParams(self.weights, self.bias, name), self.data)
        self._edit(activation=name, history=fresh)

    def set_lr(self, lr: float) -> None:
        if not (lr >= 0.0 and np.isfinite(lr)):
            raise ValueError(msg("lab_lr", lr=lr))
        self.lr = float(lr)

    def set_pair(self, i: int, j: int) -> None:
        if i == j or not (0 <= i < 4 and 0 <= j < 4):
            raise ValueError(msg("lab_two_params", names=str(PARAM_NAMES)))
        self.pair = (i, j)

    def reset(self, seed: int | None = None) -> None:
        """Initial weights and bias drawn from ``seed`` (uniform in ±0.5), history cleared."""
        seed = self.seed if seed is None else int(seed)
        rng = np.random.default_rng(seed)
        w = np.round(rng.uniform(-0.5, 0.5, size=4), 2)  # (4,): w1, w2, w3, b
        weights = (float(w[0]), float(w[1]), float(w[2]))
        self._stepped = False
        self.playing = False
        self._edit(
            seed=seed,
            weights=weights,
            bias=float(w[3]),
            sample=0,
            inputs=self._features(0),
            history=started(NeuronParams(weights, float(w[3]), self.activation), self.data),
        )

    # -- training ----------------------------------------------------------------------
    def train_step(self) -> Trace:
        """One traced SGD step on one training sample; the timeline then walks through it."""
        return self._run(1, at_end=False)

    def fit(self, n: int) -> list[float]:
        """``n`` steps in a row (samples in order); keeps the last step's trace, cursor at
        its end. Returns the sample losses of those steps."""
        if n < 1:
            raise ValueError(msg("lab_steps", n=n))
        self._run(n, at_end=True)
        return list(self.history.losses[-n:])

    def _run(self, n: int, at_end: bool) -> Trace:
        """``n`` steps on local state, then one ``update`` so observers see the end state."""
        weights, bias, history = self.weights, self.bias, self.history
        idx = 0 if self.sample is None else self.sample
        if self._stepped and self.sample is not None:
            idx = (idx + 1) % self.n_train
        d = self.data
        for k in range(n):
            if k:
                idx = (idx + 1) % self.n_train
            params = NeuronParams(weights, bias, self.activation)
            a, y = self._features(idx), float(d.train_y[idx])
            trace, after = trace_iteration(params, a, y, self.lr)
            weights, bias = after.weights, after.bias
            history = grown(history, after, self.data, idx, float(trace.meta["loss"]))
        self._stepped = True
        self.update(
            weights=weights,
            bias=bias,
            sample=idx,
            inputs=self._features(idx),
            history=history,
            trace=trace,
            cursor=len(trace.steps) - 1 if at_end else 0,
        )
        return trace

    # -- loss surface --------------------------------------------------------------------
    def loss_surface(
        self,
        i: int | None = None,
        j: int | None = None,
        grid: int = 41,
        span: tuple[float, float] | None = None,
    ) -> Surface:
        """Mean training loss over a ``grid`` × ``grid`` square of parameters i and j (of
        w1, w2, w3, b), the other two at their current values. The square covers ``span``,
        by default ``SPAN`` widened to hold the whole gradient-descent path."""
        i, j = self.pair if i is None or j is None else (i, j)
        span = span or self.surface_span(i, j)
        axis = np.linspace(span[0], span[1], grid)  # (grid,)
        return surface(self.params, self.data, i, j, axis)

    def surface_span(self, i: int, j: int) -> tuple[float, float]:
        """The default square of ``loss_surface``: ``SPAN``, widened to hold the path."""
        path = self.path(i, j)
        finite = path[np.isfinite(path)]
        lo = float(finite.min()) - 0.5 if finite.size else SPAN[0]
        hi = float(finite.max()) + 0.5 if finite.size else SPAN[1]
        return (max(-LIMIT, min(SPAN[0], lo)), min(LIMIT, max(SPAN[1], hi)))

    # -- internals -----------------------------------------------------------------------
    def _features(self, index: int) -> tuple[float, float, float]:
        x = self.data.train_x[index]  # (3,) float32; rounded so 0.44 does not read 0.4399999
        return (round(float(x[0]), 6), round(float(x[1]), 6), round(float(x[2]), 6))

    def _edit(self, **fields: Any) -> None:
        """Assign fields and a fresh preview trace together, so observers see one state."""
        get = lambda k: fields.get(k, getattr(self, k))  # noqa: E731
        sample = get("sample")
        params = NeuronParams(get("weights"), get("bias"), get("activation"))
        y = None if sample is None else float(self.data.train_y[sample])
        trace, _ = trace_iteration(params, get("inputs"), y, self.lr, update=False)
        last = trace.find("loss", phase="loss") if y is not None else trace.steps
        self.update(**fields, trace=trace, cursor=last[-1].index)

    @staticmethod
    def _checked(name: str) -> str:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; choose one of {ACTIVATIONS}")
        return name
