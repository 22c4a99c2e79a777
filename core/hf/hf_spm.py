"""Marian's tokenizer (``source.spm``, ``target.spm``, ``vocab.json``) read with the
``sentencepiece`` library, behind the engine's ``Tokenizer`` interface.

It does what ``transformers``' ``MarianTokenizer`` does, so the ids are the checkpoint's:
the text is cut into pieces by a SentencePiece model (``▁`` marks a word's start), and
each piece's id is looked up in ``vocab.json`` (a piece it lacks is ``<unk>``); a
leading language code such as ``>>de<<`` (multilingual models) is one token of its own.
The source side cuts with ``source.spm``, the target side with ``target.spm``; both
share one ``vocab.json``. Decoding maps ids back to pieces through ``vocab.json`` and
joins them with the target model. ``</s>`` (the end of a sentence) is added by the
bundle, not here, as the engine's tokenizers leave ``<eos>`` to the bundle too.

Only data files are read, each size-checked by ``core.limits`` first; a ``.spm`` file
is a protocol-buffer model that ``sentencepiece`` parses, never code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sentencepiece as spm

from core import limits
from core.hf.hf_tokenizer import HFTokenizerError, at, cannot_read
from core.tokenizer import Encoded

SOURCE_SPM, TARGET_SPM, VOCAB_JSON = "source.spm", "target.spm", "vocab.json"
EOS, UNK, PAD = "</s>", "<unk>", "<pad>"
SPM_BYTES = 16 * limits.MiB  # opus-mt's .spm files are about 0.8 MB each
SPIECE = "▁"


class SpmVocab:
    """One ``vocab.json`` (piece -> id) and its inverse, with the three special ids."""

    def __init__(self, vocab: dict[str, int], where: str) -> None:
        missing = [t for t in (EOS, UNK, PAD) if t not in vocab]
        if missing:
            raise HFTokenizerError(at(where, "hf_no_token", token=missing[0]))
        self.ids = vocab
        self.pieces = {i: p for p, i in vocab.items()}
        self.eos_id, self.unk_id, self.pad_id = vocab[EOS], vocab[UNK], vocab[PAD]

    @property
    def size(self) -> int:
        """How many rows the model needs: one past the largest id."""
        return max(self.ids.values()) + 1


class SpmTokenizer:
    """One side (source or target) of a Marian tokenizer: ``▁`` pieces with the
    checkpoint's own ids."""

    kind = "spm"

    def __init__(self, model: spm.SentencePieceProcessor, vocab: SpmVocab, side: str) -> None:
        self._sp, self.vocab, self.side = model, vocab, side
        self.eos_id, self.pad_id, self.unk_id = vocab.eos_id, vocab.pad_id, vocab.unk_id

    @property
    def size(self) -> int:
        return self.vocab.size

    def encode(self, text: str) -> Encoded:
        """Pieces -> ids through ``vocab.json``; pieces it lacks become ``<unk>`` and are
        reported in ``unknown``. No ``</s>``: the bundle appends it."""
        code, rest = _language_code(text)
        pieces = code + [str(p) for p in self._sp.encode(rest, out_type=str)]
        ids = tuple(self.vocab.ids.get(p, self.vocab.unk_id) for p in pieces)
        unknown = tuple(p for p in pieces if p not in self.vocab.ids)
        return Encoded(ids, tuple(pieces), unknown)

    def decode(self, ids: Sequence[int]) -> str:
        """Ids -> text as ``MarianTokenizer.decode(..., skip_special_tokens=True)``:
        the pieces joined by the target SentencePiece model."""
        skip = (self.vocab.eos_id, self.vocab.pad_id)
        pieces = [self.token(i) for i in ids if int(i) not in skip]
        text = str(self._sp.decode_pieces(pieces)) if pieces else ""
        return text.replace(SPIECE, " ").strip()

    def token(self, token_id: int) -> str:
        piece = self.vocab.pieces.get(int(token_id))
        return piece if piece is not None else UNK

    def to_json(self) -> dict[str, Any]:
        """What a checkpoint could keep: the kind and the side; the files stay in the
        model folder (a session file refers to the folder)."""
        return {"kind": self.kind, "side": self.side, "size": self.size}


def from_folder(folder: Path) -> tuple[SpmTokenizer, SpmTokenizer]:
    """The (source, target) tokenizers of a Marian folder; one line if a file is
    missing or unreadable."""
    where = folder / VOCAB_JSON
    for name in (SOURCE_SPM, TARGET_SPM, VOCAB_JSON):
        if not (folder / name).is_file():
            raise HFTokenizerError(at(folder, "hf_marian_files", name=name))
    try:
        data = limits.parse_json(limits.read_file(where, limits.VOCAB_BYTES))
    except (OSError, limits.LimitError) as e:
        raise HFTokenizerError(cannot_read(where, e)) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in data.items()
    ):
        raise HFTokenizerError(at(where, "hf_spm_vocab"))
    if len(set(data.values())) != len(data):
        raise HFTokenizerError(at(where, "hf_spm_shared_id"))
    vocab = SpmVocab(data, str(where))
    return (
        SpmTokenizer(_load(folder / SOURCE_SPM), vocab, "source"),
        SpmTokenizer(_load(folder / TARGET_SPM), vocab, "target"),
    )


def _load(path: Path) -> spm.SentencePieceProcessor:
    try:
        blob = limits.read_file(path, SPM_BYTES)
    except (OSError, limits.LimitError) as e:
        raise HFTokenizerError(cannot_read(path, e)) from None
    model = spm.SentencePieceProcessor()
    try:
        model.LoadFromSerializedProto(blob)
    except (RuntimeError, OSError, TypeError) as e:
        raise HFTokenizerError(at(path, "hf_not_spm", reason=_first_line(e))) from None
    return model


def _language_code(text: str) -> tuple[list[str], str]:
    """``>>de<< rest`` -> ([">>de<<"], " rest"), as ``MarianTokenizer.remove_language_code``."""
    if text.startswith(">>"):
        end = text.find("<<")
        if end != -1:
            return [text[: end + 2]], text[end + 2 :]
    return [], text


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0][:120] if lines else type(e).__name__
