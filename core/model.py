"""The encoder-decoder Transformer of "Attention Is All You Need", and the blocks the
whole family shares (``model_decoder.py``: GPT-style; ``model_encoder.py``: BERT / ViT).

Every op a learner should see is explicit (attention is scores, scale, mask, softmax
and a weighted sum, never a fused kernel) and passes through ``point`` with a name
like ``enc.0.self_attn.weights``. Module attribute names match those names, so the
parameter ``enc.0.self_attn.w_q.weight`` sits beside the activation
``enc.0.self_attn.q``. Shapes: B batch, S source length, T target length, D d_model,
H heads, K d_head = D / H, F d_ff, V vocabulary.

A layer's feed-forward sublayer comes from ``feed_forward``: a dense ``FeedForward``
(attribute and trace name ``ffn``) or a ``MoEFeedForward`` (``moe``), as the config says.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.config import ModelConfig
from core.model_base import (
    SRC_AXES,
    TGT_AXES,
    SequenceModel,
    causal_mask,
    padding_mask,
    real_tokens,
    sinusoids,
)
from core.moe import MoEFeedForward
from core.trace import point

__all__ = [
    "DecoderLayer",
    "EncoderLayer",
    "FeedForward",
    "MultiHeadAttention",
    "ResidualLayer",
    "Transformer",
    "feed_forward",
    "padding_mask",
    "sinusoids",
]


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention over H heads, each step a named trace point."""

    def __init__(self, cfg: ModelConfig, name: str) -> None:
        super().__init__()
        self.name, self.h, self.k = name, cfg.n_heads, cfg.d_head
        d = cfg.d_model
        self.w_q, self.w_k, self.w_v, self.w_o = (nn.Linear(d, d) for _ in range(4))

    def project(self, xq: Tensor, xkv: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Q = xq·W_qᵀ + b_q, K = xkv·W_kᵀ + b_k, V = xkv·W_vᵀ + b_v.

        The projections that read the same input share one matrix product, as in
        nn.MultiheadAttention: the same numbers, one kernel instead of three.
        """
        wq, wk, wv = self.w_q, self.w_k, self.w_v
        if xkv is xq:  # self-attention
            w = torch.cat([wq.weight, wk.weight, wv.weight])  # (3D, D)
            bias = torch.cat([wq.bias, wk.bias, wv.bias])  # (3D,)
            q, k, v = F.linear(xq, w, bias).chunk(3, dim=-1)  # each (B, T, D)
            return q, k, v
        w = torch.cat([wk.weight, wv.weight])  # (2D, D): cross-attention reads the memory
        k, v = F.linear(xkv, w, torch.cat([wk.bias, wv.bias])).chunk(2, dim=-1)
        return wq(xq), k, v

    def forward(
        self,
        xq: Tensor,
        xq_key: str,
        xkv: Tensor,
        xkv_key: str,
        mask: Tensor | None,
        q_axis: str,
        k_axis: str,
    ) -> Tensor:
        """``mask`` is True where attention is forbidden, broadcastable to (B, H, Tq, Tk)."""
        n, (b, tq, _), tk = self.name, xq.shape, xkv.shape[1]
        qa, ka = ("batch", "head", q_axis, "dim"), ("batch", "head", k_axis, "dim")
        q_, k_, v_ = self.project(xq, xkv)  # (B, Tq, D), (B, Tk, D), (B, Tk, D)
        q = q_.view(b, tq, self.h, self.k).transpose(1, 2)  # (B, H, Tq, K)
        q = point(f"{n}.q", q, "linear", {"x": xq_key, "weight": f"{n}.w_q.weight"}, qa)
        k = k_.view(b, tk, self.h, self.k).transpose(1, 2)  # (B, H, Tk, K)
        k = point(f"{n}.k", k, "linear", {"x": xkv_key, "weight": f"{n}.w_k.weight"}, ka)
        v = v_.view(b, tk, self.h, self.k).transpose(1, 2)  # (B, H, Tk, K)
        v = point(f"{n}.v", v, "linear", {"x": xkv_key, "weight": f"{n}.w_v.weight"}, ka)
        pair = ("batch", "head", q_axis, k_axis)
        scores = q @ k.transpose(-2, -1)  # (B, H, Tq, Tk)
        scores = point(f"{n}.scores", scores, "matmul", {"q": f"{n}.q", "k": f"{n}.k"}, pair)
        scaled = scores / math.sqrt(self.k)  # (B, H, Tq, Tk)
        scaled = point(f"{n}.scaled", scaled, "scale", {"x": f"{n}.scores"}, pair)
        last = f"{n}.scaled"
        if mask is not None:
            scaled = scaled.masked_fill(mask, float("-inf"))  # (B, H, Tq, Tk)
            scaled = point(f"{n}.masked", scaled, "mask", {"x": last}, pair)
            last = f"{n}.masked"
        weights = torch.softmax(scaled, dim=-1)  # (B, H, Tq, Tk), rows sum to 1
        weights = point(f"{n}.weights", weights, "softmax", {"x": last}, pair)
        ctx = weights @ v  # (B, H, Tq, K)
        ctx = point(f"{n}.context", ctx, "matmul", {"weights": f"{n}.weights", "v": f"{n}.v"}, qa)
        concat = ctx.transpose(1, 2).reshape(b, tq, self.h * self.k)  # (B, Tq, D)
        concat = point(
            f"{n}.concat", concat, "concat", {"x": f"{n}.context"}, ("batch", q_axis, "dim")
        )
        out = self.w_o(concat)  # (B, Tq, D)
        return point(
            f"{n}.out",
            out,
            "linear",
            {"x": f"{n}.concat", "weight": f"{n}.w_o.weight"},
            ("batch", q_axis, "dim"),
        )


class FeedForward(nn.Module):
    """Position-wise two-layer network: linear, activation, linear."""

    def __init__(self, cfg: ModelConfig, name: str) -> None:
        super().__init__()
        self.name, self.act = name, cfg.activation
        self.lin1 = nn.Linear(cfg.d_model, cfg.d_ff)
        self.lin2 = nn.Linear(cfg.d_ff, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    @property
    def out_name(self) -> str:
        """The trace name of the sublayer's output, what the residual adds."""
        return f"{self.name}.out"

    def forward(
        self, x: Tensor, x_key: str, axes: tuple[str, ...], keep: Tensor | None = None
    ) -> Tensor:
        """(B, L, D) -> (B, L, D); ``keep`` is MoE's padding mask, unused here."""
        n = self.name
        fa = (*axes[:-1], "hidden")
        h = self.lin1(x)  # (B, T, F)
        h = point(f"{n}.hidden", h, "linear", {"x": x_key, "weight": f"{n}.lin1.weight"}, fa)
        a = activate(h, self.act)  # (B, T, F)
        a = point(f"{n}.act", a, "activation", {"x": f"{n}.hidden"}, fa)
        a = self.drop(a)
        out = self.lin2(a)  # (B, T, D)
        return point(
            f"{n}.out", out, "linear", {"x": f"{n}.act", "weight": f"{n}.lin2.weight"}, axes
        )


def activate(h: Tensor, name: str) -> Tensor:
    """The FFN's activation: ReLU, exact GELU, GELU's tanh approximation (GPT-2's
    ``gelu_new``, which differs from the exact one by up to about 1e-3), or SiLU
    (x · sigmoid(x), Marian's "swish")."""
    if name == "relu":
        return F.relu(h)
    if name == "silu":
        return F.silu(h)
    return F.gelu(h, approximate="tanh" if name == "gelu_tanh" else "none")


def feed_forward(cfg: ModelConfig, layer: str) -> tuple[str, FeedForward | MoEFeedForward]:
    """The FFN sublayer the config asks for and its attribute name (``ffn`` or ``moe``),
    which is also its trace name under the layer: ``enc.0.ffn.out``, ``dec.1.moe.combine``."""
    if cfg.ffn == "moe":
        return "moe", MoEFeedForward(cfg, f"{layer}.moe")
    return "ffn", FeedForward(cfg, f"{layer}.ffn")


class ResidualLayer(nn.Module):
    """Residual connections and layer norms shared by encoder and decoder layers.

    Post-norm (the paper): ``norm(x + f(x))``. Pre-norm: ``x + f(norm(x))``. Either
    way the i-th sublayer's sum is ``{layer}.add{i}`` and its norm ``{layer}.norm{i}``
    (a module attribute too, so its parameters are ``{layer}.norm{i}.weight``).
    """

    def __init__(self, cfg: ModelConfig, name: str, n_sublayers: int) -> None:
        super().__init__()
        self.name, self.pre = name, cfg.norm == "pre"
        for i in range(1, n_sublayers + 1):
            setattr(self, f"norm{i}", nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps))
        self.drop = nn.Dropout(cfg.dropout)

    def add_feed_forward(self, cfg: ModelConfig) -> None:
        """Register the FFN sublayer as ``self.ffn`` (dense) or ``self.moe`` (experts)."""
        self.ffn_attr, module = feed_forward(cfg, self.name)
        self.add_module(self.ffn_attr, module)

    def feed_forward(
        self, i: int, x: Tensor, key: str, axes: tuple[str, ...], keep: Tensor | None
    ) -> tuple[Tensor, str]:
        """Sublayer i, the FFN, with its residual: what every layer ends with."""
        ffn: FeedForward | MoEFeedForward = getattr(self, self.ffn_attr)
        xin, kin = self.sub_input(i, x, key, axes)
        f = ffn(xin, kin, axes, keep)  # (B, L, D)
        return self.residual(i, x, key, f, ffn.out_name, axes)

    def _norm(self, i: int, x: Tensor, key: str, axes: tuple[str, ...]) -> tuple[Tensor, str]:
        name = f"{self.name}.norm{i}"
        y = getattr(self, f"norm{i}")(x)  # (B, L, D)
        return point(name, y, "layernorm", {"x": key, "weight": f"{name}.weight"}, axes), name

    def sub_input(self, i: int, x: Tensor, key: str, axes: tuple[str, ...]) -> tuple[Tensor, str]:
        """What sublayer i reads: the normed stream (pre-norm) or the stream itself."""
        return self._norm(i, x, key, axes) if self.pre else (x, key)

    def residual(
        self, i: int, x: Tensor, key: str, f: Tensor, f_key: str, axes: tuple[str, ...]
    ) -> tuple[Tensor, str]:
        """Add sublayer i's output back onto the stream (and norm it, post-norm)."""
        s = x + self.drop(f)  # (B, L, D)
        name = f"{self.name}.add{i}"
        s = point(name, s, "add", {"x": key, "sublayer": f_key}, axes)
        return (s, name) if self.pre else self._norm(i, s, name, axes)


