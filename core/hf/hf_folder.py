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

CONFIG = "config.json"
WEIGHTS = "model.safetensors"
INDEX = "model.safetensors.index.json"
PICKLES = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")
CONVERT = (
    "convert it to safetensors first, e.g. in Python: "
    "AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)"
)


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
        raise HFFolderError(f"{path}: cannot read it ({_first_line(e)})") from None
    if not isinstance(data, dict):
        raise HFFolderError(f"{path}: expected a JSON object")
    return data


def weight_files(folder: Path) -> list[Path]:
    """The safetensors file(s) holding the weights; a pickle-only folder is refused."""
    if (folder / WEIGHTS).is_file():
        return [folder / WEIGHTS]
    if (folder / INDEX).is_file():
        return _shards(folder)
    pickled = [name for name in PICKLES if (folder / name).exists()]
    if pickled:
        raise HFFolderError(
            f"{folder / pickled[0]}: weights in a pickle-based format are not read "
            f"(unpickling can run code); {CONVERT}"
        )
    raise HFFolderError(f"{folder}: no {WEIGHTS} (or {INDEX}) in this folder")


def _shards(folder: Path) -> list[Path]:
    try:
        index = limits.parse_json(limits.read_file(folder / INDEX, limits.CONFIG_BYTES * 16))
        names = sorted(set(index["weight_map"].values()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise HFFolderError(
            f"{folder / INDEX}: not a safetensors index ({_first_line(e)})"
        ) from None
    paths = []
    for name in names:
        path = folder / str(name)
        if "/" in str(name) or "\\" in str(name) or not str(name).endswith(".safetensors"):
            raise HFFolderError(f"{folder / INDEX}: shard name {name!r} is not a file here")
        if not path.is_file():
            raise HFFolderError(f"missing {path} (listed in {INDEX})")
        paths.append(path)
    return paths


def read_weights(files: list[Path]) -> dict[str, Tensor]:
    """All tensors of the safetensors file(s), their total size checked first."""
    total = sum(p.stat().st_size for p in files)
    if total > limits.REAL_WEIGHTS_BYTES:  # a real checkpoint's budget (core.limits)
        raise HFFolderError(
            f"{files[0].parent}: {total:,} bytes of weights; "
            f"the limit is {limits.REAL_WEIGHTS_BYTES:,}"
        )
    state: dict[str, Tensor] = {}
    for path in files:
        try:
            state.update(load_file(str(path)))
        except (SafetensorError, OSError, ValueError) as e:
            raise HFFolderError(
                f"{path}: not a readable safetensors file ({_first_line(e)})"
            ) from None
    return state


def dump(data: Any) -> str:
    """Compact JSON for messages."""
    return json.dumps(data)[:80]


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
                f"{where}: {name} has shape {tuple(got.shape)}, expected {tuple(ref.shape)}"
            )
        if not bool(torch.isfinite(got).all()):
            raise HFFolderError(f"{where}: {name} holds NaN or infinite values")
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
            raise HFFolderError(f"{self.where}: weights do not match config.json (missing {name})")
        return self.src.pop(name).float()

    def linear(self, hf: str, ours: str) -> None:
        self.out[f"{ours}.weight"] = self.take(f"{hf}.weight")
        self.out[f"{ours}.bias"] = self.take(f"{hf}.bias")
