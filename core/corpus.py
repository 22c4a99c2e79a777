"""Parallel corpora: the sentence-pair data types and user TSV files.

This module owns the :class:`Pair` / :class:`Corpus` data types, the helpers every corpus
uses (:func:`sentence_key`, :func:`unique_pairs`, :func:`split_pairs`) and
:func:`load_tsv` (a Tatoeba/Anki style ``source<TAB>target`` export).  The built-in
generated corpora are in ``core.builtin_corpus``, above the grammars that import
:class:`Pair` from here.  Every failure is a :class:`CorpusError` with a one-line message
naming the file and line, so the CLI and GUI can show it as is.  A corpus file must be a
regular file of at most ``core.limits.CORPUS_BYTES`` (a pipe or ``/dev/zero`` is refused
before anything is read), and every sentence passes ``core.tokenizer.check_text``, the
rules typed text follows (no control characters, NUL or emoji).  Standard library only.
"""

from __future__ import annotations

import os
import random
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path

from core import limits
from core.messages import message_of, msg
from core.tokenizer import InputError, check_text


@dataclass(frozen=True)
class Pair:
    """One sentence pair: English source as a user would type it, and its translation."""

    source: str
    target: str


@dataclass(frozen=True)
class Corpus:
    """A named corpus split into train / valid, plus held-out lecture sentences."""

    name: str
    train: tuple[Pair, ...]
    valid: tuple[Pair, ...]
    lecture: tuple[Pair, ...]


class CorpusError(ValueError):
    """A corpus could not be built or read; the message is one line for the user."""


_BOM = b"\xef\xbb\xbf"


def sentence_key(text: str) -> str:
    """Normalise a sentence for "same sentence" checks: case-insensitive, no trailing '.'."""
    return text.strip().rstrip(".").strip().casefold()


def unique_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """Drop exact duplicate pairs, keeping the first occurrence (order preserved)."""
    seen: set[Pair] = set()
    out: list[Pair] = []
    for p in pairs:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def split_pairs(
    pairs: Sequence[Pair],
    valid_fraction: float,
    rng: random.Random,
    min_valid: int,
    must_train: Container[str] = (),
) -> tuple[tuple[Pair, ...], tuple[Pair, ...]]:
    """Shuffle and split; variants of one sentence (case, final '.') stay on the same side."""
    groups: dict[str, list[Pair]] = {}
    for p in pairs:
        groups.setdefault(sentence_key(p.source), []).append(p)
    keys = list(groups)  # insertion order: deterministic
    rng.shuffle(keys)
    want_valid = round(len(pairs) * valid_fraction)
    if want_valid > 0:
        want_valid = max(want_valid, min_valid)
    valid: list[Pair] = []
    train: list[Pair] = []
    for key in keys:
        to_valid = len(valid) < want_valid and len(keys) > 1 and key not in must_train
        side = valid if to_valid else train
        side.extend(groups[key])
    if not train:  # tiny file: keep at least one pair to train on
        train, valid = valid[:1], valid[1:]
    return tuple(train), tuple(valid)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def load_tsv(path: str | os.PathLike[str], valid_fraction: float = 0.1, seed: int = 0) -> Corpus:
    """Read ``source<TAB>target[<TAB>anything]`` lines (UTF-8) and split them by ``seed``.

    Blank lines, a UTF-8 byte order mark, surrounding whitespace and extra columns are
    accepted; exact duplicate pairs are dropped.  Files with fewer than 10 pairs get no
    validation split.  User corpora have no lecture sentences.
    """
    if not 0.0 <= valid_fraction < 1.0:
        raise CorpusError(f"valid_fraction must be in [0, 1), got {valid_fraction}")
    file = Path(path)
    try:
        data = limits.read_file(file, limits.CORPUS_BYTES)
    except FileNotFoundError:
        raise CorpusError(msg("corpus_not_found", path=str(file))) from None
    except IsADirectoryError:
        raise CorpusError(msg("corpus_is_folder", path=str(file))) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CorpusError(msg("corpus_unreadable", path=str(file), reason=reason)) from None
    except limits.LimitError as exc:
        reason = message_of(exc)
        raise CorpusError(msg("corpus_unreadable", path=str(file), reason=reason)) from None
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    pairs: list[Pair] = []
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"{file}:{lineno}"
            byte, column = f"{raw[exc.start]:02x}", exc.start + 1
            raise CorpusError(msg("corpus_utf8", where=where, byte=byte, column=column)) from None
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) < 2 or not fields[0] or not fields[1]:
            got = _short(line.strip())
            raise CorpusError(msg("corpus_line", where=f"{file}:{lineno}", got=got))
        for column, text in enumerate(fields[:2], start=1):
            try:
                check_text(text)
            except InputError as exc:
                where = f"{file}:{lineno}"
                reason = message_of(exc)
                raise CorpusError(
                    msg("corpus_column", where=where, column=column, reason=reason)
                ) from None
        pairs.append(Pair(fields[0], fields[1]))
    if not pairs:
        raise CorpusError(msg("corpus_empty", path=str(file)))
    pairs = unique_pairs(pairs)
    rng = random.Random(seed)
    fraction = valid_fraction if len(pairs) >= 10 else 0.0
    train, valid = split_pairs(pairs, fraction, rng, min_valid=1 if fraction > 0 else 0)
    return Corpus(file.stem, train, valid, ())
