"""Decoder-only and encoder-only models against PyTorch's nn.TransformerEncoder with
copied weights: the same logits and the same gradient for every parameter (1e-5)."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from core.config import ModelConfig
from core.model_decoder import DecoderOnly
from core.model_encoder import EncoderClassifier
from core.models import build_model
from core.tokenizer import PAD_ID
from core.trace import Tracer

TOL = {"atol": 1e-5, "rtol": 0.0}


class Reference(nn.Module):
    """Embedding (tokens, or patches + a [CLS] vector) + positions, nn.TransformerEncoder,
    a linear head: written from PyTorch's modules, sharing nothing with ours."""

    def __init__(self, cfg: ModelConfig, vocab: int, n_out: int, n_layers: int) -> None:
        super().__init__()
        d = cfg.d_model
        self.d, self.patches, self.ps = d, cfg.inputs == "patches", cfg.patch_size
        if self.patches:
            self.patch = nn.Linear(cfg.patch_dim, d)
            self.cls = nn.Parameter(torch.zeros(d))
        else:
            self.embed = nn.Embedding(vocab, d)
        if cfg.positions == "learned":
            self.pos = nn.Embedding(cfg.max_len, d)
        layer = nn.TransformerEncoderLayer(
            d, cfg.n_heads, cfg.d_ff, 0.0, cfg.activation, batch_first=True,
            norm_first=cfg.norm == "pre",
        )  # fmt: skip
        norm = nn.LayerNorm(d) if cfg.final_norm else None
        self.encoder = nn.TransformerEncoder(layer, n_layers, norm, enable_nested_tensor=False)
        self.head = nn.Linear(d, n_out)

    def inputs(self, x: Tensor, pe: Tensor) -> Tensor:
        if self.patches:
            e = self.patch(hand_patches(x, self.ps))
            e = torch.cat([self.cls.expand(e.shape[0], 1, -1), e], dim=1)
        else:
            e = self.embed(x) * math.sqrt(self.d)
        n = e.shape[1]
        return e + (self.pos.weight[:n] if hasattr(self, "pos") else pe[:n])


def hand_patches(images: Tensor, ps: int) -> Tensor:
    """(B, C, H, W) -> (B, P, C·ps·ps): row by row, column by column, each patch flattened."""
    b, _, h, w = images.shape
    rows = [
        images[:, :, r : r + ps, c : c + ps].reshape(b, -1)
        for r in range(0, h, ps)
        for c in range(0, w, ps)
    ]
    return torch.stack(rows, dim=1)


def ref_param(ref: Reference, name: str, d: int) -> tuple[Tensor, slice]:
    """Our parameter name -> the reference parameter (and rows) that plays its part."""
    flat = {
        "tgt_embed.weight": "embed.weight",
        "src_embed.weight": "embed.weight",
        "pos_embed.weight": "pos.weight",
        "patch_embed.weight": "patch.weight",
        "patch_embed.bias": "patch.bias",
        "cls_token": "cls",
        "dec_norm.weight": "encoder.norm.weight",
        "dec_norm.bias": "encoder.norm.bias",
        "enc_norm.weight": "encoder.norm.weight",
        "enc_norm.bias": "encoder.norm.bias",
    }
    params = dict(ref.named_parameters())
    rows = slice(None)
    if name in flat:
        return params[flat[name]], rows
    m = re.fullmatch(r"(?:enc|dec)\.(\d+)\.(.+)\.(weight|bias)", name)
    if m is None:
        return params[name], rows  # head.*
    layer, part, kind = m.groups()
    qkv = re.fullmatch(r"self_attn\.w_([qkv])", part)
    if qkv:
        i = "qkv".index(qkv.group(1))
        part, rows = f"self_attn.in_proj_{kind}", slice(i * d, (i + 1) * d)
        return params[f"encoder.layers.{layer}.{part}"], rows
    part = {
        "self_attn.w_o": "self_attn.out_proj",
        "ffn.lin1": "linear1",
        "ffn.lin2": "linear2",
    }.get(part, part)
    return params[f"encoder.layers.{layer}.{part}.{kind}"], rows


def copy_into(ours: nn.Module, ref: Reference, d: int) -> None:
    with torch.no_grad():
        for name, p in ours.named_parameters():
            target, rows = ref_param(ref, name, d)
            target[rows].copy_(p)


def compare_gradients(ours: nn.Module, ref: Reference, loss: Tensor, ref_loss: Tensor) -> None:
    names = [n for n, _ in ours.named_parameters()]
    mine = torch.autograd.grad(loss, list(ours.parameters()))
    ref_params = list(ref.parameters())
    theirs = dict(zip(ref_params, torch.autograd.grad(ref_loss, ref_params), strict=True))
    d = ours.cfg.d_model  # type: ignore[union-attr]
    for name, g in zip(names, mine, strict=True):
        target, rows = ref_param(ref, name, d)
        torch.testing.assert_close(g, theirs[target][rows], **TOL, msg=name)
    assert sum(float(g.abs().sum()) for g in mine) > 0


