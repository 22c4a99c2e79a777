"""The neuron lab's data set: how tall a sunflower grows, from three things a gardener controls.

Why generated: the lab must run offline and give every learner the same numbers, and a
*known* true relation lets the lesson say what a well-trained neuron should find. The
relation is linear, so one neuron with the identity activation can learn it exactly (up
to the noise), while a sigmoid, whose outputs stay between 0 and 1, visibly cannot
reach heights of 2 or 3 metres: a lesson about activations for free.

True relation (fixed seed ``DATA_SEED``; every value rounded to 2 decimals so the
table and the worked arithmetic show short numbers):

    height [m] = 2.0 · sun + 1.2 · water + 1.5 · compost + 0.3 + ε,   ε ~ N(0, 0.08²)

    sun      share of the day in direct sun       0.10 … 0.60
    water    litres of water per day              0.10 … 1.00
    compost  share of compost in the soil         0.00 … 0.50

Every feature is already of order 1, so no scaling step stands between the data and
the neuron's arithmetic. The first ``N_TRAIN`` samples train, the rest only test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DATA_SEED = 2024
FEATURES: tuple[str, str, str] = ("sun", "water", "compost")
TARGET = "height"
RANGES: tuple[tuple[float, float], ...] = ((0.10, 0.60), (0.10, 1.00), (0.00, 0.50))
TRUE_WEIGHTS: tuple[float, float, float] = (2.0, 1.2, 1.5)
TRUE_BIAS = 0.3
NOISE = 0.08
N_SAMPLES = 40
N_TRAIN = 32


@dataclass(frozen=True, eq=False)
class NeuronData:
    """Samples ``x`` (N, 3) float32 — sun, water, compost — and targets ``y`` (N,) float32."""

    x: np.ndarray
    y: np.ndarray
    n_train: int

    def __len__(self) -> int:
        return len(self.y)

    @property
    def train_x(self) -> np.ndarray:  # (n_train, 3)
        return self.x[: self.n_train]

    @property
    def train_y(self) -> np.ndarray:  # (n_train,)
        return self.y[: self.n_train]

    @property
    def test_x(self) -> np.ndarray:  # (N - n_train, 3)
        return self.x[self.n_train :]

    @property
    def test_y(self) -> np.ndarray:  # (N - n_train,)
        return self.y[self.n_train :]


def true_height(x: np.ndarray) -> np.ndarray:
    """The noise-free relation, for any (..., 3) array of features."""
    return x @ np.asarray(TRUE_WEIGHTS) + TRUE_BIAS


def make_data(n: int = N_SAMPLES, n_train: int = N_TRAIN, seed: int = DATA_SEED) -> NeuronData:
    """The sunflower samples; the same seed always gives the same numbers."""
    if not 0 < n_train <= n:
        raise ValueError(f"n_train must be in 1..{n}, got {n_train}")
    rng = np.random.default_rng(seed)
    lo, hi = np.asarray(RANGES).T  # (3,), (3,)
    x = np.round(rng.uniform(lo, hi, size=(n, 3)), 2)  # (n, 3)
    y = np.round(true_height(x) + rng.normal(0.0, NOISE, size=n), 2)  # (n,)
    return NeuronData(x.astype(np.float32), y.astype(np.float32), n_train)
