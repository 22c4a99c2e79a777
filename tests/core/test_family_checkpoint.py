"""Checkpoints of every shape: exact round trips, strict loading, old folders still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file

from core import checkpoint
from core.bundle import Bundle
from core.checkpoint import CheckpointError
from core.config import ModelConfig
from core.corpus import Pair
from core.model import Transformer
from core.model_decoder import DecoderOnly
from core.model_encoder import EncoderClassifier
from core.models import build_model
from core.prompt_task import PromptTokenizer
from core.tokenizer import WordTokenizer

ASSETS = Path(__file__).resolve().parents[2] / "assets"
# ModelConfig's fields before the family (arch, ffn, ... came later).
PRE_FAMILY_FIELDS = (
    "d_model", "n_heads", "n_enc_layers", "n_dec_layers", "d_ff", "dropout",
    "activation", "norm", "positions", "max_len", "final_norm",
)  # fmt: skip
SMALL: dict[str, Any] = {"d_model": 16, "n_heads": 2, "d_ff": 24}
SHAPES: dict[str, tuple[dict[str, Any], type]] = {
    "encoder-decoder-moe": ({"ffn": "moe", "n_experts": 3, "top_k": 2}, Transformer),
    "decoder-only": ({"arch": "decoder-only", "n_enc_layers": 0}, DecoderOnly),
    "decoder-only-moe": ({"arch": "decoder-only", "ffn": "moe", "norm": "pre"}, DecoderOnly),
    "encoder-only": ({"arch": "encoder-only", "n_labels": 3}, EncoderClassifier),
    "encoder-only-patches-moe": (
        {"arch": "encoder-only", "n_labels": 2, "inputs": "patches", "image_size": 8}
        | {"patch_size": 4, "channels": 3, "ffn": "moe", "positions": "learned"},
        EncoderClassifier,
    ),
}


def _bundle(shape: str) -> Bundle:
    torch.manual_seed(0)
    src = WordTokenizer.fit(["time flies like an arrow", "fruit flies"], True, False)
    tgt = WordTokenizer.fit(["die Zeit fliegt wie ein Pfeil"], False, True)
    cfg = ModelConfig(**SMALL, **SHAPES[shape][0])
    if cfg.arch == "decoder-only":  # one joint vocabulary, saved as .src and .tgt
        joint = PromptTokenizer.fit([Pair("time flies like an arrow", "die Zeit fliegt")])
        src, tgt = joint.src, joint.tgt
    return Bundle(build_model(cfg, src.size, tgt.size), src, tgt, "en-de")


def _inputs(cfg: ModelConfig) -> tuple[torch.Tensor, ...]:
    if cfg.arch == "encoder-decoder":
        return torch.tensor([[5, 6, 7, 2]]), torch.tensor([[1, 5, 6]])
    if cfg.inputs == "patches":
        return (torch.rand(2, 3, 8, 8),)
    return (torch.tensor([[5, 6, 7, 2, 0]]),)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_round_trip_is_exact(shape: str, tmp_path: Path) -> None:
    bundle = _bundle(shape)
    checkpoint.save(tmp_path / "m", bundle)
    config = json.loads((tmp_path / "m" / "config.json").read_text("utf-8"))
    assert config["model"] == bundle.cfg.to_dict()  # the shape is on record
    for loaded in (
        checkpoint.load(tmp_path / "m"),
        checkpoint.from_bytes(checkpoint.to_bytes(bundle), "session/model"),
    ):
        assert type(loaded.model) is SHAPES[shape][1]
        assert loaded.cfg == bundle.cfg
        mine, theirs = bundle.model.state_dict(), loaded.model.state_dict()
        assert list(mine) == list(theirs)
        for name, tensor in mine.items():
            assert torch.equal(tensor, theirs[name]), name
        inputs = _inputs(bundle.cfg)
        bundle.model.eval()
        assert torch.equal(bundle.model(*inputs), loaded.model(*inputs))


def test_old_checkpoint_loads_as_encoder_decoder_dense(tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(ASSETS / "models" / "demo-de", old)
    config = json.loads((old / "config.json").read_text("utf-8"))
    config["model"] = {k: v for k, v in config["model"].items() if k in PRE_FAMILY_FIELDS}
    (old / "config.json").write_text(json.dumps(config), "utf-8")  # as written before
    bundle = checkpoint.load(old)
    assert type(bundle.model) is Transformer
    assert (bundle.cfg.arch, bundle.cfg.ffn) == ("encoder-decoder", "dense")


def _saved(shape: str, tmp_path: Path) -> Path:
    return checkpoint.save(tmp_path / "m", _bundle(shape))


def _edit_config(folder: Path, **fields: Any) -> None:
    path = folder / "config.json"
    config = json.loads(path.read_text("utf-8"))
    config["model"].update(fields)
    path.write_text(json.dumps(config), "utf-8")


def test_refuses_weights_of_another_ffn(tmp_path: Path) -> None:
    folder = _saved("decoder-only", tmp_path)
    _edit_config(folder, ffn="moe")
    with pytest.raises(CheckpointError, match=r"missing dec\.0\.moe"):
        checkpoint.load(folder)


def test_refuses_a_wrong_number_of_experts(tmp_path: Path) -> None:
    folder = _saved("decoder-only-moe", tmp_path)
    _edit_config(folder, n_experts=5)
    with pytest.raises(CheckpointError, match=r"router\.weight|experts\.4"):
        checkpoint.load(folder)


def test_refuses_a_missing_expert(tmp_path: Path) -> None:
    folder = _saved("encoder-decoder-moe", tmp_path)
    weights = folder / "model.safetensors"
    state = load_file(str(weights))
    del state["dec.1.moe.experts.2.lin2.bias"]
    save_file(state, str(weights))
    with pytest.raises(CheckpointError, match=r"missing dec\.1\.moe\.experts\.2\.lin2\.bias"):
        checkpoint.load(folder)


def test_refuses_a_patch_size_the_weights_do_not_have(tmp_path: Path) -> None:
    folder = _saved("encoder-only-patches-moe", tmp_path)
    _edit_config(folder, patch_size=2)
    with pytest.raises(CheckpointError, match=r"patch_embed\.weight has shape"):
        checkpoint.load(folder)


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"arch": "gpt"}, "arch"),
        ({"ffn": "moe", "n_experts": 2, "top_k": 3}, "top_k"),
        ({"arch": "encoder-only", "n_labels": 0}, "n_labels"),
    ],
)
def test_refuses_a_bad_shape_in_one_line(
    tmp_path: Path, fields: dict[str, Any], needle: str
) -> None:
    folder = _saved("encoder-decoder-moe", tmp_path)
    _edit_config(folder, **fields)
    with pytest.raises(CheckpointError, match=needle) as err:
        checkpoint.load(folder)
    assert "\n" not in str(err.value) and "config.json" in str(err.value)


def test_refuses_an_absurd_mixture_before_allocating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _saved("decoder-only-moe", tmp_path)
    _edit_config(folder, n_experts=100_000, d_ff=4096)

    def never(*args: object) -> None:
        raise AssertionError("the model was built")

    monkeypatch.setattr(checkpoint, "build_model", never)
    with pytest.raises(CheckpointError, match=r"model of [\d,]+ parameters") as err:
        checkpoint.load(folder)
    assert "\n" not in str(err.value)
