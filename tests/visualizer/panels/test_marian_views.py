"""A Marian checkpoint (``core.hf.hf_marian``) looks right in the window: the input bar
shows its SentencePiece ``▁`` pieces with the checkpoint's ids (none marked unknown just
because its id is the built-in vocabularies' ``<unk>`` id 3), and the attention rows of
a decoding step start with the decoder's real first token, ``<pad>``. The folder is a
tiny random checkpoint written by ``transformers`` (``tests.core.hf.marian_kit``); the
expected pieces and ids come from ``transformers``' ``MarianTokenizer``."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.display import axis_labels
from core.session import Session
from tests.core.hf.marian_kit import SOURCES, write_marian
from visualizer.bridge import SessionBridge
from visualizer.panels.input.input_bar import InputBar

TEXT = SOURCES[0]


@pytest.fixture(scope="module")
def marian(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, Path]:
    folder = tmp_path_factory.mktemp("marian")
    write_marian(folder)
    s = Session.open_builtin("en-de")
    s.set_decode(beam=1, temperature=0.0, top_k=0, top_p=1.0, seed=0, max_len=4)
    s.open_model(folder, TEXT)
    s.animate = False
    return s, folder


def _chips(bar: InputBar) -> list[tuple[str, int, bool]]:
    """(piece, id, marked unknown) of each chip: ``token<sub>id</sub>``, red when unknown."""
    html = bar.chips.text().replace("&nbsp;", " ")
    found = re.findall(r"<span style='([^']*)'[^>]*>\s*(.*?)<sub[^>]*>(\d+)</sub>", html)
    return [(tok.strip(), int(i), "#ffd6d9" in style) for style, tok, i in found]


def test_input_bar_shows_the_pieces_and_ids_marian_reads(
    qtbot: QtBot, marian: tuple[Session, Path]
) -> None:
    from transformers import MarianTokenizer

    s, folder = marian
    bar = InputBar(s, SessionBridge(s))
    qtbot.addWidget(bar)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        truth = MarianTokenizer.from_pretrained(str(folder))
    pieces = truth.tokenize(TEXT)
    ids = truth.convert_tokens_to_ids(pieces)
    chips = _chips(bar)
    assert [(t, i) for t, i, _ in chips] == list(zip(pieces, ids, strict=True))
    assert 3 in ids and "▁" in pieces  # id 3 is a piece here, not <unk>
    assert not any(unknown for _, _, unknown in chips)
    bar.edit.setText("€ cat")  # a character no piece covers: <unk> (id 1), marked
    marked = [(t, i) for t, i, unknown in _chips(bar) if unknown]
    assert marked and all(i == truth.unk_token_id for _, i in marked)


def test_decoding_rows_start_with_the_decoders_first_token(marian: tuple[Session, Path]) -> None:
    s, _ = marian
    step = s.trace.first("t2/dec.0.self_attn.weights")
    rows = axis_labels(s.trace, step, "tgt", 3, [])
    assert rows[0] == "<pad>"
    assert rows[1:] == s.trace.meta["tgt_tokens"][:2]


def test_the_decoding_view_starts_the_answer_with_the_decoders_first_token(
    qtbot: QtBot, marian: tuple[Session, Path]
) -> None:
    from visualizer.panels.decoding.decoding_view import DecodingView

    s, _ = marian
    view = DecodingView(s, SessionBridge(s))
    qtbot.addWidget(view)
    assert s.trace.meta["tgt_start"] == "<pad>"
    assert view._start() == "<pad>"
