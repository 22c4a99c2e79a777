"""Saving and loading a Bundle: safetensors weights + JSON config and vocabularies.

A checkpoint is a folder a user may hand us from anywhere, so loading trusts
nothing: no pickle (safetensors holds only tensors), every JSON field is checked,
and every tensor must have exactly the name and shape the config implies. Anything
else is a ``CheckpointError`` with one line that says what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from core.bundle import Bundle
from core.config import ConfigError, ModelConfig
from core.model import Transformer
from core.subword import SubwordTokenizer
from core.tokenizer import Tokenizer, WordTokenizer

WEIGHTS, CONFIG, VOCAB = "model.safetensors", "config.json", "vocab.json"
FORMAT = "transformer-sim/1"
MAX_PARAMETERS = 500_000_000


class CheckpointError(ValueError):
    """A checkpoint folder cannot be used; the message is one line."""


def save(path: str | Path, bundle: Bundle, extra: dict[str, Any] | None = None) -> Path:
    """Write the bundle to a folder (created if needed); ``extra`` lands in config.json."""
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous().clone() for k, v in bundle.model.state_dict().items()}
    save_file(tensors, str(out / WEIGHTS), metadata={"format": FORMAT})
    config = {"format": FORMAT, "pair": bundle.pair, "model": bundle.cfg.to_dict(), **(extra or {})}
    (out / CONFIG).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8")
    vocab = {"source": bundle.src_tok.to_json(), "target": bundle.tgt_tok.to_json()}
    (out / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False) + "\n", "utf-8")
    return out


def load(path: str | Path) -> Bundle:
    """Load a checkpoint folder written by ``save``; refuses anything malformed."""
    folder = Path(path)
    if not folder.is_dir():
        raise CheckpointError(f"model folder not found: {folder}")
    config = _read_json(folder / CONFIG)
    if config.get("format") != FORMAT:
        raise CheckpointError(f"{folder / CONFIG}: not a transformer-sim model ({FORMAT})")
    if not isinstance(config.get("model"), dict):
        raise CheckpointError(f'{folder / CONFIG}: no "model" settings (a JSON object)')
    try:
        cfg = ModelConfig.from_dict(config["model"])
    except (ConfigError, TypeError) as e:
        raise CheckpointError(f"{folder / CONFIG}: {e}") from None
    vocab = _read_json(folder / VOCAB)
    src_tok = _tokenizer(vocab.get("source"), folder / VOCAB)
    tgt_tok = _tokenizer(vocab.get("target"), folder / VOCAB)
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise CheckpointError(f"missing {weights}")
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(
            f"{weights}: not a readable safetensors file ({_first_line(e)})"
        ) from None
    # Refuse an absurd size before allocating anything (building on the meta device
    # would avoid the allocation too, but costs a second of imports on every load).
    n_params = cfg.parameter_count(src_tok.size, tgt_tok.size)
    if n_params > MAX_PARAMETERS:
        raise CheckpointError(
            f"{folder / CONFIG}: a model of {n_params:,} parameters is too large "
            f"(the limit is {MAX_PARAMETERS:,})"
        )
    try:
        model = Transformer(cfg, src_tok.size, tgt_tok.size)
    except (RuntimeError, MemoryError, ValueError) as e:
        raise CheckpointError(
            f"{folder / CONFIG}: cannot build this model ({_first_line(e)})"
        ) from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        what = f"missing {missing[0]}" if missing else f"unexpected {unexpected[0]}"
        raise CheckpointError(f"{weights}: weights do not match config.json ({what})")
    for name, tensor in state.items():
        ref = expected[name]
        if tensor.shape != ref.shape or tensor.dtype != ref.dtype:
            raise CheckpointError(
                f"{weights}: {name} has shape {tuple(tensor.shape)} {tensor.dtype}, "
                f"expected {tuple(ref.shape)} {ref.dtype}"
            )
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{weights}: {name} holds NaN or infinite values")
    model.load_state_dict(state)
    model.eval()
    return Bundle(model, src_tok, tgt_tok, str(config.get("pair", "")))


def read_config(path: str | Path) -> dict[str, Any]:
    """The checkpoint's config.json (training settings and metrics included)."""
    return _read_json(Path(path) / CONFIG)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"missing {path}")
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise CheckpointError(f"{path}: not valid JSON ({_first_line(e)})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{path}: expected a JSON object")
    return data


def _tokenizer(data: Any, where: Path) -> Tokenizer:
    try:
        if isinstance(data, dict) and data.get("kind") == "word":
            vocab, lowercase, truecase = data["vocab"], data["lowercase"], data["truecase"]
            if not isinstance(vocab, list):
                raise ValueError("vocab must be a list of strings")
            if not isinstance(lowercase, bool) or not isinstance(truecase, bool):
                raise ValueError("lowercase and truecase must be true or false")
            return WordTokenizer(vocab, lowercase, truecase)
        if isinstance(data, dict) and data.get("kind") == "bpe":
            return SubwordTokenizer.from_json(data)
    except (KeyError, TypeError, ValueError, Exception) as e:
        raise CheckpointError(f"{where}: bad vocabulary ({_first_line(e)})") from None
    raise CheckpointError(f"{where}: unknown tokenizer kind")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:120] if text else type(e).__name__
