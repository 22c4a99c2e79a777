"""Tokenizers and input checks: what reaches the model, and what comes back as text."""

from __future__ import annotations

import json

import pytest

from core.corpus import Corpus
from core.subword import SubwordTokenizer
from core.tokenizer import (
    BOS_ID,
    EOS_ID,
    MAX_CHARS,
    PAD_ID,
    SPECIALS,
    UNK,
    UNK_ID,
    InputError,
    WordTokenizer,
    check_text,
    join_words,
    split_words,
)

# -- check_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("   \t  ", "empty"),
        ("a" * (MAX_CHARS + 1), str(MAX_CHARS)),
        ("a" * 5000, "5000"),
        ("word " * 1000, "4999"),
        ("I like 😀 a lot", "U+1F600"),
        ("I like ❤ you", "U+2764"),
        ("a\x01b", "U+0001"),
        ("tab\tinside", "U+0009"),
        ("line\nbreak", "U+000A"),
        ("zero\u200bwidth", "U+200B"),
        ("joi\u200dner", "U+200D"),
        ("bom\ufeffhere", "U+FEFF"),
        ("no\u00a0break", "U+00A0"),
        ("lone \udcff surrogate", "U+DCFF"),
    ],
)
def test_check_text_rejects(text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        check_text(text)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_check_text_rejects_non_strings() -> None:
    with pytest.raises(InputError):
        check_text(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["Größe", "l'arbre", "J'aime ce cours.", "Time flies like an arrow", "Ça va? Oui!"]
)
def test_check_text_accepts_ordinary_text(text: str) -> None:
    assert check_text(text) == text


def test_check_text_strips_and_allows_exactly_the_limit() -> None:
    assert check_text("  hello world \n") == "hello world"
    assert check_text("a" * MAX_CHARS) == "a" * MAX_CHARS
    assert check_text(" " + "a" * MAX_CHARS + " ") == "a" * MAX_CHARS


def test_check_text_normalises_to_nfc() -> None:
    decomposed = "Cafe\u0301"
    assert decomposed != "Café"
    assert check_text(decomposed) == "Café"
    assert check_text("e\u0301") == "é"
    assert len(check_text("e\u0301")) == 1


# -- splitting and joining ----------------------------------------------------------------


def test_split_words_keeps_clitics_and_punctuation() -> None:
    assert split_words("J'aime l'arbre.") == ["J'", "aime", "l'", "arbre", "."]
    assert split_words("Die Zeit, bitte!") == ["Die", "Zeit", ",", "bitte", "!"]


def test_split_words_normalises_accents() -> None:
    assert split_words("Cafe\u0301 crème") == split_words("Café crème") == ["Café", "crème"]


@pytest.mark.parametrize(
    "text",
    [
        "Die Zeit fliegt wie ein Pfeil.",
        "J'aime l'école, et toi?",
        "Er (der Mann) schläft.",
        "Sie sagt: ja!",
    ],
)
def test_join_words_inverts_split_words(text: str) -> None:
    assert join_words(split_words(text)) == text


# -- WordTokenizer ------------------------------------------------------------------------


def _target_tokenizer(corpus: Corpus) -> WordTokenizer:
    return WordTokenizer.fit([p.target for p in corpus.train], lowercase=False, truecase=True)


@pytest.mark.parametrize("pair", ["en-de", "en-fr"])
def test_word_round_trip_every_target_sentence(
    pair: str, corpus_de: Corpus, corpus_fr: Corpus
) -> None:
    corpus = corpus_de if pair == "en-de" else corpus_fr
    tok = _target_tokenizer(corpus)
    targets = [p.target for p in corpus.train]
    assert len(targets) > 1000
    bad = []
    for text in targets:
        enc = tok.encode(text)
        assert not enc.unknown, text
        if tok.decode(enc.ids) != text:
            bad.append((text, tok.decode(enc.ids)))
    assert bad == []


def test_word_round_trip_covers_elision_capitals_and_full_stops(
    corpus_de: Corpus, corpus_fr: Corpus
) -> None:
    """The loop above only proves something if the corpora contain these cases."""
    fr = [p.target for p in corpus_fr.train]
    de = [p.target for p in corpus_de.train]
    assert any(t.startswith("J'") for t in fr)
    assert any(t.endswith(".") for t in fr)
    assert any(t.endswith(".") for t in de)
    tok = _target_tokenizer(corpus_fr)
    enc = tok.encode("J'aime ce cours.")
    assert enc.tokens[1:] == ("aime", "ce", "cours", ".")
    assert tok.decode(enc.ids) == "J'aime ce cours."


def test_word_decode_capitalises_a_lowercase_initial_clitic() -> None:
    tok = WordTokenizer.fit(["Il dit j'aime.", "J'aime ce cours."], lowercase=False, truecase=True)
    enc = tok.encode("J'aime ce cours.")
    assert enc.tokens[0] == "j'"  # "j'" occurs inside a sentence, so that is its form
    assert "J'" not in tok.vocab
    assert tok.decode(enc.ids) == "J'aime ce cours."


def test_word_truecase_shares_sentence_initial_tokens(corpus_de: Corpus) -> None:
    tok = _target_tokenizer(corpus_de)
    assert "die" in tok.vocab
    assert "Die" not in tok.vocab  # stored in its sentence-internal form
    first = tok.encode("Die Katze sieht die Katze")
    assert first.ids[0] == first.ids[3]
    assert tok.encode("Zeit").tokens == ("Zeit",)  # nouns keep their capital
    assert tok.decode(first.ids) == "Die Katze sieht die Katze"


def test_word_decode_skips_control_ids(corpus_de: Corpus) -> None:
    tok = _target_tokenizer(corpus_de)
    ids = tok.encode("Der Hund sieht die Katze").ids
    assert tok.decode([BOS_ID, *ids, EOS_ID, PAD_ID, PAD_ID]) == "Der Hund sieht die Katze"


def test_word_unknown_words_are_reported_and_shown(corpus_de: Corpus) -> None:
    src = WordTokenizer.fit([p.source for p in corpus_de.train], lowercase=True, truecase=False)
    enc = src.encode("The zebra sees the Okapi")
    assert enc.unknown == ("zebra", "Okapi")
    assert enc.tokens == ("the", UNK, "sees", "the", UNK)
    assert enc.ids[1] == enc.ids[4] == UNK_ID
    assert enc.ids.count(UNK_ID) == 2
    assert not src.encode("The dog sees the cat").unknown


def test_word_lowercase_folds_case(corpus_de: Corpus) -> None:
    src = WordTokenizer.fit([p.source for p in corpus_de.train], lowercase=True, truecase=False)
    assert src.encode("THE DOG").ids == src.encode("the dog").ids


def test_word_specials_first_and_json_round_trip(corpus_de: Corpus) -> None:
    tok = _target_tokenizer(corpus_de)
    assert tok.vocab[:4] == SPECIALS
    assert [tok.token(i) for i in range(4)] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert (PAD_ID, BOS_ID, EOS_ID, UNK_ID) == (0, 1, 2, 3)
    data = json.loads(json.dumps(tok.to_json()))
    again = WordTokenizer(data["vocab"], data["lowercase"], data["truecase"])
    assert data["kind"] == "word"
    assert again.vocab == tok.vocab
    assert (again.lowercase, again.truecase) == (False, True)
    text = "Die Kinder mögen einen Apfel."
    assert again.encode(text) == tok.encode(text)


def test_word_tokenizer_refuses_bad_vocabularies() -> None:
    with pytest.raises(ValueError):
        WordTokenizer(["a", "<pad>", "<bos>", "<eos>", "<unk>"], False, True)
    with pytest.raises(ValueError):
        WordTokenizer([*SPECIALS, "a", "a"], False, True)
    with pytest.raises(ValueError):
        WordTokenizer([*SPECIALS, 7], False, True)  # type: ignore[list-item]


def test_word_tokenizer_fit_and_encode_agree_on_accents() -> None:
    """A corpus typed with combining accents must not turn "é" typed normally into <unk>."""
    tok = WordTokenizer.fit(["Le cafe\u0301 est bon."], lowercase=False, truecase=True)
    assert tok.encode("Le café est bon.").unknown == ()
    assert tok.encode("Le cafe\u0301 est bon.").ids == tok.encode("Le café est bon.").ids


# -- SubwordTokenizer ---------------------------------------------------------------------

SMALL = [
    "Die Zeit fliegt wie ein Pfeil.",
    "Der Hund sieht die Katze.",
    "Die Kinder mögen einen Apfel.",
    "Die Frau liest ein Buch.",
    "Ich sehe den Hund und die Katze.",
    "Wir lesen die Zeitung.",
    "Fruchtfliegen mögen eine Banane.",
]


@pytest.fixture(scope="module")
def bpe() -> SubwordTokenizer:
    return SubwordTokenizer.fit(SMALL * 3, vocab_size=120)


def test_bpe_specials_first(bpe: SubwordTokenizer) -> None:
    assert [bpe.token(i) for i in range(4)] == list(SPECIALS)
    assert 4 < bpe.size <= 120


@pytest.mark.parametrize("text", SMALL)
def test_bpe_round_trip_seen_text(bpe: SubwordTokenizer, text: str) -> None:
    enc = bpe.encode(text)
    assert enc.unknown == ()
    assert UNK_ID not in enc.ids
    assert len(enc.ids) == len(enc.tokens)
    assert bpe.decode(enc.ids) == text
    assert bpe.decode([BOS_ID, *enc.ids, EOS_ID, PAD_ID]) == text


def test_bpe_unseen_word_splits_into_known_pieces(bpe: SubwordTokenizer) -> None:
    word = "Hundezeitung"  # never seen whole, made of seen letters
    assert all(word not in s for s in SMALL)
    enc = bpe.encode(word)
    assert len(enc.ids) > 1
    assert UNK_ID not in enc.ids
    assert enc.unknown == ()
    assert bpe.decode(enc.ids) == word


def test_bpe_unseen_character_is_unk_and_reported(bpe: SubwordTokenizer) -> None:
    enc = bpe.encode("Die Katze ist Ωmega")
    assert enc.ids.count(UNK_ID) == 1
    assert enc.unknown == ("Ω",)
    assert UNK in enc.tokens


def test_bpe_reports_whole_unknown_accented_character(bpe: SubwordTokenizer) -> None:
    """Decomposed input: the unknown is "é" (what the user typed), not a bare "e"."""
    assert "é" not in "".join(SMALL)
    assert bpe.encode("Die Kindé").unknown == ("é",)
    assert bpe.encode("Die Kinde\u0301").unknown == ("é",)


def test_bpe_special_token_text_is_not_a_control_id(bpe: SubwordTokenizer) -> None:
    """Typing "<eos>" must not end the sentence inside the model (nor "<pad>" blank it)."""
    for text in ("Die <eos> Katze", "Die <pad> Katze", "Der <bos> Hund", "ein <unk> Buch"):
        ids = bpe.encode(text).ids
        assert PAD_ID not in ids
        assert BOS_ID not in ids
        assert EOS_ID not in ids


def test_bpe_json_round_trip(bpe: SubwordTokenizer) -> None:
    data = json.loads(json.dumps(bpe.to_json()))
    assert data["kind"] == "bpe"
    again = SubwordTokenizer.from_json(data)
    assert again.size == bpe.size
    for text in [*SMALL, "Hundezeitung", "Die Katze ist Ωmega", "Die <eos> Katze"]:
        assert again.encode(text) == bpe.encode(text)


def test_bpe_lowercase_folds_case() -> None:
    tok = SubwordTokenizer.fit([s.lower() for s in SMALL], lowercase=True)
    assert tok.encode("DER HUND").ids == tok.encode("der hund").ids
    assert tok.encode("DER HUND").unknown == ()


def test_bpe_refuses_vocab_without_specials_first() -> None:
    data = SubwordTokenizer.fit(SMALL).to_json()
    vocab = data["tokenizer"]["model"]["vocab"]
    vocab["<pad>"], vocab["<unk>"] = vocab["<unk>"], vocab["<pad>"]
    for added in data["tokenizer"]["added_tokens"]:
        added["id"] = vocab[added["content"]]
    with pytest.raises(ValueError, match="<pad>"):
        SubwordTokenizer.from_json(data)
