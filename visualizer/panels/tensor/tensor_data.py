"""The numbers behind the tensor view's panels, cached per trace.

Uses ``core.display.as_matrix`` for labelling (batch dropped, head picked, token
labels), then applies only display transforms: Kᵀ shown transposed, a projection's
weight cut to the rows feeding the shown head, token ids as a labelled column, only
the last row where only the last position is used (logits → next.probs). No
model number is computed here; every value shown is one the trace holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from visualizer.panels.tensor.tensor_plan import Panel

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Step


@dataclass(frozen=True)
class Shown:
    values: np.ndarray
    rows: list[str]
    cols: list[str]
    head: int | None


class TensorData:
    """``shown(step, panel, head)`` and ``stats(key)``; ``clear()`` on a new trace."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._shown: dict[tuple[int, str, int, bool, bool, str], Shown] = {}
        self._stats: dict[str, dict[str, float]] = {}
        self._vocab: tuple[object, list[str]] | None = None

    def clear(self) -> None:
        self._shown.clear()
        self._stats.clear()

    def vocab(self) -> list[str]:
        """Target-vocabulary labels (for logits, probabilities, chosen ids), per bundle."""
        bundle = self.session.bundle
        if self._vocab is None or self._vocab[0] is not bundle:
            tok = bundle.tgt_tok
            self._vocab = (bundle, [tok.token(i) for i in range(tok.size)])
        return self._vocab[1]

    def stats(self, key: str) -> dict[str, float]:
        if key not in self._stats:
            from core.display import stats

            value = self.session.trace.value(key)
            self._stats[key] = stats(value)
            masked = np.isneginf(value).sum() if value.dtype.kind == "f" else 0
            self._stats[key]["neginf"] = int(masked)
        return self._stats[key]

    def shown(self, step: Step, panel: Panel, head: int) -> Shown:
        lang = self.session.lang  # the ids row's label is a word
        k = (step.index, panel.key, head, panel.transpose, panel.head_slice, lang)
        if k not in self._shown:
            self._shown[k] = self._make(step, panel, head)
        return self._shown[k]

    def _make(self, step: Step, panel: Panel, head: int) -> Shown:
        from core.display import as_matrix

        trace = self.session.trace
        m = as_matrix(trace, step, panel.key, head, self.vocab())
        values, rows, cols, taken = m.values, list(m.rows), list(m.cols), m.head
        if panel.head_slice and "head" in step.axes and values.ndim == 2:
            n = step.shape[step.axes.index("head")]
            dk = step.shape[-1]
            h = max(0, min(head, n - 1))
            if values.shape[0] == n * dk:  # rows h·dk … (h+1)·dk of W feed head h
                values, rows, taken = values[h * dk : (h + 1) * dk], [str(j) for j in range(dk)], h
        if m.row_axis in ("", "value") and values.shape[0] == 1:  # 1-D: one unnamed row
            rows = [""]
        if m.col_axis == "value":  # a scalar (the loss)
            cols = [""]
        if panel.link == "last" and values.ndim == 2 and values.shape[0] > 1:
            values, rows = values[-1:], rows[-1:]  # the one row the next step reads
        if panel.mode == "ids":
            values, rows, cols = self._ids(step, panel, values, rows, cols)
        if panel.transpose:
            values, rows, cols = values.T, cols, rows
        return Shown(np.ascontiguousarray(values), rows, cols, taken)

    def _ids(
        self, step: Step, panel: Panel, values: np.ndarray, rows: list[str], cols: list[str]
    ) -> tuple[np.ndarray, list[str], list[str]]:
        """Token ids: one labelled row ("id", "编号"), labelled by the tokens they stand for."""
        vocab = self.vocab()
        if panel.role == "target" or step.kind == "choose":
            cols = [
                vocab[int(i)] if 0 <= int(i) < len(vocab) else str(int(i)) for i in values.ravel()
            ]
            values = values.reshape(1, -1)
        if values.shape[0] == 1:
            rows = ["编号" if self.session.lang == "zh" else "id"]
        return values, rows, cols
