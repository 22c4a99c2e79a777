"""Saving and loading a Bundle: safetensors weights + JSON config and vocabularies.

A checkpoint is a folder a user may hand us from anywhere, so loading trusts
nothing: no pickle (safetensors holds only tensors), every JSON field is checked,
and every tensor must have exactly the name and shape the config implies. Anything
else is a ``CheckpointError`` with one line that says what is wrong. The same three
files can travel as bytes (``to_bytes`` / ``from_bytes``, used by session files), and
are validated by the same code either way.

Every shape of the family (``ModelConfig.arch`` / ``ffn`` / ``inputs``) is saved the
same way: config.json records the shape, ``build_model`` rebuilds it, and the weights
must match its names and shapes. A config.json without the family's fields (written
before them) loads as the encoder-decoder / dense model it describes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_bytes
from safetensors.torch import load_file
from safetensors.torch import save as save_bytes
from torch import Tensor

from core import atomic, hf, limits
from core.bundle import Bundle
from core.config import ConfigError, ModelConfig
from core.messages import Msg, message_of, msg
from core.models import Model, build_model
from core.prompt_task import PromptTokenizer
from core.subword import SubwordTokenizer
from core.tokenizer import Tokenizer, WordTokenizer

WEIGHTS, CONFIG, VOCAB = "model.safetensors", "config.json", "vocab.json"
FORMAT = "transformer-sim/1"
MAX_PARAMETERS = limits.MAX_PARAMETERS  # float32: limits.MODEL_BYTES with the buffers
JSON_LIMITS = {CONFIG: limits.CONFIG_BYTES, VOCAB: limits.VOCAB_BYTES}


class CheckpointError(ValueError):
    """A checkpoint folder cannot be used; the message is one line."""


def save(path: str | Path, bundle: Bundle, extra: dict[str, Any] | None = None) -> Path:
    """Write the bundle to a folder (created if needed); ``extra`` lands in config.json.

    Atomic (``core.atomic.write_folder``): a failed save leaves the folder as it was;
    other files in it are kept. Whether overwriting is allowed is the caller's check
    (``atomic.check_target_folder``)."""
    files = to_bytes(bundle, extra)
    return atomic.write_folder(path, {n: files[n] for n in (WEIGHTS, VOCAB, CONFIG)})


def to_bytes(bundle: Bundle, extra: dict[str, Any] | None = None) -> dict[str, bytes]:
    """The checkpoint's three files as bytes, by file name (what ``save`` writes)."""
    if isinstance(bundle, hf.HFBundle):  # not yet: its tokenizer and head are not this format
        raise CheckpointError(msg("ck_hf_not_saved", folder=bundle.folder))
    tensors = {k: v.detach().contiguous().clone() for k, v in bundle.model.state_dict().items()}
    config = {"format": FORMAT, "pair": bundle.pair, "model": bundle.cfg.to_dict(), **(extra or {})}
    if bundle.labels:  # an encoder-only classifier's label names, by label id
        config["labels"] = list(bundle.labels)
    vocab = {"source": bundle.src_tok.to_json(), "target": bundle.tgt_tok.to_json()}
    return {
        WEIGHTS: save_bytes(tensors, metadata={"format": FORMAT}),
        CONFIG: _config_json(config),
        VOCAB: (json.dumps(vocab, ensure_ascii=False) + "\n").encode("utf-8"),
    }


