"""Translation as a prompt for the decoder-only model: the sequence, the joint vocabulary and
the loss mask (which positions count) -- checked on every pair of both built-in corpora."""

from __future__ import annotations

import pytest
import torch

from core.corpus import Corpus, Pair
from core.prompt_task import (
    SEP,
    SEP_ID,
    EncodedPrompts,
    PromptTokenizer,
    collate,
)
from core.tokenizer import EOS_ID, PAD_ID, SPECIALS, UNK_ID, InputError, WordTokenizer


@pytest.fixture(scope="module")
def tok_de(corpus_de: Corpus) -> PromptTokenizer:
    return PromptTokenizer.fit(corpus_de.train)


@pytest.fixture(scope="module")
def tok_fr(corpus_fr: Corpus) -> PromptTokenizer:
    return PromptTokenizer.fit(corpus_fr.train)


def _all(corpus: Corpus) -> list[Pair]:
    return [*corpus.train, *corpus.valid, *corpus.lecture]


def test_lecture_sequences_read_as_in_the_issue(tok_de: PromptTokenizer) -> None:
    shown = [tok_de.text(tok_de.example(p)) for p in _lecture_de()]
    assert shown == [
        "time flies like an arrow = die Zeit fliegt wie ein Pfeil <eos>",
        "fruit flies like a banana = Fruchtfliegen mögen eine Banane <eos>",
    ]


def _lecture_de() -> list[Pair]:
    return [
        Pair("Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"),
        Pair("Fruit flies like a banana", "Fruchtfliegen mögen eine Banane"),
    ]


def test_joint_vocabulary_layout(tok_de: PromptTokenizer, corpus_de: Corpus) -> None:
    vocab = tok_de.vocab
    assert vocab[: len(SPECIALS)] == SPECIALS
    assert vocab[SEP_ID] == SEP == "="
    assert len(set(vocab)) == len(vocab)
    assert tok_de.src.vocab is tok_de.tgt.vocab or tok_de.src.vocab == tok_de.tgt.vocab
    # English lower-cased, German truecased as the encoder-decoder shows it
    assert {"time", "arrow", "Zeit", "Pfeil", "die"} <= set(vocab)
    assert not {"Time", "zeit", "pfeil"} & set(vocab)
    # English words come before the German ones
    assert vocab.index("arrow") < vocab.index("Pfeil")
    assert tok_de.size == len(vocab)


@pytest.mark.parametrize("name", ["de", "fr"])
def test_targets_tokenised_like_the_encoder_decoder(
    name: str, request: pytest.FixtureRequest
) -> None:
    """One vocabulary for both languages must not change how a target is cut or cased."""
    corpus: Corpus = request.getfixturevalue(f"corpus_{name}")
    tok: PromptTokenizer = request.getfixturevalue(f"tok_{name}")
    alone = WordTokenizer.fit([p.target for p in corpus.train], lowercase=False, truecase=True)
    src = WordTokenizer.fit([p.source for p in corpus.train], lowercase=True, truecase=False)
    for p in _all(corpus):
        assert tok.tgt.encode(p.target).tokens == alone.encode(p.target).tokens, p
        assert tok.src.encode(p.source).tokens == src.encode(p.source).tokens, p


@pytest.mark.parametrize("name", ["de", "fr"])
def test_loss_mask_covers_exactly_target_and_eos(name: str, request: pytest.FixtureRequest) -> None:
    corpus: Corpus = request.getfixturevalue(f"corpus_{name}")
    tok: PromptTokenizer = request.getfixturevalue(f"tok_{name}")
    for p in _all(corpus):
        ex = tok.example(p)
        src = tok.src.encode(p.source).ids
        tgt = tok.tgt.encode(p.target).ids
        assert ex.ids == (*src, SEP_ID, *tgt, EOS_ID)
        assert ex.prompt_len == len(src) + 1
        assert ex.loss_mask == (False,) * (len(src) + 1) + (True,) * (len(tgt) + 1)
        graded = [i for i, m in zip(ex.ids, ex.loss_mask, strict=True) if m]
        assert graded == [*tgt, EOS_ID]
        assert ex.ids.count(SEP_ID) == 1 and UNK_ID not in ex.ids
        assert tok.answer(ex.ids) == p.target[0].upper() + p.target[1:]


