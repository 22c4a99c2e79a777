"""A Hugging Face tokenizer folder read with the ``tokenizers`` library, behind the
engine's ``Tokenizer`` interface.

A real checkpoint's vocabulary has no ``<pad> <bos> <eos> <unk>`` at ids 0-3 (GPT-2's
id 0 is ``!`` and its one special token ``<|endoftext|>`` is id 50256), so this wrapper
keeps the model's own ids and names its end token in ``eos_id``; decoding here never
strips ids 0-2. Only data files are read (``tokenizer.json``, or GPT-2's ``vocab.json`` +
``merges.txt``, BERT's ``vocab.txt``), each size-checked by ``core.limits`` first;
nothing in the folder runs.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer as Backend
from tokenizers import decoders, models, normalizers, pre_tokenizers, processors

from core import limits
from core.messages import Msg, message_of, msg
from core.tokenizer import Encoded

TOKENIZER_JSON, VOCAB_JSON, MERGES = "tokenizer.json", "vocab.json", "merges.txt"
VOCAB_TXT, TOKENIZER_CONFIG = "vocab.txt", "tokenizer_config.json"
BERT_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
TOKENIZER_BYTES = limits.VOCAB_BYTES  # GPT-2's tokenizer.json is 1.4 MB, vocab.json 1 MB


class HFTokenizerError(ValueError):
    """The folder's tokenizer files cannot be read; one line for the user."""


class HFTextTokenizer:
    """Subword pieces with the checkpoint's own ids (``Ġ`` marks GPT-2's spaces)."""

    kind = "hf"

    def __init__(
        self, backend: Backend, eos_token: str | None = None, specials: bool = False
    ) -> None:
        self._tk = backend
        self.eos_id: int | None = backend.token_to_id(eos_token) if eos_token else None
        self.specials = specials  # BERT: the tokenizer's own [CLS] ... [SEP] around the text

    @classmethod
    def from_folder(
        cls, folder: Path, eos_token: str | None = None, specials: bool = False
    ) -> HFTextTokenizer:
        """``tokenizer.json`` if present, else byte-level BPE from ``vocab.json`` +
        ``merges.txt`` (how GPT-2 folders without a fast tokenizer ship)."""
        if (folder / TOKENIZER_JSON).exists():
            text = _read(folder / TOKENIZER_JSON).decode("utf-8")
            try:
                return cls(Backend.from_str(text), eos_token, specials)
            except Exception as e:  # the library's own exception type is not exported
                raise HFTokenizerError(
                    msg("in_file", path=str(folder / TOKENIZER_JSON), reason=_first_line(e))
                ) from None
        if (folder / VOCAB_JSON).exists() and (folder / MERGES).exists():
            return cls(_byte_level_bpe(folder), eos_token, specials)
        if (folder / VOCAB_TXT).exists():
            return cls(_word_piece(folder), eos_token, specials)
        raise HFTokenizerError(at(folder, "hf_no_tokenizer"))

    @property
    def size(self) -> int:
        return int(self._tk.get_vocab_size(with_added_tokens=True))

    def encode(self, text: str) -> Encoded:
        text = unicodedata.normalize("NFC", text)
        enc = self._tk.encode(text, add_special_tokens=self.specials)
        return Encoded(tuple(enc.ids), tuple(enc.tokens), ())

    def decode(self, ids: Sequence[int]) -> str:
        keep = [int(i) for i in ids if int(i) != self.eos_id]
        return str(self._tk.decode(keep, skip_special_tokens=False))

    def token(self, token_id: int) -> str:
        tok = self._tk.id_to_token(int(token_id))
        return str(tok) if tok is not None else f"<{token_id}>"

    def token_id(self, token: str) -> int | None:
        """The id of a piece or special token (``[MASK]``), None if the vocabulary has none."""
        found = self._tk.token_to_id(token)
        return None if found is None else int(found)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "tokenizer": json.loads(self._tk.to_str())}


def _byte_level_bpe(folder: Path) -> Backend:
    """GPT-2's tokenizer from its two data files: byte-level pre-tokenizer and decoder."""
    try:
        vocab = json.loads(_read(folder / VOCAB_JSON))
        lines = _read(folder / MERGES).decode("utf-8").splitlines()
        merges = [tuple(ln.split(" ")) for ln in lines if ln and not ln.startswith("#version")]
        if not isinstance(vocab, dict) or any(len(m) != 2 for m in merges):
            raise ValueError(msg("hf_bpe_shape"))
        tk = Backend(models.BPE(vocab, merges))  # type: ignore[arg-type]
    except (ValueError, UnicodeDecodeError, TypeError) as e:
        raise HFTokenizerError(at(folder, "hf_bad_bpe", reason=_reason(e))) from None
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    return tk


def _word_piece(folder: Path) -> Backend:
    """BERT's tokenizer from ``vocab.txt`` (one piece a line, ``##`` continues a word):
    lower-cased unless ``tokenizer_config.json`` says ``do_lower_case: false``, and
    ``[CLS] text [SEP]`` around every sentence."""
    lines = _read(folder / VOCAB_TXT).decode("utf-8").splitlines()
    vocab = {piece: i for i, piece in enumerate(lines)}
    lower = True
    if (folder / TOKENIZER_CONFIG).exists():
        try:
            settings = limits.parse_json(_read(folder / TOKENIZER_CONFIG))
        except limits.LimitError as e:
            raise HFTokenizerError(
                msg("in_file", path=str(folder / TOKENIZER_CONFIG), reason=message_of(e))
            ) from None
        if isinstance(settings, dict):
            lower = settings.get("do_lower_case", True) is not False
    missing = [t for t in ("[UNK]", "[CLS]", "[SEP]") if t not in vocab]
    if missing:
        raise HFTokenizerError(at(folder / VOCAB_TXT, "hf_no_token", token=missing[0]))
    tk = Backend(models.WordPiece(vocab, unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=lower)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    # Typed "[MASK]" is one token, as tokenizer.json's added tokens make it (not "[ mask ]").
    tk.add_special_tokens([t for t in BERT_SPECIALS if t in vocab])
    return tk


def _read(path: Path) -> bytes:
    try:
        return limits.read_file(path, TOKENIZER_BYTES)
    except (OSError, limits.LimitError) as e:
        raise HFTokenizerError(cannot_read(path, e)) from None


def at(where: str | Path, key: str, /, **args: Any) -> Msg:
    """``where: <message key>``: the reason says itself in Chinese too."""
    return msg("in_file", path=str(where), reason=msg(key, **args))


def cannot_read(path: str | Path, e: BaseException) -> Msg:
    """``path: cannot read it (reason)``, a size limit's reason kept translatable."""
    kept = message_of(e)
    return msg(
        "cannot_read", path=str(path), reason=kept if isinstance(kept, Msg) else _first_line(e)
    )


def _reason(e: BaseException) -> str:
    """An error's reason: its ``Msg`` (translatable) or its first line (a library's)."""
    kept = message_of(e)
    return kept if isinstance(kept, Msg) else _first_line(e)


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0][:120] if lines else type(e).__name__
