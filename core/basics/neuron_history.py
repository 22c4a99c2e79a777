"""A gradient-descent run of the neuron lab, as the loss curve and the path draw it.

Why immutable: the lab assigns a new ``History`` after every step (or batch of steps),
so observers get one change event, and equal runs compare equal (same seed → same
history is a one-line test).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.basics.neuron import NeuronParams, mean_loss
from core.basics.neuron_data import NeuronData


@dataclass(frozen=True)
class History:
    """Entry 0 is the start, entry k the state after step k."""

    params: tuple[tuple[float, ...], ...]  # (w1, w2, w3, b) per entry
    train: tuple[float, ...]  # mean training loss per entry
    test: tuple[float, ...]  # mean test loss per entry
    samples: tuple[int, ...] = ()  # the training sample step k used (one per step)
    losses: tuple[float, ...] = ()  # that sample's loss (z − y)² just before step k

    @property
    def steps(self) -> int:
        return len(self.samples)


def started(params: NeuronParams, data: NeuronData) -> History:
    """A run that has not taken a step yet."""
    return History(
        params=(tuple(params.vector().tolist()),),
        train=(mean_loss(params, data.train_x, data.train_y),),
        test=(mean_loss(params, data.test_x, data.test_y),),
    )


def grown(h: History, after: NeuronParams, data: NeuronData, sample: int, loss: float) -> History:
    """``h`` plus one step on ``sample`` whose loss before was ``loss``, ending at ``after``."""
    return History(
        params=(*h.params, tuple(after.vector().tolist())),
        train=(*h.train, mean_loss(after, data.train_x, data.train_y)),
        test=(*h.test, mean_loss(after, data.test_x, data.test_y)),
        samples=(*h.samples, sample),
        losses=(*h.losses, loss),
    )
