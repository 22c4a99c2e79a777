"""Who does the action? The encoder-only (BERT-style) model's built-in sentence task.

Every sentence of the built-in English grammar (the English side of ``core.grammar_de``, the
one behind "Time flies like an arrow") gets one of three labels a learner understands at
once: the kind of its subject -- ``person``, ``animal`` or ``thing`` (人 / 动物 / 物).  The
labels are not parsed from strings: each sentence is built from the grammar's phrase objects
and labelled by :func:`core.grammar_de.subject_kind` from its subject phrase's tags.

* Pronouns: I / you / we / he / she are persons; sentences with "it" or "they" are left out
  (either could be an animal or a thing; the sentence alone does not say).
* "Time flies like an arrow" is a *thing* (time is abstract, and no animal flies here);
  "Fruit flies like a banana" is an *animal* (the flies are insects).  The pair is the point
  of the task: the words after the subject look alike, only the subject decides.
* Things are rare in this grammar (only arrows, planes and time act: 74 sentences against
  tens of thousands for persons and animals).  The train split is therefore balanced by
  repeating the smaller classes' sentences in a fixed order (oversampling); valid is not.

The tokenizer is a lower-casing :class:`~core.tokenizer.WordTokenizer` with ``[CLS]`` at
:data:`CLS_ID` (4) and ``[MASK]`` at :data:`MASK_ID` (5, reserved for a masked-word mode)
after the four specials.  Typed text can never produce them (``split_words`` cuts "[CLS]"
into "[", "cls", "]"); :func:`encode_sentence` puts ``[CLS]`` first.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core import grammar_de as g
from core.batches import pad
from core.corpus import Pair, sentence_key
from core.tokenizer import SPECIALS, Encoded, InputError, WordTokenizer, check_text

LABELS: tuple[str, ...] = g.SUBJECT_KINDS  # ("person", "animal", "thing"): index = label id
LABEL_NAMES: dict[str, dict[str, str]] = {
    "person": {"en": "person", "zh": "人"},
    "animal": {"en": "animal", "zh": "动物"},
    "thing": {"en": "thing", "zh": "物"},
}
CLS, MASK = "[CLS]", "[MASK]"
CLS_ID, MASK_ID = len(SPECIALS), len(SPECIALS) + 1  # 4, 5
TASK = "en-subject"


@dataclass(frozen=True)
class Sentence:
    """An English sentence, its label id (index into :data:`LABELS`) and its subject phrase."""

    text: str
    label: int
    subject: str  # e.g. "the fruit flies", "time", "I"


@dataclass(frozen=True)
class ClassifyCorpus:
    """Train (balanced by repetition), valid, and held-out lecture sentences."""

    name: str
    train: tuple[Sentence, ...]
    valid: tuple[Sentence, ...]
    lecture: tuple[Sentence, ...]


def label_name(label: int, lang: str = "en") -> str:
    """The label's name in ``lang`` ("en" or "zh"): ``label_name(2, "zh") == "物"``."""
    return LABEL_NAMES[LABELS[label]][lang]


def _sentence(subject: g.Phrase, pair: Pair) -> Sentence | None:
    kind = g.subject_kind(subject)
    return None if kind is None else Sentence(pair.source, LABELS.index(kind), subject.en)


def clauses() -> Iterator[tuple[g.Phrase, Pair]]:
    """Every sentence the grammar's patterns make, with its subject phrase (fixed order).

    The same patterns as ``grammar_de.generate`` draws from: subject + verb + object (with or
    without an adverb other than "well"), subject + verb + "like a ..." (never comparing a
    noun with itself), subject + verb + adverb (time only quickly / slowly), subject + verb.
    """
    adverbs = sorted(set(g.ADVERBS) - {"well"})
    for verb in g.TRANSITIVE:
        objects = g.object_phrases(verb)
        for subj in g.subject_phrases(verb):
            for obj in objects:
                for adverb in ("", *adverbs):
                    yield subj, g.transitive(subj, verb, obj, adverb)
    for verb in g.INTRANSITIVE:
        likes = g.comparison_phrases(verb)
        for subj in g.subject_phrases(verb):
            for like in likes:
                if subj.key != like.key:
                    yield subj, g.intransitive(subj, verb, like=like)
            for adverb in sorted(g.ADVERBS):
                if subj is not g.TIME or adverb in g.TIME_ADVERBS:
                    yield subj, g.intransitive(subj, verb, adverb)
            yield subj, g.intransitive(subj, verb)


