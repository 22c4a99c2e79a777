"""One sentence per step with the step's own numbers, in English and Chinese (no Qt).

``core.narration`` says what an op does in general ("softmax turns scores into
weights"); this says what it did here: "the router sends “Zeit” to expert 2 with
p = 0.91", "only the answer counts: 7 of 12 positions". The family's steps (mixture of
experts, the picture input, the classification head, the decoder-only loss mask) get
sentences of their own; every other step gets one by its kind (the largest weight of a
row, the most likely next token, the largest gradient, the largest update).

Every number quoted is read from the trace (a few are counted or summed from it: how
many tokens an expert got, a mean over a row); ``Explained.values`` holds them by
name so tests can check each against an independent computation. The row a sentence
is about is the selected one, else the last position (in a decoding step: the newest
token).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from core.display import axis_labels
from core.trace import Step, Trace


@dataclass(frozen=True)
class Explained:
    text: str
    values: dict[str, float] = field(default_factory=dict)  # every number quoted, by name


def num(x: float) -> str:
    """How a number is quoted: 2 decimals, or 2 significant digits when smaller."""
    x = float(x)
    if not math.isfinite(x):
        return "−∞" if x < 0 else ("∞" if x > 0 else "NaN")
    if x != 0 and abs(x) < 0.01:
        return f"{x:.1e}".replace("-", "−")
    return f"{x:.2f}".replace("-", "−")


def pct(p: float) -> str:
    """A probability as a percentage with one decimal ("99.6 %")."""
    return f"{100 * float(p):.1f} %"


def _q(word: str, lang: str) -> str:
    return f"“{word}”"


class _Ctx:
    """The step, its output and the labels of its positions."""

    def __init__(
        self, trace: Trace, step: Step, lang: str, vocab: list[str], row: int | None, head: int
    ) -> None:
        self.trace, self.step, self.lang, self.vocab = trace, step, lang, vocab
        self.head = max(head, 0)
        has = "out" in step.tensors  # every traced step has one; an empty array if not
        self.out: np.ndarray = np.asarray(trace.value(step.tensors["out"]) if has else [])
        self.prefix = f"t{step.t}/" if step.t is not None else ""
        self.positions = self._positions()
        n = len(self.positions)
        self.row = min(max(row, 0), n - 1) if row is not None and n else max(n - 1, 0)
        self.selected = row  # as asked, unclamped (a GRPO step's row is an answer)
        self.values: dict[str, float] = {}

    def _positions(self) -> list[str]:
        """The tokens along the sequence axis of this step's model input."""
        from core.narration_grpo import meta_tokens

        t, meta = self.trace, self.trace.meta
        for name in ("tgt.tokens", "src.tokens"):
            found = [
                s
                for s in t.steps
                if s.name == name and s.t == self.step.t and s.phase in ("forward", "decode")
            ]
            if found:
                ids = np.asarray(t.value(found[0].tensors["out"]))[0]
                if name.endswith("src.tokens") and len(meta.get("src_tokens", [])) == len(ids):
                    return list(meta["src_tokens"])
                if self.vocab and all(0 <= int(i) < len(self.vocab) for i in ids):
                    return [self.vocab[int(i)] for i in ids]
                named = meta_tokens(meta, len(ids)) if name == "tgt.tokens" else []  # stages
                if named:
                    return named
                axis = "tgt" if name.endswith("tgt.tokens") else "src"
                return axis_labels(t, found[0], axis, len(ids), self.vocab)
        if t.find("src.image"):  # [CLS], then the patches ▦1 … ▦n (``core.tracing``)
            n = int(np.asarray(t.value("src.patches")).shape[1])
            named = [str(w) for w in meta.get("src_tokens", [])]
            return named if len(named) == n + 1 else ["[CLS]", *(f"▦{p + 1}" for p in range(n))]
        return []

    def tok(self, i: int) -> str:
        return _q(self.positions[i] if 0 <= i < len(self.positions) else str(i), self.lang)

    def say(self, en: str, zh: str, **values: float) -> Explained:
        self.values.update(values)
        return Explained(zh if self.lang == "zh" else en, dict(self.values))

    def value(self, name: str) -> np.ndarray:
        return np.asarray(self.trace.value(name))


def explain(
    trace: Trace,
    step: Step,
    lang: str = "en",
    vocab: list[str] | None = None,
    row: int | None = None,
    head: int = 0,
) -> Explained:
    """The sentence for ``step`` with its numbers (``vocab``: the target vocabulary's
    tokens, to name predicted words; ``row``: the position the sentence is about;
    ``head``: the attention head)."""
    from core import narration_family as fam
    from core import narration_grpo, narration_mlm

    if row is None:
        row = narration_grpo.default_row(trace)
    if row is None:  # a masked-word trace is about its first [MASK]
        row = narration_mlm.default_row(trace)
    k = _Ctx(trace, step, lang, vocab or [], row, head)
    grpo = narration_grpo.explain(k)
    if grpo is not None:
        return grpo
    masked = narration_mlm.explain(k)  # a pre-trained BERT's [MASK] steps
    if masked is not None:
        return masked
    bare = step.name.removeprefix(k.prefix)
    if step.phase in ("forward", "decode", "loss"):
        for pattern, fn in fam.BY_NAME:
            if re.fullmatch(pattern, bare):
                return fn(k)
    return fam.by_kind(k)