SHAPES: list[dict[str, Any]] = [
    {"norm": "post", "final_norm": False},
    {"norm": "pre", "final_norm": True, "positions": "learned", "activation": "gelu"},
]


@pytest.mark.parametrize("shape", SHAPES, ids=["post-norm", "pre-norm"])
def test_decoder_only_equals_causal_transformer_encoder(shape: dict[str, Any]) -> None:
    torch.manual_seed(0)
    cfg = ModelConfig(arch="decoder-only", d_model=32, n_heads=4, n_dec_layers=2, d_ff=64, **shape)
    ours = build_model(cfg, src_vocab=7, tgt_vocab=25)
    assert isinstance(ours, DecoderOnly)
    ref = Reference(cfg, 25, 25, cfg.n_dec_layers).train()  # dropout 0; no fused path
    copy_into(ours, ref, cfg.d_model)

    tokens = torch.randint(4, 25, (3, 9))
    tokens[1, 6:] = PAD_ID
    tokens[2, 3:] = PAD_ID
    logits = ours(tokens)  # (B, T, V)
    causal = torch.ones(9, 9, dtype=torch.bool).triu(1)
    out = ref.encoder(ref.inputs(tokens, ours.pe), mask=causal, src_key_padding_mask=tokens == 0)
    want = ref.head(out)
    torch.testing.assert_close(logits, want, **TOL)

    seed = torch.randn_like(logits)
    compare_gradients(ours, ref, (logits * seed).mean(), (want * seed).mean())


@pytest.mark.parametrize("shape", SHAPES, ids=["post-norm", "pre-norm"])
def test_encoder_classifier_equals_transformer_encoder_and_head(shape: dict[str, Any]) -> None:
    torch.manual_seed(1)
    cfg = ModelConfig(
        arch="encoder-only", n_labels=3, d_model=32, n_heads=4, n_enc_layers=2, d_ff=64, **shape
    )
    ours = build_model(cfg, src_vocab=20, tgt_vocab=9)
    assert isinstance(ours, EncoderClassifier)
    ref = Reference(cfg, 20, 3, cfg.n_enc_layers).train()
    copy_into(ours, ref, cfg.d_model)

    ids = torch.randint(4, 20, (4, 7))
    ids[:, 0] = 4  # the [CLS] id the tokenizer puts first
    ids[1, 5:] = PAD_ID
    ids[3, 2:] = PAD_ID
    logits = ours(ids)  # (B, n_labels)
    out = ref.encoder(ref.inputs(ids, ours.pe), src_key_padding_mask=ids == PAD_ID)
    want = ref.head(out[:, 0])
    assert logits.shape == (4, 3)
    torch.testing.assert_close(logits, want, **TOL)

    target = torch.tensor([0, 2, 1, 2])
    loss = nn.functional.cross_entropy(logits, target)
    compare_gradients(ours, ref, loss, nn.functional.cross_entropy(want, target))


def _patch_config(**extra: Any) -> ModelConfig:
    return ModelConfig(
        arch="encoder-only", n_labels=2, inputs="patches", image_size=12, patch_size=4,
        channels=3, d_model=32, n_heads=4, n_enc_layers=2, d_ff=64, max_len=10, **extra,
    )  # fmt: skip


def test_patches_are_a_hand_cut_and_a_linear_projection() -> None:
    torch.manual_seed(2)
    model = EncoderClassifier(_patch_config(), vocab=0)
    images = torch.rand(2, 3, 12, 12)
    tracer = Tracer(grads=False)
    with tracer.active():
        model(images)
    t = tracer.trace.tensors
    patches = hand_patches(images, 4)  # (2, 9, 48)
    assert torch.equal(t["src.patches"], patches)
    # patch (row 1, column 2) of picture 1, channel 2, pixel (3, 0): image[1, 2, 4+3, 8+0]
    assert t["src.patches"][1, 1 * 3 + 2, 2 * 16 + 3 * 4 + 0] == images[1, 2, 7, 8]
    w, b = model.patch_embed.weight, model.patch_embed.bias
    torch.testing.assert_close(t["src.patch_embed"], patches @ w.T + b, **TOL)
    assert torch.equal(t["src.cls"][:, 0], model.cls_token.detach().expand(2, -1))
    assert t["src.input"].shape == (2, 10, 32)
    with pytest.raises(ValueError, match="shape"):
        model(torch.rand(2, 3, 8, 8))


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_picture_classifier_equals_transformer_encoder_and_head(norm: str) -> None:
    torch.manual_seed(3)
    cfg = _patch_config(norm=norm, final_norm=norm == "pre")
    ours = build_model(cfg, src_vocab=1, tgt_vocab=1)
    ref = Reference(cfg, 0, 2, cfg.n_enc_layers).train()
    copy_into(ours, ref, cfg.d_model)
    images = torch.rand(3, 3, 12, 12)
    logits = ours(images)
    want = ref.head(ref.encoder(ref.inputs(images, ours.pe))[:, 0])
    torch.testing.assert_close(logits, want, **TOL)
    target = torch.tensor([1, 0, 1])
    loss = nn.functional.cross_entropy(logits, target)
    compare_gradients(ours, ref, loss, nn.functional.cross_entropy(want, target))
