"""``Cell``: the selected cell of a step's output and lookups of the step's inputs —
what every worked formula (``worked``, ``worked_forward``) reads its numbers from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # core.display imports torch; the window paints before torch loads
    from core.display import Matrix
    from core.trace import Step, Trace


class Cell:
    """The selected cell of a step's output, and lookups of the step's inputs."""

    def __init__(
        self,
        trace: Trace,
        step: Step,
        head: int,
        row: int | None,
        col: int | None,
        vocab: list[str],
    ) -> None:
        self.trace, self.step, self.head, self.vocab = trace, step, head, vocab
        self.values: dict[str, float] = {}
        self.out = self.mat("out")
        n_rows, n_cols = self.out.values.shape
        self.r = max(0, min(n_rows - 1, row or 0))
        if col is None and self.out.col_axis == "vocab":  # the interesting column: the best
            col = int(np.argmax(np.nan_to_num(self.out.values[self.r], nan=-np.inf)))
        self.c = max(0, min(n_cols - 1, col or 0))
        self.y = float(self.out.values[self.r, self.c])

    def key(self, role: str) -> str:
        if role == "out":
            return self.step.tensors.get("out", self.step.key)
        return self.step.tensors[role]

    def mat(self, role: str, head: int | None = None) -> Matrix:
        from core.display import as_matrix

        h = self.head if head is None else head
        return as_matrix(self.trace, self.step, self.key(role), h, self.vocab)

    def row_of(self, role: str) -> np.ndarray:
        """Row r of an input (its last row when it has more rows than the output)."""
        v = self.mat(role).values
        return v[self.r] if v.shape[0] == self.out.values.shape[0] else v[-1]

    def at(self, role: str) -> float:
        """The same cell of an input of the output's shape (x, sublayer, pos, value…)."""
        v = self.mat(role).values
        return float(v[min(self.r, v.shape[0] - 1), min(self.c, v.shape[1] - 1)])

    def param(self, role: str, suffix: str = "") -> np.ndarray | None:
        """A parameter a role names (its ``bias`` with suffix "bias"), or None."""
        key = self.step.tensors.get(role, "")
        if suffix:
            key = key[: -len("weight")] + suffix if key.endswith("weight") else ""
        return self.trace.value(key) if key in self.trace.tensors else None

    def producer(self, role: str) -> Step | None:
        key = self.step.tensors.get(role)
        return next((s for s in self.trace.steps if s.key == key), None)

    def label(self, token_id: int) -> str:
        ok = 0 <= token_id < len(self.vocab)
        return self.vocab[token_id] if ok else str(token_id)
