"""A Hugging Face model folder (what ``save_pretrained`` writes, or a snapshot of the
local hub cache): recognise it, read its config and its safetensors weights.

Trusts nothing in the folder: ``config.json`` is size- and depth-checked JSON, weights
come only from ``model.safetensors`` or the shards ``model.safetensors.index.json``
lists (names checked to stay inside the folder), and a pickled ``pytorch_model.bin``
is refused, never unpickled. No ``auto_map`` / custom code is ever imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import Tensor, nn

from core import limits
from core.messages import Msg, message_of, msg

CONFIG = "config.json"
WEIGHTS = "model.safetensors"
INDEX = "model.safetensors.index.json"
PICKLES = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")
CONVERT_CODE = "AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)"
CONVERT = f"convert it to safetensors first, e.g. in Python: {CONVERT_CODE}"


class HFFolderError(ValueError):
    """A Hugging Face folder the simulator cannot open; the message is one line."""


def is_hf_folder(folder: Path) -> bool:
    """A folder whose config.json names a Hugging Face ``model_type`` (the simulator's
    own checkpoints say ``"format": "transformer-sim/1"`` instead)."""
    path = folder / CONFIG
    if not path.is_file():
        return False
    try:
        data = limits.parse_json(limits.read_file(path, limits.CONFIG_BYTES))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "model_type" in data and "format" not in data


def read_config(folder: Path) -> dict[str, Any]:
    """config.json as a dict (size and nesting checked)."""
    path = folder / CONFIG
    try:
        data = limits.parse_json(limits.read_file(path, limits.CONFIG_BYTES))
    except (OSError, limits.LimitError) as e:
        raise HFFolderError(msg("cannot_read", path=str(path), reason=reason_of(e))) from None
    if not isinstance(data, dict):
        raise HFFolderError(msg("expected_object", path=str(path)))
    return data


def weight_files(folder: Path) -> list[Path]:
    """The safetensors file(s) holding the weights; a pickle-only folder is refused."""
    if (folder / WEIGHTS).is_file():
        return [folder / WEIGHTS]
    if (folder / INDEX).is_file():
        return _shards(folder)
    pickled = [name for name in PICKLES if (folder / name).exists()]
    if pickled:
        raise HFFolderError(at(folder / pickled[0], "hf_pickle", code=CONVERT_CODE))
    raise HFFolderError(at(folder, "hf_no_weights", weights=WEIGHTS, index=INDEX))


def _shards(folder: Path) -> list[Path]:
    try:
        index = limits.parse_json(limits.read_file(folder / INDEX, limits.CONFIG_BYTES * 16))
        names = sorted(set(index["weight_map"].values()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise HFFolderError(at(folder / INDEX, "hf_not_index", reason=reason_of(e))) from None
    paths = []
    for name in names:
        path = folder / str(name)
        if "/" in str(name) or "\\" in str(name) or not str(name).endswith(".safetensors"):
            raise HFFolderError(at(folder / INDEX, "hf_shard_name", name=repr(name)))
        if not path.is_file():
            raise HFFolderError(msg("hf_missing_shard", path=str(path), index=INDEX))
        paths.append(path)
    return paths


def read_weights(files: list[Path]) -> dict[str, Tensor]:
    """All tensors of the safetensors file(s), their total size checked first."""
    total = sum(p.stat().st_size for p in files)
    if total > limits.REAL_WEIGHTS_BYTES:  # a real checkpoint's budget (core.limits)
        raise HFFolderError(
            at(files[0].parent, "hf_weights_too_big", size=total, limit=limits.REAL_WEIGHTS_BYTES)
        )
    state: dict[str, Tensor] = {}
    for path in files:
        try:
            state.update(load_file(str(path)))
        except (SafetensorError, OSError, ValueError) as e:
            raise HFFolderError(at(path, "hf_not_safetensors", reason=reason_of(e))) from None
    return state


def dump(data: Any) -> str:
    """Compact JSON for messages."""
    return json.dumps(data)[:80]


def at(where: str | Path, key: str, /, **args: Any) -> Msg:
    """``where: <message key>``, one line whose reason says itself in Chinese too."""
    return msg("in_file", path=str(where), reason=msg(key, **args))


def bad_config(where: str, family: str, e: BaseException) -> Msg:
    """``where: not a usable <family> config (reason)``: a missing key or a bad value."""
    if isinstance(e, KeyError):
        reason: str = msg("hf_missing_key", key=str(e))
    else:
        kept = message_of(e)
        reason = kept if isinstance(kept, Msg) else (str(e).splitlines() or [""])[0]
    return at(where, "hf_bad_config", family=family, reason=reason)


def option(where: str, family: str, key: str, value: Any) -> Msg:
    """``where: unsupported <family> option key=value``."""
    return at(where, "hf_option", family=family, key=key, value=dump(value))


def reason_of(e: BaseException) -> str:
    """An error's reason inside a message: its ``Msg`` (translatable), or its first line
    (a library's English, shown as it is)."""
    kept = message_of(e)
    return kept if isinstance(kept, Msg) else _first_line(e)


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0][:120] if lines else type(e).__name__


M = TypeVar("M", bound=nn.Module)


def load_checked(model: M, mapped: dict[str, Tensor], where: str) -> M:
    """``model`` (in eval mode) holding ``mapped``, the checkpoint's weights under the
    engine's names, each first checked for its shape and for NaN / infinity: a wrong
    tensor is one line naming it, never a half-loaded model."""
    for name, ref in model.state_dict().items():
        got = mapped[name]
        if got.shape != ref.shape:
            raise HFFolderError(
                at(where, "hf_shape", name=name, shape=tuple(got.shape), want=tuple(ref.shape))
            )
        if not bool(torch.isfinite(got).all()):
            raise HFFolderError(msg("weights_not_finite", path=where, name=name))
    model.load_state_dict(mapped)
    model.eval()
    return model


class Renaming:
    """Checkpoint tensors moved to the engine's names one by one: ``take`` pops a tensor
    (a missing one is one line naming it), ``linear`` moves a weight and its bias; what
    is left in ``src`` at the end was not expected (the caller says so)."""

    def __init__(self, src: dict[str, Tensor], where: str) -> None:
        self.src, self.where = src, where
        self.out: dict[str, Tensor] = {}

    def take(self, name: str) -> Tensor:
        if name not in self.src:
            raise HFFolderError(at(self.where, "hf_missing_weight", name=name))
        return self.src.pop(name).float()

    def linear(self, hf: str, ours: str) -> None:
        self.out[f"{ours}.weight"] = self.take(f"{hf}.weight")
        self.out[f"{ours}.bias"] = self.take(f"{hf}.bias")
