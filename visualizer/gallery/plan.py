"""What the layout check covers: screens × languages × modes, and the subjects (every
scene of every chapter, and every room without a chapter).

Qt-free and model-free, so the plan is tested and counted without a window. The full
cross-product is what ``make lecture-check`` and ``make gallery`` run; ``quick_plan``
is what ``make test`` runs: every subject in both languages at the hardest combination
(the smallest screen at the largest zoom), plus one more combination per subject,
rotating so that every combination is exercised by some subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCREENS: tuple[tuple[int, int], ...] = ((1366, 768), (1920, 1080), (2560, 1440))
LANGS = ("en", "zh")
ROOMS = ("transformer", "neuron", "playground", "stages")


@dataclass(frozen=True, order=True)
class Mode:
    """Normal window (zoom 1), or presentation mode (full screen) at a zoom."""

    presenting: bool
    zoom: float

    @property
    def name(self) -> str:
        return f"present{round(self.zoom * 100)}" if self.presenting else "normal"


MODES = (Mode(False, 1.0), Mode(True, 1.0), Mode(True, 1.5), Mode(True, 2.0))
HARDEST = ((1366, 768), Mode(True, 2.0))


@dataclass(frozen=True)
class Subject:
    """A chapter's scene (``chapter`` id, ``index``) or a room shown without a chapter
    (``chapter`` None, ``room`` its name)."""

    chapter: str | None
    index: int
    room: str
    number: int = -1  # the chapter's number in the menu (-1: a room)

    @property
    def name(self) -> str:
        if self.chapter is None:
            return f"room-{self.room}"
        return f"ch{self.number:02d}-{self.chapter}-s{self.index + 1}"


@dataclass(frozen=True)
class Combo:
    lang: str
    size: tuple[int, int]
    mode: Mode

    @property
    def name(self) -> str:
        return f"{self.size[0]}x{self.size[1]}-{self.lang}-{self.mode.name}"


def all_combos() -> list[Combo]:
    return [Combo(lang, size, mode) for lang in LANGS for mode in MODES for size in SCREENS]


def subjects(chapters: Iterable[tuple[str, int]]) -> list[Subject]:
    """``chapters``: (id, scene count) in menu order; then the rooms."""
    out = [
        Subject(cid, i, "", number)
        for number, (cid, count) in enumerate(chapters)
        for i in range(count)
    ]
    return out + [Subject(None, 0, room) for room in ROOMS]


def full_plan(subs: Sequence[Subject]) -> dict[Subject, list[Combo]]:
    combos = all_combos()
    return {s: list(combos) for s in subs}


def quick_plan(subs: Sequence[Subject]) -> dict[Subject, list[Combo]]:
    """Each subject at the hardest combination in both languages, plus the k-th of the
    other combinations (k rotating over the subjects): with more subjects than
    combinations every combination runs at least once."""
    size, mode = HARDEST
    hard = [Combo(lang, size, mode) for lang in LANGS]
    others = [c for c in all_combos() if c not in hard]
    return {s: [*hard, others[i % len(others)]] for i, s in enumerate(subs)}


def count(plan: dict[Subject, list[Combo]]) -> int:
    return sum(len(v) for v in plan.values())
