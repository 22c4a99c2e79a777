"""The playground's 2-D data sets, generated from a seed.

Every set lives in the square [-1, 1]² so one input scale, one weight scale and one
picture of the plane fit them all; ``noise`` (0 … 0.5) blurs each set by an amount
that is comparable across sets (a fraction of the square). The points are shuffled
once with the seed and cut into a training part and a test part, so the test points
are never trained on and the same seed always gives the same split. "Cat or dog" is
the toy with meaning: two named features and named classes, so an output reads
"80 % cat, 20 % dog" rather than "class 0".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.messages import msg

EXTENT = 1.0  # every set lies in [-EXTENT, EXTENT]²
DATASETS: tuple[str, ...] = ("blobs", "xor", "circle", "spiral", "cat_dog")
MULTI_CLASS: tuple[str, ...] = ("blobs", "spiral")  # the sets that take 3 or 4 classes
MAX_CLASSES = 4


@dataclass(frozen=True)
class Dataset:
    """Training and test points (x: (N, 2) float32, y: (N,) int64) plus their names."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]  # one name per class, e.g. ("cat", "dog")
    features: tuple[str, str]  # what the two inputs mean, e.g. ("ear pointiness", ...)

    @property
    def n_classes(self) -> int:
        return len(self.classes)


Points = tuple[np.ndarray, np.ndarray]  # x: (N, 2) float, y: (N,) int
Generator = Callable[[np.random.Generator, int, float, int], Points]


def _blobs(rng: np.random.Generator, n: int, noise: float, k: int) -> Points:
    """k Gaussian blobs on a circle; noise widens them until they overlap."""
    y = np.arange(n) % k
    angle = 2 * np.pi * y / k + np.pi / 4
    centres = 0.5 * np.stack([np.cos(angle), np.sin(angle)], 1)  # (N, 2)
    x = centres + rng.normal(0.0, 0.1 + 0.5 * noise, (n, 2))
    return x, y


def _xor(rng: np.random.Generator, n: int, noise: float, k: int) -> Points:
    """Points in the four quadrants; the class is whether x and y share a sign."""
    x = rng.uniform(-0.95, 0.95, (n, 2))
    x += np.sign(x) * 0.05  # a small gap along the axes, as in TensorFlow Playground
    y = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x + rng.normal(0.0, 0.5 * noise, (n, 2)), y


def _circle(rng: np.random.Generator, n: int, noise: float, k: int) -> Points:
    """An inner disc (class 0) inside a ring (class 1)."""
    y = np.arange(n) % 2
    r = np.where(y == 0, rng.uniform(0.0, 0.4, n), rng.uniform(0.6, 0.95, n))
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.cos(a), r * np.sin(a)], 1)
    return x + rng.normal(0.0, 0.5 * noise, (n, 2)), y


def _spiral(rng: np.random.Generator, n: int, noise: float, k: int) -> Points:
    """k interleaved arms of one and a half turns each."""
    y = np.arange(n) % k
    t = rng.uniform(0.0, 1.0, n)  # position along the arm
    r = 0.05 + 0.85 * t
    a = 1.5 * 2 * np.pi * t + 2 * np.pi * y / k
    x = np.stack([r * np.cos(a), r * np.sin(a)], 1)
    return x + rng.normal(0.0, 0.25 * noise, (n, 2)), y


def _cat_dog(rng: np.random.Generator, n: int, noise: float, k: int) -> Points:
    """Cats: pointy ears, short snouts; dogs: rounder ears, longer snouts (with overlap).

    x = ear pointiness, y = snout length, both scaled to [-1, 1]. The classes follow a
    curved line, so one straight cut is good but a hidden layer is better.
    """
    y = np.arange(n) % 2  # 0 = cat, 1 = dog
    ears = np.where(y == 0, rng.normal(0.35, 0.3, n), rng.normal(-0.3, 0.35, n))
    snout = np.where(y == 0, rng.normal(-0.4, 0.25, n), rng.normal(0.25, 0.35, n))
    snout += np.where(y == 1, 0.35 * ears**2, 0.0)  # long-snouted breeds spread the ears
    x = np.stack([ears, snout], 1)
    return x + rng.normal(0.0, 0.5 * noise, (n, 2)), y


GENERATORS: dict[str, Generator] = {
    "blobs": _blobs,
    "xor": _xor,
    "circle": _circle,
    "spiral": _spiral,
    "cat_dog": _cat_dog,
}
COLOR_CLASSES = ("orange", "blue", "green", "purple")


def class_names(name: str, classes: int) -> tuple[str, ...]:
    if name == "cat_dog":
        return ("cat", "dog")
    return COLOR_CLASSES[: n_classes(name, classes)]


def n_classes(name: str, classes: int) -> int:
    """How many classes a set really has: only blobs and spiral take 3 or 4."""
    return max(2, min(MAX_CLASSES, classes)) if name in MULTI_CLASS else 2


def make_dataset(
    name: str,
    seed: int = 1,
    noise: float = 0.0,
    split: float = 0.5,
    classes: int = 2,
    points: int = 400,
) -> Dataset:
    """Generate a set; ``split`` is the fraction of points used for training."""
    if name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(msg("lab_noise", noise=noise))
    if not 0.1 <= split <= 0.9:
        raise ValueError(msg("lab_split", split=split))
    k = n_classes(name, classes)
    rng = np.random.default_rng([seed, DATASETS.index(name)])
    x, y = GENERATORS[name](rng, points, noise, k)
    x = np.clip(x, -EXTENT, EXTENT)
    order = rng.permutation(points)
    cut = max(1, min(points - 1, round(split * points)))
    xt = torch.as_tensor(x[order], dtype=torch.float32)  # (N, 2)
    yt = torch.as_tensor(y[order], dtype=torch.int64)  # (N,)
    features = ("ear pointiness", "snout length") if name == "cat_dog" else ("x₁", "x₂")
    return Dataset(
        name,
        xt[:cut].contiguous(),
        yt[:cut].contiguous(),
        xt[cut:].contiguous(),
        yt[cut:].contiguous(),
        class_names(name, k),
        features,
    )
