"""Comparison questions: the prompt, the right answer, the rule reward, the held-out set.

A question reads ``which is bigger: 9.11 or 9.9? →`` and its answer is one of the two numbers
followed by ``<eos>``. Every number here is ``a.b`` with a one-digit whole part and a fraction
of one or two digits (1-29), so every question has the same token length (three tokens per
number) and a group of prompts batches without padding.

``HELD_OUT`` are questions no stage ever trains on (``seen`` pairs are excluded from the
corpus' questions, the SFT examples and the RL prompts): 9.11 vs 9.9 and others. Half are
"traps", where reading the fraction as an integer (11 > 9) gives the wrong answer; the rest
agree either way, which shows the pre-trained model is not simply wrong about everything.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal

_FIRST_NUMBER = re.compile(r"\d+\.\d+|\d+")
FRACTIONS = tuple(range(1, 30))  # the digits after the dot: 1..9 and 10..29


@dataclass(frozen=True)
class Number:
    """``whole.frac`` written as text ("9.11"); its value is the decimal, not the pair."""

    whole: int
    frac: int

    @property
    def text(self) -> str:
        return f"{self.whole}.{self.frac}"

    @property
    def value(self) -> Decimal:
        return Decimal(self.text)


@dataclass(frozen=True)
class Question:
    """Which of two different numbers is bigger."""

    a: Number
    b: Number

    @property
    def prompt(self) -> str:
        return f"which is bigger: {self.a.text} or {self.b.text}? →"

    @property
    def answer(self) -> str:
        return self.a.text if self.a.value > self.b.value else self.b.text

    @property
    def wrong(self) -> str:
        return self.b.text if self.a.value > self.b.value else self.a.text

    @property
    def trap(self) -> bool:
        """True when reading the fractions as integers (as versions) picks the wrong one."""
        by_version = (self.a.whole, self.a.frac) > (self.b.whole, self.b.frac)
        return by_version != (self.a.value > self.b.value)

    @property
    def key(self) -> frozenset[str]:
        return frozenset((self.a.text, self.b.text))


def q(a: str, b: str) -> Question:
    """``q("9.11", "9.9")``."""
    return Question(_num(a), _num(b))


def _num(text: str) -> Number:
    whole, frac = text.split(".")
    return Number(int(whole), int(frac))


HELD_OUT: tuple[Question, ...] = (
    q("9.11", "9.9"),
    q("5.3", "5.12"),
    q("3.25", "3.4"),
    q("7.15", "7.2"),
    q("4.6", "4.19"),
    q("6.21", "6.2"),
    q("2.14", "2.17"),
    q("8.7", "8.3"),
    q("1.9", "2.1"),
    q("6.1", "6.18"),
)
THE_QUESTION = HELD_OUT[0]
_HELD_KEYS = frozenset(x.key for x in HELD_OUT)


def seen(question: Question) -> bool:
    """Whether a question may be trained on (it is not a held-out pair, in either order)."""
    return question.key not in _HELD_KEYS


def sample_questions(rng: random.Random, n: int, trap_share: float = 0.6) -> list[Question]:
    """``n`` training questions, never held-out ones: mostly the same whole part with one
    fraction of one digit and one of two (where versions and decimals can disagree)."""
    out: list[Question] = []
    while len(out) < n:
        whole = rng.randint(1, 9)
        if rng.random() < 0.15:  # different whole parts: the easy kind
            other = rng.choice([w for w in range(1, 10) if w != whole])
            a, b = Number(whole, rng.choice(FRACTIONS)), Number(other, rng.choice(FRACTIONS))
        else:
            one, two = rng.randint(1, 9), rng.randint(10, 29)
            if rng.random() >= trap_share:
                one, two = rng.sample(FRACTIONS, 2)
            a, b = Number(whole, one), Number(whole, two)
        if a.value == b.value:
            continue
        if rng.random() < 0.5:
            a, b = b, a
        cand = Question(a, b)
        if seen(cand):
            out.append(cand)
    return out


@dataclass(frozen=True)
class Reward:
    """The rule reward of one answer: ``correct`` (1 when it is the bigger number),
    ``format`` (``format_weight`` when it is exactly one of the two numbers, then ``<eos>``)
    and ``hack`` (the deliberately hackable part: ``hack_weight`` per answer token past the
    third -- paying for length)."""

    correct: float
    format: float
    hack: float

    @property
    def total(self) -> float:
        return self.correct + self.format + self.hack


def reward(
    question: Question,
    answer: str,
    n_tokens: int,
    ended: bool,
    format_weight: float = 0.2,
    hack_weight: float = 0.0,
) -> Reward:
    """Score one sampled answer (its text, its token count without ``<eos>``, whether it
    ended with ``<eos>``) by the rules above."""
    text = answer.strip()
    correct = 1.0 if ended and text == question.answer else 0.0
    fmt = format_weight if ended and text in (question.answer, question.wrong) else 0.0
    hack = hack_weight * max(0, n_tokens - 3)
    return Reward(correct, fmt, hack)


def first_number(text: str) -> str:
    """The number an answer gives ("9.11 is the newer version." -> "9.11"); "" if none."""
    m = _FIRST_NUMBER.search(text)
    return m.group(0) if m else ""
