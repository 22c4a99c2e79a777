"""The hand-written model against PyTorch's own modules, with copied weights."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.config import ModelConfig
from core.model import MultiHeadAttention, Transformer, padding_mask
from core.tokenizer import PAD_ID
from core.trace import Tracer


def _copy_attention(ours: MultiHeadAttention, ref: nn.MultiheadAttention) -> None:
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.w_q.weight, ours.w_k.weight, ours.w_v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.w_q.bias, ours.w_k.bias, ours.w_v.bias]))
        ref.out_proj.weight.copy_(ours.w_o.weight)
        ref.out_proj.bias.copy_(ours.w_o.bias)


def _copy_layer_common(ours: nn.Module, ref: nn.Module, n_norms: int) -> None:
    with torch.no_grad():
        ref.linear1.load_state_dict(ours.ffn.lin1.state_dict())
        ref.linear2.load_state_dict(ours.ffn.lin2.state_dict())
        for i in range(1, n_norms + 1):
            getattr(ref, f"norm{i}").load_state_dict(getattr(ours, f"norm{i}").state_dict())
    _copy_attention(ours.self_attn, ref.self_attn)


def test_attention_equals_multihead_attention() -> None:
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=4)
    ours = MultiHeadAttention(cfg, "x")
    ref = nn.MultiheadAttention(32, 4, batch_first=True)
    _copy_attention(ours, ref)
    q, kv = torch.randn(3, 5, 32), torch.randn(3, 7, 32)
    pad = torch.zeros(3, 7, dtype=torch.bool)
    pad[1, 5:] = True
    pad[2, 3:] = True
    tracer = Tracer(grads=False)
    with tracer.active():
        out = ours(q, "q", kv, "kv", pad[:, None, None, :], "tgt", "src")
    want, want_weights = ref(q, kv, kv, key_padding_mask=pad, average_attn_weights=False)
    torch.testing.assert_close(out, want, atol=1e-5, rtol=0)
    weights = tracer.trace.tensors["x.weights"]  # (B, H, Tq, Tk)
    torch.testing.assert_close(weights, want_weights, atol=1e-6, rtol=0)


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_whole_model_equals_nn_transformer(norm: str) -> None:
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=32,
        n_heads=4,
        n_enc_layers=2,
        n_dec_layers=2,
        d_ff=64,
        norm=norm,
        final_norm=norm == "pre",
    )  # type: ignore[arg-type]
    ours = Transformer(cfg, src_vocab=20, tgt_vocab=25).eval()
    ref = nn.Transformer(32, 4, 2, 2, 64, dropout=0.0, batch_first=True, norm_first=norm == "pre")
    ref.train()  # dropout is 0; training mode keeps PyTorch off its fused inference path
    for o, r in zip(ours.enc, ref.encoder.layers, strict=True):
        _copy_layer_common(o, r, 2)
    for o, r in zip(ours.dec, ref.decoder.layers, strict=True):
        _copy_layer_common(o, r, 3)
        _copy_attention(o.cross_attn, r.multihead_attn)
    if cfg.final_norm:
        ref.encoder.norm.load_state_dict(ours.enc_norm.state_dict())
        ref.decoder.norm.load_state_dict(ours.dec_norm.state_dict())
    else:  # the paper's post-norm has no extra norm after each stack
        ref.encoder.norm = None
        ref.decoder.norm = None

    src = torch.randint(4, 20, (3, 6))
    src[1, 4:] = PAD_ID
    tgt = torch.randint(4, 25, (3, 5))
    tgt[2, 3:] = PAD_ID
    logits = ours(src, tgt)

    with torch.no_grad():
        x, _ = ours.embed("src", src, ours.src_embed)
        y, _ = ours.embed("tgt", tgt, ours.tgt_embed)
        causal = torch.ones(5, 5, dtype=torch.bool).triu(1)
        out = ref(
            x,
            y,
            tgt_mask=causal,
            src_key_padding_mask=src == PAD_ID,
            tgt_key_padding_mask=tgt == PAD_ID,
            memory_key_padding_mask=src == PAD_ID,
        )
        want = ours.head(out)
    torch.testing.assert_close(logits, want, atol=1e-5, rtol=0)


def test_padding_mask_is_none_without_padding() -> None:
    assert padding_mask(torch.tensor([[5, 6, 2]]), PAD_ID) is None
    mask = padding_mask(torch.tensor([[5, 0, 0]]), PAD_ID)
    assert mask is not None and mask.shape == (1, 1, 1, 3)
    assert mask[0, 0, 0].tolist() == [False, True, True]


@pytest.mark.parametrize(
    "cfg",
    [
        ModelConfig(),
        ModelConfig(
            d_model=48,
            n_heads=6,
            n_enc_layers=3,
            n_dec_layers=1,
            d_ff=80,
            positions="learned",
            norm="pre",
            final_norm=True,
        ),
    ],
)
def test_parameter_count_matches_the_model(cfg: ModelConfig) -> None:
    model = Transformer(cfg, src_vocab=37, tgt_vocab=41)
    assert cfg.parameter_count(37, 41) == sum(p.numel() for p in model.parameters())
