"""The stepping machinery every room shares: a trace, a cursor and playback over it.

The Transformer session, the neuron lab and the network playground each produce a
``Trace`` of steps; moving through one is the same everywhere (one op, one block,
out of a block, play, jump), and so are the fields the window's timeline, narration
and export read. Keeping them in one base class means one copy of the stepping
code, and any room gets the same keys, scrubber and breakpoints for free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from core.breakpoints import Breakpoint, Breakpoints
from core.messages import msg
from core.observable import Observable
from core.trace import Step, Trace


@dataclass(frozen=True)
class Selection:
    """What the user pointed at: a head, and a cell (row, column) of the shown matrix."""

    head: int = 0
    row: int | None = None
    col: int | None = None


class Navigator(Observable):
    """Observable trace + cursor + selection + playback + language + breakpoints; no model."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "trace",
        "cursor",
        "selection",
        "playing",
        "speed",
        "lang",
        "animate",
        "error",
        "busy",
        "stopped",
    )

    def __init__(self) -> None:
        super().__init__()
        self.trace: Trace = Trace()
        self.cursor = 0
        self.selection = Selection()
        self.playing = False
        self.speed = 8.0  # steps per second while playing
        self.lang = "en"
        self.animate = True
        self.error = ""
        self.busy = False
        self.breakpoints = Breakpoints()
        self.stopped = ""  # the breakpoint the cursor stopped at, for the status line

    # -- derived -----------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.trace.steps[self.cursor]

    def __len__(self) -> int:
        return len(self.trace.steps)

    # -- breakpoints -------------------------------------------------------------------
    def add_breakpoint(self, bp: Breakpoint) -> int:
        """Add ``bp`` (see ``Breakpoints.add``); its index, or -1 with a message in
        ``error`` when the list is full (``core.limits.MAX_BREAKPOINTS``)."""
        try:
            return self.breakpoints.add(bp)
        except ValueError as e:
            self.error = str(e)
            return -1

    def run_to_breakpoint(self, direction: int = +1) -> bool:
        """Move to the nearest step after (or before) the cursor that an enabled
        breakpoint matches; False, and a message, when there is none."""
        hit = self.breakpoints.next_hit(self.trace, self.cursor, direction)
        if hit is None:
            key = "no_hit_after" if direction > 0 else "no_hit_before"
            self.error = msg(key, step=self.cursor)
            self.stopped = ""
            return False
        self.playing = False
        self.update(cursor=hit[0], stopped=hit[1].label(), error="")
        return True

    # -- moving the cursor -------------------------------------------------------------
    def seek(self, index: int) -> None:
        if self.trace.steps:
            self.cursor = max(0, min(len(self.trace.steps) - 1, index))

    def seek_key(self, key: str) -> None:
        """Jump to the step that produced the tensor ``key`` (e.g. "t3/next.token")."""
        for s in self.trace.steps:
            if s.key == key:
                self.seek(s.index)
                return
        raise KeyError(f"no step produced {key!r}")

    def seek_name(self, pattern: str) -> bool:
        """Jump to the first step matching a name or key glob (after the cursor first)."""
        found = self.trace.find(pattern)
        if not found:
            self.error = msg("no_step_matches", pattern=repr(pattern))
            return False
        later = [s for s in found if s.index > self.cursor]
        self.seek((later or found)[0].index)
        return True

    def step_forward(self) -> bool:
        """One op forward (step into); False at the end, which also stops playback."""
        if self.cursor + 1 >= len(self.trace.steps):
            self.playing = False
            return False
        self.cursor += 1
        return True

    def toggle_play(self) -> None:
        """Play from the cursor (from the start when at the end), or pause."""
        if not self.playing and self.cursor >= len(self.trace.steps) - 1:
            self.go_start()
        self.playing = not self.playing

    def step_back(self) -> None:
        self.seek(self.cursor - 1)

    def step_over(self) -> None:
        """To the start of the next segment: a run of steps in one block, which is one box
        of the diagram (an attention sublayer, an add & norm, a feed-forward)."""
        here = block_path(self.step)
        self._seek_first(lambda s: block_path(s) != here)

    def step_over_back(self) -> None:
        """To the start of this segment, or of the previous one when already there."""
        i = self._segment_start(self.cursor)
        self.seek(self._segment_start(i - 1) if i == self.cursor and i > 0 else i)

    def step_out(self) -> None:
        """To the first step after the innermost block around the cursor ends."""
        here = block_path(self.step)
        if not here:
            self.step_forward()
            return
        self._seek_first(lambda s: here[-1] not in block_path(s))

    def _segment_start(self, index: int) -> int:
        steps = self.trace.steps
        here = block_path(steps[index])
        while index > 0 and block_path(steps[index - 1]) == here:
            index -= 1
        return index

    def go_start(self) -> None:
        self.seek(0)

    def go_end(self) -> None:
        self.seek(len(self.trace.steps) - 1)

    def _seek_first(self, pred: Callable[[Step], bool]) -> None:
        for s in self.trace.steps[self.cursor + 1 :]:
            if pred(s):
                self.seek(s.index)
                return
        self.go_end()


def block_path(step: Step) -> tuple[str, ...]:
    """A step's enclosing blocks, with the decoding step outermost ("t3", "t3/dec", ...)."""
    if step.t is None:
        return step.block
    t = f"t{step.t}"
    return (t, *(f"{t}/{b}" for b in step.block))
