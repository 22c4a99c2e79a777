"""The stages tokenizer splits numbers as real tokenizers do."""

from __future__ import annotations

import pytest

from core.stages.corpus import generate
from core.stages.tokenizer import StageTokenizer, pieces
from core.tokenizer import UNK


@pytest.fixture(scope="module")
def tok() -> StageTokenizer:
    return StageTokenizer.build(generate(0, 300).lines)


def test_numbers_split_at_the_dot(tok: StageTokenizer) -> None:
    assert tok.split("9.11").tokens == ("9", ".", "11")
    assert tok.split("9.9").tokens == ("9", ".", "9")
    s = tok.split("Which is bigger: 9.11 or 9.9? →")
    assert s.tokens == ("which", "is", "bigger", ":", "9", ".", "11", "or", "9", ".", "9", "?", "→")
    assert [tok.token(i) for i in s.ids] == list(s.tokens)
    assert s.ids[4] == s.ids[8] == s.ids[10] == tok.id("9") != tok.id("11")


def test_digits_group_by_three_from_the_left() -> None:
    assert pieces("2024 and 1234567") == ["202", "4", "and", "123", "456", "7"]


def test_unknown_pieces_are_reported(tok: StageTokenizer) -> None:
    s = tok.split("which is zebra 123?")
    assert s.unknown == ("zebra", "123")
    assert s.tokens.count(UNK) == 2


def test_decode_joins_numbers_back(tok: StageTokenizer) -> None:
    text = "which is bigger: 9.11 or 9.9? → 9.9"
    assert tok.decode(tok.encode(text)) == text


def test_word_tokenizer_round_trip(tok: StageTokenizer) -> None:
    word = tok.to_word_tokenizer()
    assert StageTokenizer.from_vocab(word.vocab).vocab == tok.vocab
    assert tok.vocab[4] == "="  # a valid decoder-only prompt vocabulary
