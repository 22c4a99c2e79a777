"""A Hugging Face model named by its folder and a hash, for session files.

A session file holds the built-in models' weights (a few MB); a real checkpoint's are
hundreds of MB, so a ``.tsim`` file refers to it instead (``hf_model.json``: the
folder, the hub name, the family and a fingerprint) and the model is read from the
folder again on open. The weights in the window are always the folder's: an
``HFBundle`` is never changed in place (a training step in the window runs on a copy,
``core.tracing.trace_step_on_copy``), so the reference is exact.

The fingerprint (what was chosen, and why): SHA-256 over

- ``config.json`` and the tokenizer files present (``tokenizer.json``, ``vocab.json``,
  ``merges.txt``, ``vocab.txt``, ``*.spm``, …), byte for byte (small files);
- for each safetensors weight file: its name, its size, its whole header (tensor
  names, dtypes, shapes, offsets) and 16 blocks of 64 KiB of the tensor data spread
  evenly from its first to its last byte.

About 1 MiB is read per weight file, so hashing a 500 MB GPT-2 takes milliseconds,
not the seconds a full hash would; the size and header catch any other architecture
or dtype, and the sampled blocks catch other weights (fine-tuning or retraining
changes essentially every tensor, so every sampled block). A single edited number
between the samples is not caught: the price of a cheap check. File times are not
used, so a folder copied to another machine (or the same model in another cache)
matches.

When the folder is missing, the models in the local hub cache and the fetched ones
(``core.hf.hf_cache``) with the same name are tried: a session moved to another
machine opens on that machine's copy if its fingerprint is the same.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import limits
from core.hf.hf_folder import CONFIG, HFFolderError, at, weight_files
from core.messages import message_of, msg

FORMAT = "transformer-sim-hf-model"
VERSION = 1
ENTRY = "hf_model.json"  # the session file's entry holding the reference
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "vocab.txt",
    "source.spm",
    "target.spm",
)
BLOCKS = 16
BLOCK = 64 * 1024
MAX_HEADER = 100 * limits.MiB  # safetensors' own ceiling on a header
SMALL_FILE = 64 * limits.MiB  # a tokenizer file larger than this is not one we read


class ModelRefError(ValueError):
    """The referenced model cannot be used: ``key`` is "missing", "changed" or
    "unreadable", ``values`` the folder (and the hub name, or the reason). The session
    file turns it into its one-line message (``core.messages``: English and Chinese)."""

    def __init__(self, key: str, **values: str) -> None:
        self.key, self.values = key, values
        super().__init__(f"model folder {key}: {values.get('folder', '')}")


@dataclass(frozen=True)
class ModelRef:
    """What a session file keeps of a Hugging Face model instead of its weights."""

    folder: str
    name: str
    family: str
    fingerprint: str

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "folder": self.folder,
            "name": self.name,
            "family": self.family,
            "fingerprint": self.fingerprint,
        }

    @staticmethod
    def from_json(data: Any) -> ModelRef:
        """A checked reference (ValueError with one line otherwise)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(msg("ref_format", format=repr(FORMAT)))
        if data.get("version") != VERSION or isinstance(data.get("version"), bool):
            raise ValueError(msg("ref_version", version=repr(data.get("version"))))
        fields = ("folder", "name", "family", "fingerprint")
        extra = sorted(set(data) - {"format", "version", *fields})
        if extra:
            raise ValueError(msg("ref_unknown_field", field=repr(extra[0])))
        for key in fields:
            value = data.get(key)
            if not isinstance(value, str) or not value or len(value) > 4096 or "\0" in value:
                raise ValueError(msg("ref_field_text", field=repr(key)))
        if not data["fingerprint"].startswith("sha256:"):
            raise ValueError(msg("ref_fingerprint"))
        return ModelRef(*(data[k] for k in fields))


def fingerprint(folder: str | Path) -> str:
    """``sha256:<hex>`` of the folder's config, tokenizer files and weights (sampled,
    see the module docstring); ``HFFolderError`` if a file cannot be read."""
    where = Path(folder)
    h = hashlib.sha256()
    for name in (CONFIG, *TOKENIZER_FILES):
        path = where / name
        if path.is_file():
            h.update(f"{name}\0".encode())
            h.update(_small(path))
    for path in weight_files(where):
        _weights(h, path)
    return "sha256:" + h.hexdigest()


def resolve(ref: ModelRef, candidates: list[Path] | None = None) -> Path:
    """The folder holding the referenced model: its own folder when the fingerprint
    matches; if that folder is missing, a candidate (by default: the hub cache's and
    the fetched models of the same name) with the same fingerprint.
    ``ModelRefError`` otherwise."""
    folder = Path(ref.folder)
    if folder.is_dir():
        if _fingerprint_or_say(folder) != ref.fingerprint:
            raise ModelRefError("changed", folder=str(folder))
        return folder
    for other in _same_name(ref) if candidates is None else candidates:
        try:
            if fingerprint(other) == ref.fingerprint:
                return other
        except HFFolderError:
            continue
    raise ModelRefError("missing", folder=str(folder), name=ref.name)


def _fingerprint_or_say(folder: Path) -> str:
    try:
        return fingerprint(folder)
    except HFFolderError as e:
        raise ModelRefError("unreadable", folder=str(folder), reason=message_of(e)) from None


def _same_name(ref: ModelRef) -> list[Path]:
    from core.hf.hf_cache import list_models

    return [m.folder for m in list_models() if m.name == ref.name and m.ok]


def _small(path: Path) -> bytes:
    try:
        return limits.read_file(path, SMALL_FILE)
    except (OSError, limits.LimitError) as e:
        raise HFFolderError(msg("cannot_read", path=str(path), reason=message_of(e))) from None


def _weights(h: Any, path: Path) -> None:
    """Name, size, header and ``BLOCKS`` sampled blocks of one safetensors file."""
    try:
        with path.open("rb") as f:
            size = path.stat().st_size
            head = f.read(8)
            if len(head) < 8:
                raise HFFolderError(at(path, "hf_ref_short"))
            (n,) = struct.unpack("<Q", head)
            if n > min(MAX_HEADER, size - 8):
                raise HFFolderError(at(path, "hf_ref_header", n=n))
            h.update(f"{path.name}\0{size}\0".encode())
            h.update(f.read(n))
            start, span = 8 + n, size - 8 - n  # the tensor data
            for i in range(BLOCKS if span > 0 else 0):
                f.seek(start + (span - min(BLOCK, span)) * i // max(1, BLOCKS - 1))
                h.update(f.read(BLOCK))
    except OSError as e:
        raise HFFolderError(
            msg("cannot_read", path=str(path), reason=str(e.strerror or e))
        ) from None