def _lecture_clauses() -> list[tuple[g.Phrase, Pair]]:
    """The held-out sentences, built from phrases so their labels come from the grammar.

    The first five are ``grammar_de.LECTURE``'s English sentences (a test checks it); then
    a pronoun, and two where the comparison's kind differs from the subject's.
    """
    a, the = "a", "the"
    np = g.noun_phrase
    flies, time = np("fruit fly", "", True), g.TIME
    return [
        (time, g.intransitive(time, "fly", like=np("arrow", a))),
        (flies, g.transitive(flies, "like", np("banana", a))),
        (np("dog", the), g.transitive(np("dog", the), "see", np("cat", the))),
        (np("child", the, True), g.transitive(np("child", the, True), "like", np("apple", a))),
        (np("woman", the), g.transitive(np("woman", the), "read", np("book", a))),
        (g.pronoun("I"), g.transitive(g.pronoun("I"), "have", np("cat", a))),
        (np("plane", the), g.intransitive(np("plane", the), "fly", like=np("bird", a))),
        (np("bird", the, True), g.intransitive(np("bird", the, True), "fly", like=np("arrow", a))),
    ]


def lecture_sentences() -> tuple[Sentence, ...]:
    """The fixed lecture sentences with their labels (never in train or valid)."""
    out = [_sentence(subj, pair) for subj, pair in _lecture_clauses()]
    return tuple(s for s in out if s is not None)


def classify_corpus(
    seed: int = 0, per_label: int = 500, valid_fraction: float = 0.1
) -> ClassifyCorpus:
    """Draw up to ``per_label`` distinct sentences per label (deterministic for a seed).

    Each label's sentences are split into valid (``valid_fraction``, at least one) and
    train; train is then balanced by repeating each smaller class's sentences in order up
    to the largest class's count, and shuffled.  One in five sentences ends with ".".
    """
    rng = random.Random(seed)
    lecture = lecture_sentences()
    held_out = {sentence_key(s.text) for s in lecture}
    pools: list[dict[str, Sentence]] = [{} for _ in LABELS]
    for subj, pair in clauses():
        s = _sentence(subj, pair)
        if s is not None and sentence_key(s.text) not in held_out:
            pools[s.label].setdefault(sentence_key(s.text), s)
    train_by_label: list[list[Sentence]] = []
    valid: list[Sentence] = []
    for pool in pools:
        chosen = [pool[k] for k in sorted(rng.sample(sorted(pool), min(per_label, len(pool))))]
        chosen = [_maybe_period(s, rng) for s in chosen]
        rng.shuffle(chosen)
        n_valid = max(1, round(len(chosen) * valid_fraction))
        valid += chosen[:n_valid]
        train_by_label.append(chosen[n_valid:])
    most = max(len(t) for t in train_by_label)
    train = [t[i % len(t)] for t in train_by_label for i in range(most)]
    rng.shuffle(train)
    return ClassifyCorpus(TASK, tuple(train), tuple(valid), lecture)


def _maybe_period(s: Sentence, rng: random.Random) -> Sentence:
    return Sentence(s.text + ".", s.label, s.subject) if rng.random() < 0.2 else s


def fit_tokenizer(sentences: Iterable[Sentence]) -> WordTokenizer:
    """A lower-casing word vocabulary: the specials, ``[CLS]``, ``[MASK]``, then the words."""
    words = WordTokenizer.fit([s.text for s in sentences], lowercase=True, truecase=False)
    return WordTokenizer([*SPECIALS, CLS, MASK, *words.vocab[len(SPECIALS) :]], True, False)


def encode_sentence(tok: WordTokenizer, text: str) -> Encoded:
    """A checked sentence as the classifier reads it: ``[CLS]`` then the word ids."""
    enc = tok.encode(check_text(text))
    if not enc.ids:
        raise InputError("the sentence has no words the model can read")
    return Encoded((CLS_ID, *enc.ids), (CLS, *enc.tokens), enc.unknown)


@dataclass(frozen=True)
class ClassifyBatch:
    """``tokens``: (B, L) int64, ``[CLS]`` first, right-padded (``tokens == PAD_ID`` is the
    padding mask); ``labels``: (B,) int64 label ids."""

    tokens: Tensor
    labels: Tensor


class EncodedSentences:
    """A split encoded once; sentences longer than ``max_len`` (with ``[CLS]``) are skipped."""

    def __init__(self, sentences: Sequence[Sentence], tok: WordTokenizer, max_len: int) -> None:
        self.sentences: list[Sentence] = []
        self.ids: list[tuple[int, ...]] = []
        self.skipped = 0
        for s in sentences:
            ids = encode_sentence(tok, s.text).ids
            if len(ids) > max_len:
                self.skipped += 1
                continue
            self.sentences.append(s)
            self.ids.append(ids)

    def __len__(self) -> int:
        return len(self.sentences)

    def batch(self, indices: Sequence[int]) -> ClassifyBatch:
        labels = torch.tensor([self.sentences[i].label for i in indices], dtype=torch.long)
        return ClassifyBatch(pad([self.ids[i] for i in indices]), labels)

    def batches(self, size: int) -> list[ClassifyBatch]:
        """The whole split in order, in batches of ``size`` (for evaluation)."""
        return [self.batch(range(i, min(i + size, len(self)))) for i in range(0, len(self), size)]
