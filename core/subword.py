"""Subword (BPE) tokenizer for user corpora, built on the ``tokenizers`` library.

A user's TSV may hold any words, so a fixed word list would turn most of a new
sentence into ``<unk>``. BPE splits unseen words into known pieces instead; only
characters never seen in training become ``<unk>``, and those are reported.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, normalizers, pre_tokenizers, trainers

from core.tokenizer import BOS_ID, EOS_ID, PAD_ID, SPECIALS, UNK, UNK_ID, Encoded


class SubwordTokenizer:
    """Byte-pair encoding with the project's special tokens at ids 0-3."""

    kind = "bpe"

    def __init__(self, backend: HFTokenizer) -> None:
        for i, tok in enumerate(SPECIALS):
            if backend.token_to_id(tok) != i:
                raise ValueError(f"BPE vocabulary must have {tok} at id {i}")
        # A user typing "<eos>" or "<pad>" means those characters, not the control ids
        # (which would end or blank out the sentence inside the model): special tokens
        # are never matched in input text. Not saved by to_str(), so set on every load.
        with contextlib.suppress(AttributeError):  # tokenizers < 0.15.1: no such switch
            backend.encode_special_tokens = True
        self._tk = backend

    @classmethod
    def fit(
        cls, texts: Iterable[str], vocab_size: int = 2000, lowercase: bool = False
    ) -> SubwordTokenizer:
        steps: list[normalizers.Normalizer] = [normalizers.NFC()]
        if lowercase:
            steps.append(normalizers.Lowercase())
        tk = HFTokenizer(models.BPE(unk_token=UNK))
        tk.normalizer = normalizers.Sequence(steps)
        tk.pre_tokenizer = pre_tokenizers.Metaspace()
        tk.decoder = decoders.Metaspace()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=list(SPECIALS), show_progress=False
        )
        tk.train_from_iterator(texts, trainer=trainer)
        return cls(tk)

    @property
    def size(self) -> int:
        return int(self._tk.get_vocab_size())

    def encode(self, text: str) -> Encoded:
        # NFC here as well as in the backend's normaliser, so the offsets of an unknown
        # character span all of it ("é", not the "e" of "e" + U+0301).
        text = unicodedata.normalize("NFC", text)
        enc = self._tk.encode(text)
        ids = tuple(enc.ids)
        unknown = tuple(
            text[a:b] for i, (a, b) in zip(ids, enc.offsets, strict=True) if i == UNK_ID
        )
        return Encoded(ids, tuple(enc.tokens), unknown)

    def decode(self, ids: Sequence[int]) -> str:
        keep = [i for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID)]
        return str(self._tk.decode(keep, skip_special_tokens=False))

    def token(self, token_id: int) -> str:
        return str(self._tk.id_to_token(token_id))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "tokenizer": json.loads(self._tk.to_str())}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubwordTokenizer:
        return cls(HFTokenizer.from_str(json.dumps(data["tokenizer"])))
