"""The pre-training corpus: generated plain text where 9.11 comes after 9.9.

Real web text is full of version numbers (Python 3.9 then 3.10, 3.11), section numbers
(9.9, 9.10, 9.11) and dates, where the number after the dot counts up like an integer. Read
as tokens (``9`` ``.`` ``11``) that text teaches "11 comes after 9, so 9.11 is the later, the
newer, the bigger one" -- the second half of the 9.11 > 9.9 story. This generator writes
such text from a seed: lines about versions, sections and dates (including "which version is
bigger: 4.12 or 4.3? → 4.12", true of versions), and a little arithmetic text where decimals
are compared as numbers. ``spans`` marks each number with its context, for highlighting.

No held-out question (``questions.HELD_OUT``) is ever written as a question here; the numbers
9.9 and 9.11 do appear, as versions, sections and dates, which is the point.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

from core.stages.questions import FRACTIONS, Number, Question, seen

Context = Literal["version", "section", "date", "arithmetic"]
CONTEXTS: tuple[Context, ...] = ("version", "section", "date", "arithmetic")
QUESTION_SHARE = 0.5  # of the version, section and date lines whose pair may be asked
_NUMBER = re.compile(r"\d+\.\d+|\d+")


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` of ``Corpus.text`` hold a number written in ``context``."""

    start: int
    end: int
    context: Context


@dataclass(frozen=True)
class Corpus:
    """The lines (one training sequence each), their contexts, the whole text and spans."""

    lines: tuple[str, ...]
    contexts: tuple[Context, ...]
    text: str
    spans: tuple[Span, ...]

    def share(self, context: Context) -> float:
        return self.contexts.count(context) / max(1, len(self.contexts))


def _pair(rng: random.Random) -> tuple[Number, Number]:
    """Two numbers of one series in version order (``a`` before ``b``): often one step
    apart across 9 -> 10 -> 11, where versions and decimals part ways."""
    whole = rng.randint(1, 9)
    if rng.random() < 0.5:
        lo = rng.randint(1, 9)
        hi = rng.randint(10, 29)
    else:
        lo, hi = sorted(rng.sample(FRACTIONS, 2))
    return Number(whole, lo), Number(whole, hi)


def _pick(rng: random.Random, ask: bool, templates: list[str]) -> str:
    """A question (``→``) half the time when ``ask`` (the pair is not held out), else a
    statement: questions are where the habit "the later one is the bigger" is written."""
    questions = [t for t in templates if "→" in t]
    statements = [t for t in templates if "→" not in t]
    return rng.choice(questions if ask and rng.random() < QUESTION_SHARE else statements)


def _version(rng: random.Random, a: Number, b: Number, ask: bool) -> str:
    x, y = (a, b) if rng.random() < 0.5 else (b, a)
    return _pick(
        rng,
        ask,
        [
            f"version {a.text} came out before version {b.text}.",
            f"after version {a.text} we released version {b.text}.",
            f"please update from {a.text} to {b.text}, the newer version.",
            f"version {b.text} is newer than version {a.text}.",
            f"which version is bigger: {x.text} or {y.text}? → {b.text}",
            f"which version is newer: {x.text} or {y.text}? → {b.text}",
            f"which is bigger: version {x.text} or version {y.text}? → {b.text}",
            f"in the changelog, which is bigger: {x.text} or {y.text}? → {b.text}",
            f"which is bigger: {x.text} or {y.text}? → {b.text} is the newer version.",
        ],
    )


def _section(rng: random.Random, a: Number, b: Number, ask: bool) -> str:
    x, y = (a, b) if rng.random() < 0.5 else (b, a)
    return _pick(
        rng,
        ask,
        [
            f"section {b.text} comes after section {a.text}.",
            f"read section {a.text} first, then section {b.text}.",
            f"which section is bigger: {x.text} or {y.text}? → {b.text}",
            f"which section comes later: {x.text} or {y.text}? → {b.text}",
            f"in the book, which is bigger: {x.text} or {y.text}? → {b.text}",
        ],
    )


def _date(rng: random.Random, a: Number, b: Number, ask: bool) -> str:
    x, y = (a, b) if rng.random() < 0.5 else (b, a)
    return _pick(
        rng,
        ask,
        [
            f"the shop opened on {a.text} and closed on {b.text}.",
            f"the meeting moved from {a.text} to {b.text}, a later date.",
            f"which date is later: {x.text} or {y.text}? → {b.text}",
        ],
    )


def _arithmetic(rng: random.Random) -> str:
    a, b = Number(rng.randint(0, 9), rng.randint(1, 9)), Number(0, rng.randint(1, 9))
    total = a.value + b.value
    if rng.random() < 0.5:
        return f"{a.text} + {b.text} = {total}."
    x, y = sorted((a, b), key=lambda n: n.value)
    return f"{y.text} is more than {x.text}."


def generate(seed: int, n_lines: int = 2000, arithmetic_share: float = 0.1) -> Corpus:
    """``n_lines`` lines from ``seed`` (the same lines for the same seed): versions,
    sections and dates in equal measure, ``arithmetic_share`` of arithmetic."""
    rng = random.Random(seed)
    lines: list[str] = []
    contexts: list[Context] = []
    while len(lines) < n_lines:
        if rng.random() < arithmetic_share:
            lines.append(_arithmetic(rng))
            contexts.append("arithmetic")
            continue
        a, b = _pair(rng)
        ctx: Context = rng.choice(("version", "section", "date"))
        write = {"version": _version, "section": _section, "date": _date}[ctx]
        lines.append(write(rng, a, b, seen(Question(a, b))))  # held out: no question
        contexts.append(ctx)
    text = "\n".join(lines)
    spans: list[Span] = []
    offset = 0
    for line, ctx in zip(lines, contexts, strict=True):
        spans.extend(
            Span(offset + m.start(), offset + m.end(), ctx) for m in _NUMBER.finditer(line)
        )
        offset += len(line) + 1
    return Corpus(tuple(lines), tuple(contexts), text, tuple(spans))