def test_mask_depends_on_position_not_on_token_values(tok_de: PromptTokenizer) -> None:
    pair = Pair("Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil")
    ex = tok_de.example(pair)
    for other in ("The dog flies like an arrow", "Time flies like a banana", "Pfeil Zeit die a b"):
        if len(tok_de.src.encode(other).ids) != len(tok_de.src.encode(pair.source).ids):
            continue
        changed = tok_de.example(Pair(other, pair.target))
        assert changed.ids != ex.ids
        assert changed.loss_mask == ex.loss_mask
    # a prompt that spells target words ("Zeit", "die") is still not graded
    odd = tok_de.example(Pair("die Zeit", pair.target))
    assert odd.loss_mask[:3] == (False, False, False)


def test_word_shared_by_both_languages_is_graded_only_in_the_target(
    tok_fr: PromptTokenizer,
) -> None:
    ex = tok_fr.example(Pair("I like this film", "J'aime ce film"))
    film = tok_fr.vocab.index("film")
    where = [i for i, t in enumerate(ex.ids) if t == film]
    assert len(where) == 2
    assert [ex.loss_mask[i] for i in where] == [False, True]


def test_prompt_for_decoding(tok_de: PromptTokenizer) -> None:
    enc = tok_de.prompt("Time flies like an arrow")
    assert enc.tokens == ("time", "flies", "like", "an", "arrow", "=")
    assert enc.ids[-1] == SEP_ID
    assert enc.ids == tok_de.example(_lecture_de()[0]).ids[: len(enc.ids)]
    assert tok_de.prompt("Time flies like a zebra").unknown == ("zebra",)
    for bad in ("", "   ", "time = money", "😀"):
        with pytest.raises(InputError):
            tok_de.prompt(bad)


def test_answer_stops_at_eos_and_skips_the_prompt(tok_de: PromptTokenizer) -> None:
    prompt = tok_de.prompt("Time flies").ids
    zeit = tok_de.vocab.index("Zeit")
    die = tok_de.vocab.index("die")
    assert tok_de.answer([*prompt, die, zeit, EOS_ID, zeit, zeit]) == "Die Zeit"
    assert tok_de.answer([*prompt]) == ""


def test_from_vocab_rebuilds_the_same_tokenizer(tok_de: PromptTokenizer) -> None:
    again = PromptTokenizer.from_vocab(tok_de.src.to_json()["vocab"])
    pair = _lecture_de()[0]
    assert again.example(pair) == tok_de.example(pair)
    with pytest.raises(ValueError, match="'='"):
        PromptTokenizer.from_vocab([*SPECIALS, "time"])


def test_collate_shifts_pads_and_masks(tok_de: PromptTokenizer) -> None:
    pairs = [*_lecture_de(), Pair("Time flies", "Die Zeit fliegt")]
    examples = [tok_de.example(p) for p in pairs]
    batch = collate(examples)
    width = max(len(e.ids) for e in examples) - 1
    assert batch.inputs.shape == batch.labels.shape == batch.loss_mask.shape == (3, width)
    assert batch.loss_mask.dtype == torch.bool
    for b, e in enumerate(examples):
        n = len(e.ids) - 1
        assert batch.inputs[b, :n].tolist() == list(e.ids[:-1])
        assert batch.labels[b, :n].tolist() == list(e.ids[1:])
        assert batch.loss_mask[b, :n].tolist() == list(e.loss_mask[1:])
        assert (batch.inputs[b, n:] == PAD_ID).all() and (batch.labels[b, n:] == PAD_ID).all()
        assert not batch.loss_mask[b, n:].any()
        # the first graded position reads "=" and predicts the first target word
        first = int(batch.loss_mask[b].nonzero()[0])
        assert first == e.prompt_len - 1 == int(batch.prompt_len[b]) - 1
        assert int(batch.inputs[b, first]) == SEP_ID
    assert batch.n_tokens == sum(sum(e.loss_mask) for e in examples)
    assert (batch.labels[batch.loss_mask] != PAD_ID).all()


def test_encoded_prompts_skip_too_long(tok_de: PromptTokenizer, corpus_de: Corpus) -> None:
    full = EncodedPrompts(corpus_de.valid, tok_de, max_len=64)
    assert full.skipped == 0 and len(full) == len(corpus_de.valid)
    short = EncodedPrompts(corpus_de.valid, tok_de, max_len=10)
    assert short.skipped > 0 and len(short) + short.skipped == len(corpus_de.valid)
    assert all(len(e.ids) - 1 <= 10 for e in short.examples)
    batches = full.batches(100)
    assert sum(b.inputs.shape[0] for b in batches) == len(full)
