"""What a training run reports: one frozen dataclass per kind of message.

The training process (``core.train_process``) sends these through a
``multiprocessing`` queue to the window (``visualizer/panels/training/train_worker.py``),
which tells them apart by class (``match`` / ``isinstance``), so mypy checks both
sides against the same fields. They cross the process boundary pickled by
``multiprocessing`` (our own objects between our own processes), so they hold only
plain data: numbers, strings, NumPy arrays, folders as ``str``.

A run sends, in order: ``Started``, a ``Snapshot`` of step 0, then ``Progress`` (at
most five a second and at the last step), an ``Evaluation`` every ``eval_every``
steps and a ``Snapshot`` every ``snapshot_every`` steps, and last either ``Finished``
or ``Failed``.

This module imports nothing heavy at run time (no PyTorch): the window and the tests
can name the messages without starting the training stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import numpy as np

    from core.train import EvalStats


@dataclass(frozen=True)
class Started:
    """The run saved the weights it starts from (Restart replays the run from here)."""

    initial_dir: str  # checkpoint folder ``<out>/initial``


@dataclass(frozen=True)
class Progress:
    """The latest training step, with what the progress bar and charts need."""

    step: int
    total: int  # steps the run was asked for
    loss: float
    grad_norm: float
    lr: float
    groups: dict[str, float]  # block name -> gradient norm (of the last step that measured it)
    steps_per_s: float
    eta_s: float


@dataclass(frozen=True)
class Evaluation:
    """An evaluation on the validation split and the lecture sentences."""

    stats: EvalStats


@dataclass(frozen=True)
class LayerRouting:
    """How one mixture-of-experts layer routed the demo sentence at a snapshot: the
    layer's last router call of the traced translation (for a decoder layer the last
    decoding step, which reads the whole sentence), so the router view can chart each
    expert's load and list which words went where as training goes. A few dozen plain
    numbers: tuples, so the message stays small, frozen and comparable."""

    block: str  # the MoE sublayer, "dec.0.moe"
    tokens: tuple[str, ...]  # (T,) the token of each routed position
    chosen: tuple[tuple[int, ...], ...]  # (T, k) the chosen experts (….topk.experts), best first
    mean_prob: tuple[float, ...]  # (E,) mean router probability per expert over the T tokens


@dataclass(frozen=True, eq=False)  # eq=False: NumPy arrays have no single truth value
class Snapshot:
    """The demo sentence after ``step`` steps: its translation, cross-attention and
    (for a mixture-of-experts model) how each MoE layer routed it."""

    step: int
    translation: str
    src_tokens: list[str]
    tgt_tokens: list[str]
    cross: list[np.ndarray] = field(default_factory=list)  # per decoder layer: (heads, tgt, src)
    rms: dict[str, float] = field(default_factory=dict)  # step name -> RMS, last occurrence
    routing: tuple[LayerRouting, ...] = ()  # one per MoE layer, in trace order; () if dense


@dataclass(frozen=True)
class Finished:
    """The run ended and saved what it learned; the last message of a run."""

    final_dir: str  # checkpoint folder ``<out>/final``
    reason: str  # "steps", "lecture" or "cancelled" (core.train.FitResult.reason)


@dataclass(frozen=True)
class Failed:
    """The run stopped on an error; the last message of a run."""

    message: str  # one line for the window


Message: TypeAlias = Started | Progress | Evaluation | Snapshot | Finished | Failed
