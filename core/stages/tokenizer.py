"""The stages model's tokenizer: lower-cased words, punctuation, and digit groups.

Real tokenizers (GPT-2's, cl100k's) cut a number into digit groups and keep ``.`` a token of
its own, so "9.11" is ``9`` ``.`` ``11`` and "9.9" is ``9`` ``.`` ``9``: the model never sees a
decimal fraction, it sees the integer 11 after a dot. That is the first half of the 9.11 >
9.9 story, so the split here does the same (digits in groups of at most three, from the
left, as cl100k does: "2024" -> ``202`` ``4``).

The vocabulary is fixed, not fitted: the specials, ``=`` at id 4 (which makes it a valid
``core.prompt_task`` prompt vocabulary, so ``core.checkpoint`` saves and loads the model as
any decoder-only model with a word vocabulary), the corpus' words and punctuation, and every
number 0-99, so a held-out question never meets ``<unk>``. ``to_word_tokenizer`` is the form
a checkpoint stores; ``from_vocab`` rebuilds this tokenizer from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.messages import msg
from core.tokenizer import BOS_ID, EOS_ID, PAD_ID, SPECIALS, UNK, UNK_ID, WordTokenizer, check_text

SEP = "="  # id 4, as core.prompt_task requires of a decoder-only vocabulary
ARROW = "→"  # ends a question: what follows is the answer
_PIECE = re.compile(r"[^\W\d_]+|\d{1,3}|[^\w\s]")
_NO_SPACE_BEFORE = frozenset(",.?!:;")
NUMBERS = tuple(str(n) for n in range(100))


@dataclass(frozen=True)
class Split:
    """A text as token strings and ids (no ``<bos>``/``<eos>``), and the unknown pieces."""

    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    unknown: tuple[str, ...]


def pieces(text: str) -> list[str]:
    """Lower-cased words, single punctuation marks and digit groups of at most three."""
    return _PIECE.findall(text.lower())


class StageTokenizer:
    """Text <-> ids over a small fixed vocabulary (see the module docstring)."""

    def __init__(self, vocab: Sequence[str]) -> None:
        if tuple(vocab[:4]) != SPECIALS or len(vocab) < 5 or vocab[4] != SEP:
            raise ValueError(msg("stage_vocab_start", specials=str(SPECIALS), sep=repr(SEP)))
        self.vocab: tuple[str, ...] = tuple(vocab)
        self._ids = {t: i for i, t in enumerate(self.vocab)}
        if len(self._ids) != len(self.vocab):
            raise ValueError(msg("stage_vocab_duplicates"))

    @classmethod
    def build(cls, texts: Iterable[str]) -> StageTokenizer:
        """Specials, ``=``, ``→``, the numbers 0-99, then the texts' other pieces (sorted)."""
        seen = {*SPECIALS, SEP, ARROW, *NUMBERS}
        rest = sorted({p for t in texts for p in pieces(t)} - seen)
        return cls([*SPECIALS, SEP, ARROW, *NUMBERS, *rest])

    @classmethod
    def from_vocab(cls, vocab: Sequence[str]) -> StageTokenizer:
        return cls(vocab)

    def to_word_tokenizer(self) -> WordTokenizer:
        """The same vocabulary as a ``WordTokenizer``: what a checkpoint stores."""
        return WordTokenizer(self.vocab, lowercase=True, truecase=False)

    @property
    def size(self) -> int:
        return len(self.vocab)

    def id(self, token: str) -> int:
        return self._ids[token]

    def split(self, text: str) -> Split:
        """The checked text's pieces and ids; unknown pieces become ``<unk>``."""
        toks = pieces(check_text(text))
        ids = tuple(self._ids.get(t, UNK_ID) for t in toks)
        shown = tuple(t if i != UNK_ID else UNK for t, i in zip(toks, ids, strict=True))
        unknown = tuple(t for t, i in zip(toks, ids, strict=True) if i == UNK_ID)
        return Split(shown, ids, unknown)

    def encode(self, text: str) -> list[int]:
        """Ids of a text (unchecked: corpus lines are ours)."""
        return [self._ids.get(t, UNK_ID) for t in pieces(text)]

    def decode(self, ids: Sequence[int]) -> str:
        """Ids -> text: a ``.`` between digit groups joins them ("9 . 11" -> "9.11"), digit
        groups join each other ("202 4" -> "2024"), no space before ``, . ? ! : ;``;
        specials are dropped."""
        toks = [self.vocab[i] for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID)]
        out = ""
        for k, t in enumerate(toks):
            prev = toks[k - 1] if k else ""
            nxt = toks[k + 1] if k + 1 < len(toks) else ""
            decimal_dot = t == "." and prev.isdigit() and nxt.isdigit()
            after_dot = t.isdigit() and prev == "." and k >= 2 and toks[k - 2].isdigit()
            glued = decimal_dot or after_dot or (t.isdigit() and prev.isdigit())
            if out and not glued and t not in _NO_SPACE_BEFORE:
                out += " "
            out += t
        return out

    def token(self, token_id: int) -> str:
        return self.vocab[token_id]


__all__ = ["ARROW", "BOS_ID", "EOS_ID", "PAD_ID", "SEP", "Split", "StageTokenizer", "pieces"]
