"""Gradient norms per block of a real training step, without Qt: every block of the model,
in forward order, with the norms of the traced gradients."""

from __future__ import annotations

import numpy as np
import pytest

from core.session import Session
from visualizer.panels.gradflow.gradflow_data import block_label, block_of, grad_flow


def norm(x: np.ndarray) -> float:
    return float(np.sqrt(np.sum(x.astype(np.float64) ** 2)))


def expected_blocks(n_enc: int, n_dec: int) -> list[str]:
    enc = [f"enc.{i}.{s}" for i in range(n_enc) for s in ("self_attn", "norm1", "ffn", "norm2")]
    dec = [
        f"dec.{i}.{s}"
        for i in range(n_dec)
        for s in ("self_attn", "norm1", "cross_attn", "norm2", "ffn", "norm3")
    ]
    return ["src", *enc, "tgt", *dec, "head"]


def test_every_block_in_forward_order(train: Session) -> None:
    cfg = train.bundle.cfg
    f = grad_flow(train.trace)
    assert f is not None
    assert [b.id for b in f.blocks] == expected_blocks(cfg.n_enc_layers, cfg.n_dec_layers)
    assert f.index("head") == len(f.blocks) - 1 and f.index("nowhere") is None


def test_norms_are_those_of_the_traced_gradients(train: Session) -> None:
    tr = train.trace
    f = grad_flow(tr)
    assert f is not None
    by_id = {b.id: b for b in f.blocks}
    for block, key in {
        "src": "d/src.input",
        "enc.0.self_attn": "d/enc.0.self_attn.out",
        "enc.1.norm2": "d/enc.1.norm2",
        "dec.1.cross_attn": "d/dec.1.cross_attn.out",
        "head": "d/logits",
    }.items():
        assert by_id[block].act_key == key
        assert by_id[block].act_norm == pytest.approx(norm(tr.value(key)), rel=1e-6)
    params = [k for k in tr.tensors if k.startswith("d/dec.1.cross_attn.w_")]
    assert by_id["dec.1.cross_attn"].n_params == len(params) == 8
    assert by_id["dec.1.cross_attn"].param_norm == pytest.approx(
        np.sqrt(sum(norm(tr.value(k)) ** 2 for k in params)), rel=1e-6
    )
    # all blocks' parameter norms together are the traced total norm before clipping
    total = np.sqrt(sum(b.param_norm**2 for b in f.blocks))
    assert f.grad_norm == pytest.approx(tr.meta["grad_norm"])
    assert total == pytest.approx(tr.meta["grad_norm"], rel=1e-4)
    assert (f.lr, f.clip) == (pytest.approx(tr.meta["lr"]), pytest.approx(tr.meta["clip"]))


def test_a_click_seeks_to_the_blocks_first_backward_step(train: Session) -> None:
    tr = train.trace
    f = grad_flow(tr)
    assert f is not None
    for b in f.blocks:
        own = [s.index for s in tr.steps if s.phase == "backward" and block_of(s.name) == b.id]
        assert b.first_backward == min(own), b.id
    first = tr.steps[f.blocks[f.index("dec.0.self_attn")].first_backward]
    assert first.key == "d/dec.0.self_attn.out"


def test_a_translation_has_no_gradients(translate: Session) -> None:
    assert grad_flow(translate.trace) is None and grad_flow(None) is None


@pytest.mark.parametrize(
    ("block", "en", "zh"),
    [
        ("src", "source embedding", "源语言嵌入"),
        ("dec.1.cross_attn", "dec.1 cross-attn", "解码器1 交叉注意力"),
        ("enc.0.norm2", "enc.0 add & norm 2", "编码器0 残差+归一化 2"),
        ("head", "output head", "分类头"),
    ],
)
def test_block_labels(block: str, en: str, zh: str) -> None:
    assert (block_label(block, "en"), block_label(block, "zh")) == (en, zh)


@pytest.mark.parametrize(
    ("name", "block"),
    [
        ("src_embed.weight", "src"),
        ("tgt.target", None),
        ("enc.0.add1", "enc.0.norm1"),
        ("dec.1.ffn.lin2.bias", "dec.1.ffn"),
        ("head.weight", "head"),
        ("loss", None),
    ],
)
def test_block_of(name: str, block: str | None) -> None:
    assert block_of(name) == block
