"""Text <-> token ids: a readable word tokenizer, a subword (BPE) one, and input checks.

Both tokenizers put the four special tokens first (``<pad> <bos> <eos> <unk>`` at ids
0-3) and report which words they could not map, because the app shows ``<unk>`` to
the user instead of hiding it. The word tokenizer is for the built-in corpora (one
token per word keeps attention pictures readable); BPE, from the ``tokenizers``
library, is for user corpora with open vocabularies.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core.messages import msg

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = range(4)
MAX_CHARS = 1000

# A word, an elided clitic kept with its apostrophe (French "j'", "l'"), or one
# punctuation mark. Everything the checks below let through matches one of these.
_PIECE = re.compile(r"\w+'|\w+|[^\w\s]", re.UNICODE)
_NO_SPACE_BEFORE = set(".,!?;:)]}%")
_NO_SPACE_AFTER = set("'([{")
_REJECTED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk"}


class InputError(ValueError):
    """The user's text cannot be fed to the model; the message is one line."""


@dataclass(frozen=True)
class Encoded:
    """Token ids (no <bos>/<eos>), their strings, and the input words that became <unk>."""

    ids: tuple[int, ...]
    tokens: tuple[str, ...]
    unknown: tuple[str, ...]


class Tokenizer(Protocol):
    """What the model, trainer and GUI need from any tokenizer."""

    kind: str

    @property
    def size(self) -> int: ...
    def encode(self, text: str) -> Encoded: ...
    def decode(self, ids: Sequence[int]) -> str: ...
    def token(self, token_id: int) -> str: ...
    def to_json(self) -> dict[str, Any]: ...


def check_text(text: str, max_chars: int = MAX_CHARS) -> str:
    """Reject text no tokenizer should see (empty, huge, control or emoji characters).

    Returns the text stripped and NFC-normalised, so "é" typed as e + accent and as
    one code point become the same token, with typographic apostrophes made plain
    ("J’aime" is "J'aime": keyboards and word processors differ, the words do not).
    """
    if not isinstance(text, str):
        raise InputError(msg("must_be_text"))
    text = unicodedata.normalize("NFC", text).strip().replace("\u2019", "'").replace("\u2018", "'")
    if not text:
        raise InputError(msg("empty_sentence"))
    if len(text) > max_chars:
        raise InputError(msg("too_many_chars", n=len(text), limit=max_chars))
    for pos, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if cat in _REJECTED_CATEGORIES or (cat.startswith("Z") and ch != " "):
            name = unicodedata.name(ch, "control character")
            raise InputError(
                msg(
                    "unsupported_char", char=repr(ch), code=f"{ord(ch):04X}", name=name, pos=pos + 1
                )
            )
    return text


def split_words(text: str) -> list[str]:
    """Split text into words, clitics and punctuation marks (no case change).

    The text is NFC-normalised first, so a corpus typed with combining accents and a
    sentence typed with precomposed ones ("e" + U+0301 vs "é") give the same words.
    """
    return _PIECE.findall(unicodedata.normalize("NFC", text))


def join_words(words: Sequence[str]) -> str:
    """Inverse of ``split_words`` for well-formed text: no space before punctuation or
    after an elided clitic ("j'" + "aime" -> "j'aime") or an opening bracket."""
    out = ""
    for word in words:
        if out and out[-1] not in _NO_SPACE_AFTER and word not in _NO_SPACE_BEFORE:
            out += " "
        out += word
    return out


class WordTokenizer:
    """One token per word, with case handled the same way on the way in and out.

    ``lowercase=True`` (English source) folds all case. ``truecase=True`` (German,
    French targets) keeps case, but the sentence's first word is stored in the form
    it has inside sentences ("Die" -> "die", "Zeit" stays "Zeit"), and ``decode``
    capitalises the first letter again, so "die" and "Die" are not two tokens.
    """

    kind = "word"

    def __init__(self, vocab: Sequence[str], lowercase: bool, truecase: bool) -> None:
        if not all(isinstance(t, str) for t in vocab) or tuple(vocab[:4]) != SPECIALS:
            raise ValueError(f"vocabulary must be strings starting with {SPECIALS}")
        self.vocab: tuple[str, ...] = tuple(vocab)
        self.lowercase = lowercase
        self.truecase = truecase
        self._ids = {tok: i for i, tok in enumerate(self.vocab)}
        if len(self._ids) != len(self.vocab):
            raise ValueError("vocabulary has duplicate tokens")

    @classmethod
    def fit(cls, texts: Iterable[str], lowercase: bool, truecase: bool) -> WordTokenizer:
        """Build the vocabulary of a corpus side, most frequent words first."""
        sentences = [split_words(t) for t in texts]
        inner = Counter(w for words in sentences for w in words[1:])
        counts: Counter[str] = Counter()
        for words in sentences:
            for i, word in enumerate(words):
                counts[_fold(word, i, lowercase, truecase, inner)] += 1
        ordered = sorted(counts, key=lambda w: (-counts[w], w))
        return cls([*SPECIALS, *ordered], lowercase, truecase)

    @property
    def size(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> Encoded:
        words = split_words(text)
        tokens = [
            _fold(w, i, self.lowercase, self.truecase, self._ids) for i, w in enumerate(words)
        ]
        ids = tuple(self._ids.get(t, UNK_ID) for t in tokens)
        unknown = tuple(w for w, i in zip(words, ids, strict=True) if i == UNK_ID)
        shown = tuple(t if i != UNK_ID else UNK for t, i in zip(tokens, ids, strict=True))
        return Encoded(ids, shown, unknown)

    def decode(self, ids: Sequence[int]) -> str:
        words = [self.vocab[i] for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID)]
        text = join_words(words)
        if self.truecase or self.lowercase:
            text = text[:1].upper() + text[1:]
        return text

    def token(self, token_id: int) -> str:
        return self.vocab[token_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lowercase": self.lowercase,
            "truecase": self.truecase,
            "vocab": list(self.vocab),
        }


def _fold(word: str, position: int, lowercase: bool, truecase: bool, known: Any) -> str:
    """The vocabulary form of a word at a position (see ``WordTokenizer``)."""
    if lowercase:
        return word.lower()
    if truecase and position == 0 and word.lower() in known:
        return word.lower()
    return word
