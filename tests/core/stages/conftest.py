"""Tiny stages settings: a pipeline that runs in about a second."""

from __future__ import annotations

import pytest

from core.config import ModelConfig
from core.stages.grpo import GrpoSettings
from core.stages.pipeline import Pipeline, Settings

TINY_MODEL = ModelConfig(
    arch="decoder-only", d_model=16, n_heads=2, n_dec_layers=1, d_ff=32, max_len=32, norm="pre"
)


def tiny_settings(seed: int = 3) -> Settings:
    return Settings(
        seed=seed,
        corpus_lines=200,
        pretrain_steps=12,
        pretrain_batch=8,
        sft_examples=12,
        sft_steps=6,
        sft_batch=4,
        grpo_steps=4,
        grpo=GrpoSettings(group=4, prompts=2),
        eval_every=4,
        model=TINY_MODEL,
    )


@pytest.fixture(name="tiny_settings")
def tiny_settings_fixture() -> Settings:
    return tiny_settings()


@pytest.fixture(scope="module")
def tiny_pipeline() -> Pipeline:
    """A finished tiny pipeline (shared by a module's tests; do not train it further)."""
    p = Pipeline(tiny_settings())
    assert p.run()
    return p
