"""The ModelConfig switches real checkpoints need: sizes counted exactly, and a config
that asks for an impossible combination refused in one line."""

from __future__ import annotations

import pytest

from core.config import ConfigError, ModelConfig
from core.models import build_model

GPT2 = {
    "arch": "decoder-only",
    "norm": "pre",
    "final_norm": True,
    "positions": "learned",
    "embed_scale": False,
    "head_bias": False,
    "activation": "gelu_tanh",
    "norm_eps": 1e-5,
}
BERT = {
    "arch": "encoder-only",
    "n_labels": 3,
    "positions": "learned",
    "embed_scale": False,
    "type_vocab": 2,
    "embed_norm": True,
    "pooler": True,
    "norm_eps": 1e-12,
}
MARIAN = {
    "positions": "sinusoidal-halves",
    "activation": "silu",
    "tie_embeddings": True,
    "tie_head": True,
    "head_bias": False,
    "logits_bias": True,
}


@pytest.mark.parametrize(
    "options",
    [
        {**GPT2, "tie_head": True},
        {**GPT2, "tie_head": False},
        BERT,
        MARIAN,
        {**MARIAN, "tie_head": False},
    ],
    ids=["gpt2-tied", "gpt2-untied", "bert", "marian", "marian-untied-head"],
)
def test_parameter_count_is_the_built_models(options: dict[str, object]) -> None:
    """Tied weights count once, as ``parameters()`` yields them once (Marian's logits
    bias is a buffer, not a parameter)."""
    cfg = ModelConfig(d_model=16, n_heads=2, d_ff=24, **options)  # type: ignore[arg-type]
    model = build_model(cfg, 37, 37)
    assert cfg.parameter_count(37, 37) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"arch": "encoder-only", "n_labels": 2, "tie_head": True}, "tie_head"),
        ({"arch": "encoder-only", "n_labels": 2, "head_bias": False}, "head_bias"),
        ({"arch": "decoder-only", "tie_embeddings": True}, "tie_embeddings"),
        ({"arch": "decoder-only", "logits_bias": True}, "logits_bias"),
        ({"arch": "decoder-only", "ffn": "moe", "activation": "silu"}, "silu"),
        ({"positions": "sinusoidal-split"}, "positions"),
        ({"pooler": True}, "pooler"),
        ({"type_vocab": -1}, "type_vocab"),
        ({"norm_eps": 0.0}, "norm_eps"),
        ({"arch": "decoder-only", "ffn": "moe", "activation": "gelu_tanh"}, "gelu_tanh"),
    ],
)
def test_impossible_combinations_are_refused(options: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        ModelConfig(**options)  # type: ignore[arg-type]
