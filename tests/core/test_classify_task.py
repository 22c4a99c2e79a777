"""Who does the action (person / animal / thing): labels come from the grammar's phrases.

The expected kinds are this file's own table of English subjects, not the grammar's tags,
so a wrong tag or a wrong precedence in ``subject_kind`` makes these tests fail.  The
built-in translation corpora are pinned by hash: the grammar additions for this task must
not change them (the shipped translation models are rebuilt bit for bit from them).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from core import grammar_de as g
from core.builtin_corpus import builtin_corpus
from core.classify_task import (
    CLS,
    CLS_ID,
    LABELS,
    MASK,
    MASK_ID,
    ClassifyCorpus,
    EncodedSentences,
    classify_corpus,
    clauses,
    encode_sentence,
    fit_tokenizer,
    label_name,
    lecture_sentences,
)
from core.corpus import sentence_key
from core.tokenizer import PAD_ID, UNK_ID, InputError

# --- independent knowledge: the kind of every English subject the grammar can make ---------
_PERSON = "child children man men woman women I you we he she"
_ANIMAL = "dog dogs cat cats bird birds horse horses fish fruit_fly fruit_flies"
_THING = "time arrow arrows plane planes river rivers apple apples banana bananas egg eggs"
_THING += " book books letter letters newspaper newspapers house houses ball balls tree trees"
_THING += " car cars"
KIND = {
    w.replace("_", " "): k
    for k, ws in (("person", _PERSON), ("animal", _ANIMAL))
    for w in ws.split()
}
KIND |= {w: "thing" for w in _THING.split()}
AMBIGUOUS = {"it", "they"}

LECTURE = {
    "Time flies like an arrow": "thing",
    "Fruit flies like a banana": "animal",
    "The dog sees the cat": "animal",
    "The children like an apple": "person",
    "The woman reads a book": "person",
    "I have a cat": "person",
    "The plane flies like a bird": "thing",
    "The birds fly like an arrow": "animal",
}

CORPUS_SHA256 = {  # json.dumps of [train, valid, lecture] as [[source, target], ...]
    "en-de": "f1dd6ae6df2e0ce7e0623e860899b4d81922b517fb2e4b8c026e497fe020ec3b",
    "en-fr": "3a8a02eac77384b576dc828e0e7b136d5032007844729aa377f06c3681547e9c",
}


def _bare(subject: str) -> str:
    """'the fruit flies' -> 'fruit flies', 'a dog' -> 'dog', 'I' -> 'I'."""
    first, _, rest = subject.partition(" ")
    return rest if first in ("the", "a", "an") and rest else subject


@pytest.fixture(scope="module")
def corpus() -> ClassifyCorpus:
    return classify_corpus()


@pytest.mark.parametrize("pair", ["en-de", "en-fr"])
def test_builtin_translation_corpora_unchanged(pair: str) -> None:
    c = builtin_corpus(pair)
    rows = [[[p.source, p.target] for p in part] for part in (c.train, c.valid, c.lecture)]
    text = json.dumps(rows, ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == CORPUS_SHA256[pair]


def test_every_lecture_sentence_has_its_label() -> None:
    got = {s.text: LABELS[s.label] for s in lecture_sentences()}
    assert got == LECTURE


def test_lecture_starts_with_the_translation_lecture() -> None:
    texts = [s.text for s in lecture_sentences()]
    assert texts[: len(g.LECTURE)] == [p.source for p in g.LECTURE]


def test_subject_kind_from_tags_agrees_with_the_table() -> None:
    """Every phrase that can be a subject: its tags give the kind the table gives."""
    seen = set()
    for verb in g.VERBS:
        for subj in g.subject_phrases(verb):
            seen.add(_bare(subj.en))
            expected = None if subj.en in AMBIGUOUS else KIND[_bare(subj.en)]
            assert g.subject_kind(subj) == expected, subj
    # every kind occurs, and the nouns one would guess wrong from a single tag are covered
    assert {"time", "fruit flies", "dog", "children", "arrows", "I"} <= seen
    assert g.SUBJECT_KINDS == LABELS == ("person", "animal", "thing")


def test_corpus_labels_are_the_subjects_kind(corpus: ClassifyCorpus) -> None:
    for s in (*corpus.train, *corpus.valid, *corpus.lecture):
        assert s.text.casefold().startswith(s.subject.casefold() + " "), s
        assert s.subject not in AMBIGUOUS
        assert LABELS[s.label] == KIND[_bare(s.subject)], s


def test_pronouns_it_and_they_are_left_out(corpus: ClassifyCorpus) -> None:
    firsts = {s.text.split()[0].casefold() for s in (*corpus.train, *corpus.valid)}
    assert not firsts & AMBIGUOUS
    assert {"i", "you", "we", "he", "she"} <= firsts
    assert any(subj.en in AMBIGUOUS for subj, _ in clauses())  # the grammar does make them


def test_splits_hold_out_the_lecture_and_are_disjoint(corpus: ClassifyCorpus) -> None:
    train = {sentence_key(s.text) for s in corpus.train}
    valid = {sentence_key(s.text) for s in corpus.valid}
    lecture = {sentence_key(s.text) for s in corpus.lecture}
    assert not train & valid and not (train | valid) & lecture


def test_train_is_balanced_and_valid_has_every_label(corpus: ClassifyCorpus) -> None:
    counts = Counter(s.label for s in corpus.train)
    assert set(counts) == {0, 1, 2} and len(set(counts.values())) == 1
    assert set(Counter(s.label for s in corpus.valid)) == {0, 1, 2}
    # every clause family is drawn: transitive, "like a ...", adverb, bare
    texts = [s.text for s in corpus.train]
    assert any(" like a" in t for t in texts) and any(t.endswith("quickly") for t in texts)


def test_corpus_is_deterministic_by_seed(corpus: ClassifyCorpus) -> None:
    assert classify_corpus() == corpus
    assert classify_corpus(seed=1) != corpus


def test_label_names_in_both_languages() -> None:
    assert [label_name(i) for i in range(3)] == ["person", "animal", "thing"]
    assert [label_name(i, "zh") for i in range(3)] == ["人", "动物", "物"]


def test_tokenizer_puts_cls_first(corpus: ClassifyCorpus) -> None:
    tok = fit_tokenizer(corpus.train)
    assert tok.vocab[CLS_ID] == CLS and tok.vocab[MASK_ID] == MASK
    for s in corpus.lecture:
        enc = encode_sentence(tok, s.text)
        assert enc.ids[0] == CLS_ID and enc.tokens[0] == CLS
        assert UNK_ID not in enc.ids and CLS_ID not in enc.ids[1:]
    typed = encode_sentence(tok, "[CLS] [MASK] time flies")
    assert typed.ids.count(CLS_ID) == 1 and MASK_ID not in typed.ids
    with pytest.raises(InputError):
        encode_sentence(tok, "  ")


def test_batches(corpus: ClassifyCorpus) -> None:
    tok = fit_tokenizer(corpus.train)
    enc = EncodedSentences(corpus.lecture, tok, max_len=64)
    batch = enc.batch(range(len(enc)))
    assert batch.labels.tolist() == [s.label for s in corpus.lecture]
    assert (batch.tokens[:, 0] == CLS_ID).all()
    lengths = (batch.tokens != PAD_ID).sum(1).tolist()
    assert lengths == [len(encode_sentence(tok, s.text).ids) for s in corpus.lecture]
    short = EncodedSentences(corpus.lecture, tok, max_len=6)
    assert short.skipped == sum(n > 6 for n in lengths) > 0
