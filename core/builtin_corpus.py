"""The built-in generated corpora: ``en-de`` and ``en-fr``.

:func:`builtin_corpus` draws a deterministic corpus from the small grammars in
``core.grammar_de`` / ``core.grammar_fr``, with the lecture sentences held out of train and
valid so the model must reach them by generalising.  The data types and the TSV reader live
in ``core.corpus``, which the grammars import; this module sits above both.  Standard
library only.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from core import grammar_de, grammar_fr
from core.corpus import Corpus, CorpusError, Pair, sentence_key, split_pairs, unique_pairs

_BUILTIN = ("en-de", "en-fr")


def builtin_pairs() -> tuple[str, ...]:
    """Names accepted by :func:`builtin_corpus`."""
    return _BUILTIN


_Grammar = tuple[Callable[[random.Random], list[Pair]], tuple[Pair, ...], list[Pair]]


def _grammar(pair: str) -> _Grammar:
    """(generate, lecture sentences, ingredient sentences that must be trained on)."""
    if pair == "en-de":
        return grammar_de.generate, grammar_de.LECTURE, grammar_de.required()
    if pair == "en-fr":
        return grammar_fr.generate, grammar_fr.LECTURE, grammar_fr.required()
    raise CorpusError(f"unknown built-in corpus {pair!r}; choose one of: {', '.join(_BUILTIN)}")


def builtin_corpus(pair: str, seed: int = 0) -> Corpus:
    """The generated corpus for ``pair`` ("en-de" or "en-fr"); identical for equal seeds."""
    generate, lecture, ingredients = _grammar(pair)
    rng = random.Random(seed)
    held_out = {sentence_key(p.source) for p in lecture} | {sentence_key(p.target) for p in lecture}
    pairs = [
        p
        for p in unique_pairs(generate(rng))
        if sentence_key(p.source) not in held_out and sentence_key(p.target) not in held_out
    ]
    must_train = {sentence_key(p.source) for p in ingredients}
    train, valid = split_pairs(pairs, 0.1, rng, min_valid=1, must_train=must_train)
    return Corpus(pair, train, valid, lecture)
