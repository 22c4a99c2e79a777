"""How one MoE layer routed the demo sentence across a training run's snapshots: no Qt.

The training process sends a ``Snapshot`` every few dozen steps; for a
mixture-of-experts model it carries each MoE layer's routing of the demo sentence
(``core.train_messages.LayerRouting``: the tokens, the chosen experts per token, the
mean router probability per expert), and the training view keeps them in
``session.snapshot_routing`` as (step, routings). From these the router view draws

* ``load_history``: each expert's load at every snapshot, the share of the sentence's
  (token, choice) pairs sent to it, counted from the chosen experts; whether training
  spreads the words over the experts or lets one take them all;
* ``word_table``: at one snapshot, which words went to which expert, each word marked
  with the expert it went to at the snapshot before when that changed (a word is
  compared with the same token at the same position; a translation that changed has
  new words there, which are not compared): whether the experts specialise.

Every number is counted in what the snapshots hold; nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.train_messages import LayerRouting

RoutingSnapshots = Sequence[tuple[int, Sequence["LayerRouting"]]]


@dataclass(frozen=True)
class LoadHistory:
    """Each expert's load at each snapshot of one layer."""

    block: str
    steps: list[int]  # training step of each snapshot (x of the chart)
    share: list[list[float]]  # [expert][snapshot]: counts / (T·k), sums to 1 over experts
    counts: list[list[int]]  # [expert][snapshot]: (token, choice) pairs sent to the expert

    @property
    def n_experts(self) -> int:
        return len(self.share)


@dataclass(frozen=True)
class Placed:
    """One word in one expert's row of the table."""

    token: str
    position: int  # its position in the routed sentence
    was: int | None  # the expert it went to at the previous snapshot, if it moved here


@dataclass(frozen=True)
class WordTable:
    """Which words went to which expert at one snapshot, and what changed since the last."""

    step: int
    index: int  # which snapshot (0 = the first)
    previous: int | None  # the step it is compared with (None: the first snapshot)
    rows: list[list[Placed]]  # [expert]: its words in sentence order
    moved: int  # words (same token, same position) whose experts changed
    compared: int  # words that could be compared with the previous snapshot


def layer_of(routings: Sequence[LayerRouting], block: str) -> LayerRouting | None:
    return next((r for r in routings if r.block == block), None)


def blocks_of(snaps: RoutingSnapshots) -> list[str]:
    """The MoE layers the snapshots name, in the order the model meets them."""
    seen: dict[str, None] = {}
    for _step, routings in snaps:
        for r in routings:
            seen.setdefault(r.block)
    return list(seen)


def load_history(snaps: RoutingSnapshots, block: str) -> LoadHistory | None:
    """Each expert's share of the layer's (token, choice) pairs at every snapshot that
    routed through ``block``; None when none did (a dense run, another model)."""
    steps: list[int] = []
    counts: list[list[int]] = []
    share: list[list[float]] = []
    for step, routings in snaps:
        r = layer_of(routings, block)
        if r is None:
            continue
        n_experts = len(r.mean_prob)
        if not counts:
            counts = [[] for _ in range(n_experts)]
            share = [[] for _ in range(n_experts)]
        picks = [e for row in r.chosen for e in row]
        for e in range(len(counts)):
            n = picks.count(e)
            counts[e].append(n)
            share[e].append(n / max(len(picks), 1))
        steps.append(step)
    return LoadHistory(block, steps, share, counts) if steps else None


def word_table(snaps: RoutingSnapshots, block: str, index: int) -> WordTable | None:
    """Snapshot ``index``'s words per expert of ``block``, each marked with the expert
    it went to at the previous snapshot that routed ``block`` when that differs."""
    found = [(step, r) for step, rs in snaps if (r := layer_of(rs, block)) is not None]
    if not found:
        return None
    index = max(0, min(index, len(found) - 1))
    step, now = found[index]
    before = found[index - 1] if index > 0 else None
    rows: list[list[Placed]] = [[] for _ in now.mean_prob]
    moved = compared = 0
    for pos, (token, experts) in enumerate(zip(now.tokens, now.chosen, strict=True)):
        old: tuple[int, ...] | None = None
        if before is not None and pos < len(before[1].tokens) and before[1].tokens[pos] == token:
            old = before[1].chosen[pos]
            compared += 1
            moved += set(old) != set(experts)
        for e in experts:
            was = old[0] if old is not None and e not in old else None
            rows[e].append(Placed(token, pos, was))
    return WordTable(
        step=step,
        index=index,
        previous=before[0] if before is not None else None,
        rows=rows,
        moved=moved,
        compared=compared,
    )


def snapshot_count(snaps: RoutingSnapshots, block: str) -> int:
    """How many snapshots routed through ``block`` (the slider's length)."""
    return sum(1 for _step, rs in snaps if layer_of(rs, block) is not None)