def _config_json(config: dict[str, Any]) -> bytes:
    """config.json as standard JSON: a NaN metric (a diverged run) is written as null."""
    text = json.dumps(limits.finite_json(config), indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def load(path: str | Path) -> Bundle:
    """Load a checkpoint folder written by ``save``; refuses anything malformed."""
    folder = Path(path)
    if not folder.is_dir():
        raise CheckpointError(msg("model_folder_not_found", folder=str(folder)))
    if hf.is_hf_folder(folder):  # a Hugging Face folder (config.json has "model_type")
        try:
            return hf.load_folder(folder)
        except hf.HFFolderError as e:
            raise CheckpointError(message_of(e)) from None
    config = _read_json(folder / CONFIG)
    cfg = _model_config(config, folder / CONFIG)
    src_tok, tgt_tok = _tokenizers(_read_json(folder / VOCAB), folder / VOCAB)
    _check_limits(cfg, src_tok, tgt_tok, folder / CONFIG)
    weights = folder / WEIGHTS
    _check_weights_file(weights)
    state = _safetensors(lambda: load_file(str(weights)), weights)
    model = _model(cfg, src_tok, tgt_tok, state, folder / CONFIG, weights)
    return _bundle(model, src_tok, tgt_tok, config)


def from_bytes(files: Mapping[str, bytes], where: str | Path) -> Bundle:
    """Load a checkpoint from its three files' bytes (say, entries of a session file),
    validated exactly like ``load``; messages name each file as ``where/file``."""
    base = Path(where)

    def part(name: str) -> bytes:
        data = files.get(name)
        if data is None:
            raise CheckpointError(msg("missing_file", path=str(base / name)))
        return data

    config = _parse_json(part(CONFIG), base / CONFIG)
    cfg = _model_config(config, base / CONFIG)
    src_tok, tgt_tok = _tokenizers(_parse_json(part(VOCAB), base / VOCAB), base / VOCAB)
    _check_limits(cfg, src_tok, tgt_tok, base / CONFIG)
    weights = part(WEIGHTS)
    if len(weights) > limits.WEIGHTS_BYTES:
        raise CheckpointError(
            msg(
                "file_too_big_at",
                path=str(base / WEIGHTS),
                size=len(weights),
                limit=limits.WEIGHTS_BYTES,
            )
        )
    state = _safetensors(lambda: load_bytes(weights), base / WEIGHTS)
    model = _model(cfg, src_tok, tgt_tok, state, base / CONFIG, base / WEIGHTS)
    return _bundle(model, src_tok, tgt_tok, config)


def _bundle(model: Model, src_tok: Tokenizer, tgt_tok: Tokenizer, config: dict[str, Any]) -> Bundle:
    if model.cfg.arch == "decoder-only":
        _check_prompt_vocab(src_tok, tgt_tok)
    bundle = Bundle(model, src_tok, tgt_tok, str(config.get("pair", "")), _labels(model, config))
    if bundle.pair == "stages" and model.cfg.arch == "decoder-only":
        from core.stages.stage_bundle import StageBundle  # its own prompt format (lazy: no cycle)

        try:
            return StageBundle.of(bundle)
        except ValueError as e:
            raise CheckpointError(msg("in_file", path=VOCAB, reason=message_of(e))) from None
    return bundle


def _labels(model: Model, config: dict[str, Any]) -> tuple[str, ...]:
    """An encoder-only model's label names (config.json "labels"): one short string per
    class; a classifier saved without them gets "0", "1", ..."""
    n = model.cfg.n_labels
    names = config.get("labels")
    if names is None:
        return tuple(str(i) for i in range(n))
    if (
        not isinstance(names, list)
        or len(names) != n
        or not all(isinstance(x, str) and 0 < len(x) <= 64 for x in names)
    ):
        raise CheckpointError(msg("in_file", path=CONFIG, reason=msg("ck_labels", n=n)))
    return tuple(names)


def _check_prompt_vocab(src_tok: Tokenizer, tgt_tok: Tokenizer) -> None:
    """A decoder-only model's two tokenizers are one joint prompt vocabulary (saved twice,
    as ``prompt_task.PromptTokenizer``'s ``.src`` and ``.tgt``)."""
    if not isinstance(src_tok, WordTokenizer) or not isinstance(tgt_tok, WordTokenizer):
        raise CheckpointError(msg("in_file", path=VOCAB, reason=msg("ck_word_vocab")))
    if src_tok.vocab != tgt_tok.vocab:
        raise CheckpointError(msg("in_file", path=VOCAB, reason=msg("ck_vocab_differ")))
    try:
        PromptTokenizer.from_vocab(src_tok.vocab)
    except ValueError as e:
        raise CheckpointError(msg("in_file", path=VOCAB, reason=message_of(e))) from None


def _model_config(config: dict[str, Any], where: Path) -> ModelConfig:
    if config.get("format") != FORMAT:
        raise CheckpointError(msg("not_a_model", path=str(where), format=FORMAT))
    if not isinstance(config.get("model"), dict):
        raise CheckpointError(msg("in_file", path=str(where), reason=msg("ck_no_model")))
    try:
        return ModelConfig.from_dict(config["model"])
    except (ConfigError, TypeError) as e:
        raise CheckpointError(msg("in_file", path=str(where), reason=message_of(e))) from None


def _tokenizers(vocab: dict[str, Any], where: Path) -> tuple[Tokenizer, Tokenizer]:
    return _tokenizer(vocab.get("source"), where), _tokenizer(vocab.get("target"), where)


def _safetensors(read: Callable[[], dict[str, Tensor]], where: Path) -> dict[str, Tensor]:
    try:
        return read()
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(
            msg("in_file", path=str(where), reason=msg("hf_not_safetensors", reason=_first_line(e)))
        ) from None


def _model(
    cfg: ModelConfig,
    src_tok: Tokenizer,
    tgt_tok: Tokenizer,
    state: dict[str, Tensor],
    config_where: Path,
    weights: Path,
) -> Model:
    """Build the model the config describes and load weights of exactly its names and shapes."""
    # Refuse an absurd size before allocating anything (building on the meta device
    # would avoid the allocation too, but costs a second of imports on every load).
    n_params = cfg.parameter_count(src_tok.size, tgt_tok.size)
    if n_params > MAX_PARAMETERS:
        too_big = msg("ck_too_many_params", n=n_params, limit=MAX_PARAMETERS)
        raise CheckpointError(msg("in_file", path=str(config_where), reason=too_big))
    try:
        model = build_model(cfg, src_tok.size, tgt_tok.size)
    except (RuntimeError, MemoryError, ValueError) as e:
        kept = message_of(e)
        why = kept if isinstance(kept, Msg) else _first_line(e)
        cannot = msg("ck_cannot_build", reason=why)
        raise CheckpointError(msg("in_file", path=str(config_where), reason=cannot)) from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        key, name = (
            ("hf_missing_weight", missing[0])
            if missing
            else ("hf_unexpected_weight", unexpected[0])
        )
        raise CheckpointError(msg("in_file", path=str(weights), reason=msg(key, name=name)))
    for name, tensor in state.items():
        ref = expected[name]
        if tensor.shape != ref.shape or tensor.dtype != ref.dtype:
            shape = msg(
                "hf_shape",
                name=name,
                shape=f"{tuple(tensor.shape)} {tensor.dtype}",
                want=f"{tuple(ref.shape)} {ref.dtype}",
            )
            raise CheckpointError(msg("in_file", path=str(weights), reason=shape))
        if not torch.isfinite(tensor).all():
            raise CheckpointError(msg("weights_not_finite", path=str(weights), name=name))
    model.load_state_dict(state)
    model.eval()
    return model


def read_config(path: str | Path) -> dict[str, Any]:
    """The checkpoint's config.json (training settings and metrics included)."""
    return _read_json(Path(path) / CONFIG)


def _read_json(path: Path) -> dict[str, Any]:
    """A config.json or vocab.json: size-checked before it is read (a regular file of
    at most ``JSON_LIMITS[name]``), then parsed like ``_parse_json``."""
    if not path.exists():
        raise CheckpointError(msg("missing_file", path=str(path)))
    try:
        data = limits.read_file(path, JSON_LIMITS.get(path.name, limits.CONFIG_BYTES))
    except (OSError, limits.LimitError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise CheckpointError(msg("cannot_read", path=str(path), reason=reason)) from None
    return _parse_json(data, path)


def _parse_json(data: bytes, where: Path) -> dict[str, Any]:
    """JSON (size and nesting checked by ``core.limits``) that must be an object."""
    limit = JSON_LIMITS.get(where.name, limits.CONFIG_BYTES)
    if len(data) > limit:
        raise CheckpointError(msg("file_too_big_at", path=str(where), size=len(data), limit=limit))
    try:
        parsed = limits.parse_json(data)
    except limits.LimitError as e:
        raise CheckpointError(msg("in_file", path=str(where), reason=message_of(e))) from None
    if not isinstance(parsed, dict):
        raise CheckpointError(msg("expected_object", path=str(where)))
    return parsed


def _check_limits(cfg: ModelConfig, src_tok: Tokenizer, tgt_tok: Tokenizer, where: Path) -> None:
    """The config's length, memory and widest activation against ``core.limits``,
    computed before any weight is read or any tensor allocated."""
    try:
        limits.check_model(cfg, src_tok.size, tgt_tok.size)
    except limits.LimitError as e:
        raise CheckpointError(msg("in_file", path=str(where), reason=message_of(e))) from None


def _check_weights_file(weights: Path) -> None:
    """model.safetensors must be a regular file within ``limits.WEIGHTS_BYTES``."""
    if not weights.exists():
        raise CheckpointError(msg("missing_file", path=str(weights)))
    if not weights.is_file():
        what = limits.describe_path(weights)
        raise CheckpointError(
            msg("in_file", path=str(weights), reason=msg("ck_not_file", what=what))
        )
    size = weights.stat().st_size
    if size > limits.WEIGHTS_BYTES:
        raise CheckpointError(
            msg("file_too_big_at", path=str(weights), size=size, limit=limits.WEIGHTS_BYTES)
        )


def _tokenizer(data: Any, where: Path) -> Tokenizer:
    try:
        if isinstance(data, dict) and data.get("kind") == "word":
            vocab, lowercase, truecase = data["vocab"], data["lowercase"], data["truecase"]
            if not isinstance(vocab, list):
                raise ValueError(msg("ck_vocab_list"))
            if not isinstance(lowercase, bool) or not isinstance(truecase, bool):
                raise ValueError(msg("ck_vocab_flags"))
            return WordTokenizer(vocab, lowercase, truecase)
        if isinstance(data, dict) and data.get("kind") == "bpe":
            return SubwordTokenizer.from_json(data)
    except (KeyError, TypeError, ValueError, Exception) as e:
        kept = message_of(e)
        why = kept if isinstance(kept, Msg) else _first_line(e)
        raise CheckpointError(
            msg("in_file", path=str(where), reason=msg("ck_bad_vocab", reason=why))
        ) from None
    raise CheckpointError(msg("in_file", path=str(where), reason=msg("ck_tokenizer_kind")))


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:120] if text else type(e).__name__