class EncoderLayer(ResidualLayer):
    """Self-attention + FFN. The encoder's layer (``enc.{i}``, padding mask) and, named
    ``dec.{i}`` with a causal mask, the decoder-only model's: the same block, cut
    differently, which is the family's whole point."""

    def __init__(self, cfg: ModelConfig, i: int, stack: str = "enc") -> None:
        super().__init__(cfg, f"{stack}.{i}", 2)
        self.axes, self.axis = (SRC_AXES, "src") if stack == "enc" else (TGT_AXES, "tgt")
        self.self_attn = MultiHeadAttention(cfg, f"{self.name}.self_attn")
        self.add_feed_forward(cfg)

    def forward(
        self, x: Tensor, key: str, mask: Tensor | None, keep: Tensor | None = None
    ) -> tuple[Tensor, str]:
        """``mask``: True where attention is forbidden; ``keep`` (B, L): real tokens."""
        xin, kin = self.sub_input(1, x, key, self.axes)
        a = self.self_attn(xin, kin, xin, kin, mask, self.axis, self.axis)  # (B, L, D)
        x, key = self.residual(1, x, key, a, f"{self.name}.self_attn.out", self.axes)
        return self.feed_forward(2, x, key, self.axes, keep)


class DecoderLayer(ResidualLayer):
    def __init__(self, cfg: ModelConfig, i: int) -> None:
        super().__init__(cfg, f"dec.{i}", 3)
        self.self_attn = MultiHeadAttention(cfg, f"{self.name}.self_attn")
        self.cross_attn = MultiHeadAttention(cfg, f"{self.name}.cross_attn")
        self.add_feed_forward(cfg)

    def forward(
        self,
        y: Tensor,
        key: str,
        memory: Tensor,
        mem_key: str,
        self_mask: Tensor,
        mem_pad: Tensor | None,
        keep: Tensor | None = None,
    ) -> tuple[Tensor, str]:
        n = self.name
        yin, kin = self.sub_input(1, y, key, TGT_AXES)
        a = self.self_attn(yin, kin, yin, kin, self_mask, "tgt", "tgt")  # (B, T, D)
        y, key = self.residual(1, y, key, a, f"{n}.self_attn.out", TGT_AXES)
        yin, kin = self.sub_input(2, y, key, TGT_AXES)
        c = self.cross_attn(yin, kin, memory, mem_key, mem_pad, "tgt", "src")  # (B, T, D)
        y, key = self.residual(2, y, key, c, f"{n}.cross_attn.out", TGT_AXES)
        return self.feed_forward(3, y, key, TGT_AXES, keep)


