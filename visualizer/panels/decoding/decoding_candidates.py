"""Which next-token candidates the decoding panel lists, without Qt.

A candidate is a token the next step could really produce. After temperature, top-k
and top-p a token of probability 0 cannot be drawn, so it is not listed (a confident
model at top-p 0.9 has one candidate, not five rows of 0 %). The special tokens
``<pad>``, ``<bos>`` and ``<unk>`` are never the answer a lecture wants to discuss:
they are listed only with a visible probability (``SPECIAL_FLOOR``), so a column of
``<pad> <bos> <unk>`` at "0.0012 %" never hides the words that compete.
``closest_step`` finds the decoding step whose two best candidates are closest: where
sampling has a real choice to make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

QUIET = frozenset({"<pad>", "<bos>", "<unk>"})  # special tokens no sentence continues with
SPECIAL_FLOOR = 0.001  # a special token is listed from 0.1 % on


def listed(
    pairs: Iterable[tuple[int, float]], token: Callable[[int], str], limit: int
) -> list[tuple[int, float]]:
    """The first ``limit`` (id, probability) pairs, most likely first, that are real
    candidates: probability above 0, and a quiet special token only from the floor on."""
    out = []
    for i, p in sorted(pairs, key=lambda ip: -ip[1]):
        if p <= 0.0 or (token(i) in QUIET and p < SPECIAL_FLOOR):
            continue
        out.append((i, p))
        if len(out) == limit:
            break
    return out


def closest_step(tops: Mapping[int, Sequence[tuple[int, float]]]) -> int | None:
    """The step t whose best two candidates differ least in probability (None if no
    step has two); the earliest on a tie."""
    gaps = {t: top[0][1] - top[1][1] for t, top in tops.items() if len(top) >= 2}
    return min(gaps, key=lambda t: (gaps[t], t)) if gaps else None
