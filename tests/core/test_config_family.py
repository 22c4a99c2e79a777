"""The family's settings: strict validation, exact parameter counts, old configs load."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from core.config import ConfigError, ModelConfig
from core.models import build_model

ASSETS = Path(__file__).resolve().parents[2] / "assets"

PATCHES: dict[str, Any] = {
    "arch": "encoder-only",
    "n_labels": 3,
    "inputs": "patches",
    "image_size": 8,
    "patch_size": 4,
}

BAD: dict[str, tuple[dict[str, Any], str]] = {
    "top_k above n_experts": ({"ffn": "moe", "n_experts": 2, "top_k": 3}, "top_k"),
    "zero experts": ({"ffn": "moe", "n_experts": 0, "top_k": 1}, "at least 1 expert"),
    "top_k zero": ({"ffn": "moe", "top_k": 0}, "top_k"),
    "negative aux weight": ({"ffn": "moe", "aux_loss_weight": -0.1}, "aux_loss_weight"),
    "nan aux weight": ({"ffn": "moe", "aux_loss_weight": float("nan")}, "aux_loss_weight"),
    "unknown arch": ({"arch": "gpt"}, "arch"),
    "unknown ffn": ({"ffn": "sparse"}, "ffn"),
    "unknown inputs": ({"arch": "encoder-only", "n_labels": 2, "inputs": "audio"}, "inputs"),
    "encoder-only without labels": ({"arch": "encoder-only"}, "n_labels"),
    "negative labels": ({"arch": "encoder-only", "n_labels": -2}, "n_labels"),
    "labels on a translator": ({"n_labels": 3}, "n_labels"),
    "labels on a decoder-only": ({"arch": "decoder-only", "n_labels": 3}, "n_labels"),
    "patches on decoder-only": ({**PATCHES, "arch": "decoder-only", "n_labels": 0}, "encoder-only"),
    "patches on encoder-decoder": (
        {**PATCHES, "arch": "encoder-decoder", "n_labels": 0},
        "encoder-only",
    ),
    "image not a multiple of patch": ({**PATCHES, "image_size": 10}, "multiple"),
    "zero patch size": ({**PATCHES, "patch_size": 0}, "positive"),
    "zero channels": ({**PATCHES, "channels": 0}, "positive"),
    "too many patches for max_len": ({**PATCHES, "patch_size": 1, "max_len": 64}, "max_len"),
    "image size without patches": ({"image_size": 8}, "patches"),
    "decoder-only without layers": ({"arch": "decoder-only", "n_dec_layers": 0}, "layers"),
    "encoder-only without layers": (
        {"arch": "encoder-only", "n_labels": 2, "n_enc_layers": 0},
        "layers",
    ),
    "negative unused stack": ({"arch": "decoder-only", "n_enc_layers": -1}, "layers"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_combinations_are_one_clear_line(case: str) -> None:
    fields, needle = BAD[case]
    with pytest.raises(ConfigError) as err:
        ModelConfig(**fields)
    message = str(err.value)
    assert needle in message and "\n" not in message, message


def test_the_unused_stack_may_be_zero() -> None:
    ModelConfig(arch="decoder-only", n_enc_layers=0)
    ModelConfig(arch="encoder-only", n_labels=2, n_dec_layers=0)


def _combos() -> list[ModelConfig]:
    shapes: list[dict[str, Any]] = [
        {"arch": "encoder-decoder"},
        {"arch": "decoder-only", "n_enc_layers": 0},
        {"arch": "encoder-only", "n_labels": 5},
        {**PATCHES, "channels": 3, "max_len": 5},
    ]
    ffns: list[dict[str, Any]] = [
        {},
        {"ffn": "moe", "n_experts": 1, "top_k": 1},
        {"ffn": "moe", "n_experts": 3, "top_k": 2},
    ]
    rest = itertools.product(("sinusoidal", "learned"), (False, True), ((1, 2), (3, 1)))
    out = []
    for shape, ffn, (positions, final_norm, (n_enc, n_dec)) in itertools.product(
        shapes, ffns, rest
    ):
        layers = {"n_enc_layers": n_enc, "n_dec_layers": n_dec}
        if shape["arch"] == "decoder-only":
            layers["n_enc_layers"] = 0
        fields = {**layers, **shape, **ffn, "positions": positions, "final_norm": final_norm}
        out.append(ModelConfig(d_model=16, n_heads=2, d_ff=24, **fields))
    return out


@pytest.mark.parametrize("cfg", _combos(), ids=lambda c: f"{c.arch}-{c.ffn}-{c.inputs}")
def test_parameter_count_is_exact_for_every_shape(cfg: ModelConfig) -> None:
    model = build_model(cfg, src_vocab=23, tgt_vocab=29)
    assert cfg.parameter_count(23, 29) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("cfg", _combos()[::5], ids=lambda c: f"{c.arch}-{c.ffn}-{c.inputs}")
def test_dict_round_trip(cfg: ModelConfig) -> None:
    data = json.loads(json.dumps(cfg.to_dict()))
    assert ModelConfig.from_dict(data) == cfg


# The fields the family added to ModelConfig (a config written before has none of them).
FAMILY_FIELDS = (
    "arch", "ffn", "n_experts", "top_k", "aux_loss_weight",
    "n_labels", "inputs", "image_size", "patch_size", "channels",
)  # fmt: skip


def test_old_config_without_the_family_fields_loads_as_encoder_decoder_dense() -> None:
    config = json.loads((ASSETS / "models" / "demo-de" / "config.json").read_text("utf-8"))
    old = {k: v for k, v in config["model"].items() if k not in FAMILY_FIELDS}
    assert "arch" not in old and "ffn" not in old  # as written before the family
    cfg = ModelConfig.from_dict(old)
    assert (cfg.arch, cfg.ffn, cfg.inputs, cfg.n_labels) == (
        "encoder-decoder",
        "dense",
        "tokens",
        0,
    )
    assert cfg == ModelConfig(**old)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("arch", 3),
        ("ffn", None),
        ("n_experts", "4"),
        ("top_k", True),
        ("aux_loss_weight", "0.01"),
        ("n_labels", 2.0),
        ("channels", False),
    ],
)
def test_from_dict_refuses_wrong_types(field: str, value: object) -> None:
    with pytest.raises(ConfigError, match=field):
        ModelConfig.from_dict({field: value})


def test_from_dict_validates_combinations() -> None:
    with pytest.raises(ConfigError, match="top_k"):
        ModelConfig.from_dict({"ffn": "moe", "n_experts": 2, "top_k": 4})
    cfg = ModelConfig.from_dict({"ffn": "moe", "aux_loss_weight": 0})  # an int is a float
    assert cfg.aux_loss_weight == 0.0