class Transformer(SequenceModel):
    """Embeddings + positions, N encoder layers, N decoder layers, a linear head.

    ``tgt_pad_id``: the id masked as padding in the decoder (default ``pad_id``). Marian
    starts decoding with its padding id, so its bundle passes -1: no target id is masked
    as padding, as in ``transformers`` (causal masking alone keeps every real position
    from reading the padding after it)."""

    def __init__(
        self,
        cfg: ModelConfig,
        src_vocab: int,
        tgt_vocab: int,
        pad_id: int = 0,
        tgt_pad_id: int | None = None,
    ) -> None:
        super().__init__()
        self.cfg, self.pad_id = cfg, pad_id
        self.tgt_pad_id = pad_id if tgt_pad_id is None else tgt_pad_id
        if cfg.tie_embeddings and src_vocab != tgt_vocab:
            raise ValueError(f"shared embeddings need one vocabulary; got {src_vocab}, {tgt_vocab}")
        self.src_embed = nn.Embedding(src_vocab, cfg.d_model)
        self.tgt_embed = (
            self.src_embed if cfg.tie_embeddings else nn.Embedding(tgt_vocab, cfg.d_model)
        )
        self.init_positions(cfg)
        self.enc = nn.ModuleList(EncoderLayer(cfg, i) for i in range(cfg.n_enc_layers))
        self.dec = nn.ModuleList(DecoderLayer(cfg, i) for i in range(cfg.n_dec_layers))
        if cfg.final_norm:
            self.enc_norm = nn.LayerNorm(cfg.d_model)
            self.dec_norm = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, tgt_vocab, bias=cfg.head_bias)
        for table in (self.src_embed, self.tgt_embed):
            # N(0, 1/D): after the sqrt(D) scale, embeddings and positions have equal weight.
            nn.init.normal_(table.weight, std=cfg.d_model**-0.5)
        if cfg.tie_head:  # Marian: logits = y · Eᵀ with the (shared) token table
            self.head.weight = self.tgt_embed.weight
        if cfg.logits_bias:  # Marian's final_logits_bias: added to the logits, never trained
            self.register_buffer("logits_bias", torch.zeros(tgt_vocab))

    def encode(self, src: Tensor) -> tuple[Tensor, str, Tensor | None]:
        """(B, S) ids -> memory (B, S, D), its trace key, and the source padding mask."""
        pad = padding_mask(src, self.pad_id)
        keep = real_tokens(pad)  # (B, S) or None
        x, key = self.embed("src", src, self.src_embed)
        for layer in self.enc:
            x, key = layer(x, key, pad, keep)
        x, key = self.stack_norm("enc", x, key, SRC_AXES)
        return x, key, pad

    def decode(self, tgt: Tensor, memory: Tensor, mem_key: str, mem_pad: Tensor | None) -> Tensor:
        """(B, T) shifted-right target ids -> logits (B, T, V)."""
        y, key = self.embed("tgt", tgt, self.tgt_embed)
        self_mask, tgt_pad = causal_mask(tgt, self.tgt_pad_id)  # (B|1, 1, T, T)
        keep = real_tokens(tgt_pad)  # (B, T) or None
        for layer in self.dec:
            y, key = layer(y, key, memory, mem_key, self_mask, mem_pad, keep)
        y, key = self.stack_norm("dec", y, key, TGT_AXES)
        logits = self.head(y)  # (B, T, V)
        if self.cfg.logits_bias:
            logits = logits + self.logits_bias  # (B, T, V)
        weight = self.table_name("tgt") if self.cfg.tie_head else "head.weight"
        return point(
            "logits",
            logits,
            "linear",
            {"x": key, "weight": weight},
            ("batch", "tgt", "vocab"),
        )

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        memory, key, pad = self.encode(src)
        return self.decode(tgt_in, memory, key, pad)
