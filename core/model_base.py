"""What every shape of the family shares beside its blocks: token embeddings with
positions, the masks, the norm after a stack, and the MoE load-balancing loss.

Kept apart from ``model.py`` so the three models (``Transformer``, ``DecoderOnly``,
``EncoderClassifier``) embed, mask and name their steps in one way: a decoder-only
model's ``tgt.input`` is computed exactly as the translator's.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from core.config import ModelConfig
from core.moe import aux_loss
from core.trace import point

SRC_AXES = ("batch", "src", "dim")
TGT_AXES = ("batch", "tgt", "dim")


class SequenceModel(nn.Module):
    """Base of the family's models: positions, embedding, stack norms, aux loss."""

    cfg: ModelConfig
    pe: Tensor
    pos_embed: nn.Embedding

    def init_positions(self, cfg: ModelConfig) -> None:
        """Learned positions (a parameter ``pos_embed``) or the sinusoid table, and the
        dropout after adding them. Called where the translator always made them, so its
        random initialisation (and the shipped models) stay bit for bit the same."""
        if cfg.positions == "learned":
            self.pos_embed = nn.Embedding(cfg.max_len, cfg.d_model)
        if cfg.type_vocab:  # BERT's segment table (only segment 0 is read)
            self.type_embed = nn.Embedding(cfg.type_vocab, cfg.d_model)
        if cfg.embed_norm:
            self.embed_norm = nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps)
        table = sinusoid_halves if cfg.positions == "sinusoidal-halves" else sinusoids
        self.register_buffer("pe", table(cfg.max_len, cfg.d_model), persistent=False)
        self.drop = nn.Dropout(cfg.dropout)

    def embed(self, side: str, ids: Tensor, table: nn.Embedding) -> tuple[Tensor, str]:
        """Token ids -> scaled embeddings + positions, as ``{side}.input``."""
        axes = SRC_AXES if side == "src" else TGT_AXES
        ids = point(f"{side}.tokens", ids, "tokens", {}, axes[:2])  # (B, L) int64
        e = table(ids)  # (B, L, D)
        e = point(
            f"{side}.embed",
            e,
            "embed",
            {"ids": f"{side}.tokens", "table": self.table_name(side)},
            axes,
        )
        if not self.cfg.embed_scale:  # GPT-2 adds its positions to the raw embeddings
            return self.add_positions(side, e, f"{side}.embed")
        e = e * math.sqrt(self.cfg.d_model)  # (B, L, D)
        e = point(f"{side}.embed_scaled", e, "embed_scale", {"x": f"{side}.embed"}, axes)
        return self.add_positions(side, e, f"{side}.embed_scaled")

    def table_name(self, side: str) -> str:
        """The parameter that holds ``side``'s token table: ``src_embed.weight`` for both
        sides when they share one (``tie_embeddings``, Marian), as ``named_parameters``
        names a shared parameter once, by its first name."""
        return "src_embed.weight" if self.cfg.tie_embeddings else f"{side}_embed.weight"

    def add_positions(self, side: str, e: Tensor, e_key: str) -> tuple[Tensor, str]:
        """(B, L, D) -> the same plus positions 0..L-1, as ``{side}.pos`` and ``{side}.input``."""
        axes = SRC_AXES if side == "src" else TGT_AXES
        n = e.shape[1]
        if self.cfg.type_vocab:  # BERT: + the segment-0 vector at every position
            seg = self.type_embed.weight[0]  # (D,)
            e = point(
                f"{side}.segment", e + seg, "add", {"x": e_key, "table": "type_embed.weight"}, axes
            )
            e_key = f"{side}.segment"
        if self.cfg.positions == "learned":
            pos = self.pos_embed.weight[:n].unsqueeze(0)  # (1, L, D)
        else:
            pos = self.pe[:n].unsqueeze(0)  # (1, L, D)
        src = {"table": "pos_embed.weight"} if self.cfg.positions == "learned" else {}
        pos = point(f"{side}.pos", pos, "posenc", src, ("batch", axes[1], "dim"))
        x = e + pos  # (B, L, D)
        x = point(f"{side}.input", x, "pos_add", {"x": e_key, "pos": f"{side}.pos"}, axes)
        if self.cfg.embed_norm:  # BERT normalises the embedding sum before the first layer
            x = self.embed_norm(x)  # (B, L, D)
            src = {"x": f"{side}.input", "weight": "embed_norm.weight"}
            x = point(f"{side}.embed_norm", x, "layernorm", src, axes)
            return self.drop(x), f"{side}.embed_norm"
        return self.drop(x), f"{side}.input"

    def stack_norm(
        self, stack: str, x: Tensor, key: str, axes: tuple[str, ...]
    ) -> tuple[Tensor, str]:
        """The extra LayerNorm after a stack (``{stack}.norm``, parameters
        ``{stack}_norm.*``) when ``final_norm`` is set; else the stream unchanged."""
        if not self.cfg.final_norm:
            return x, key
        norm: nn.LayerNorm = getattr(self, f"{stack}_norm")
        y = norm(x)  # (B, L, D)
        name = f"{stack}.norm"
        return point(name, y, "layernorm", {"x": key, "weight": f"{stack}_norm.weight"}, axes), name

    def aux_loss(self) -> Tensor:
        """The sum of every MoE layer's load-balancing loss from the last forward,
        unscaled (a 0 tensor for a dense model). Training adds
        ``cfg.aux_loss_weight * model.aux_loss()`` to the task loss."""
        return aux_loss(self)


def padding_mask(ids: Tensor, pad_id: int) -> Tensor | None:
    """(B, L) ids -> (B, 1, 1, L) True at padding, or None when nothing is padded.

    Returning None keeps single-sentence traces free of a mask step that does nothing.
    """
    pad = ids == pad_id  # (B, L)
    if not bool(pad.any()):
        return None
    return pad[:, None, None, :]


def causal_mask(ids: Tensor, pad_id: int) -> tuple[Tensor, Tensor | None]:
    """(B, T) ids -> (the self-attention mask: True above the diagonal or at padding,
    (T, T) or (B, 1, T, T); the padding mask (B, 1, 1, T) or None)."""
    t = ids.shape[1]
    causal = torch.ones(t, t, dtype=torch.bool, device=ids.device).triu(1)  # (T, T)
    pad = padding_mask(ids, pad_id)
    return (causal if pad is None else causal | pad), pad  # (B|1, 1, T, T)


def real_tokens(pad: Tensor | None) -> Tensor | None:
    """A (B, 1, 1, L) padding mask -> (B, L) True at real tokens (None stays None):
    what an MoE layer's load-balancing loss counts."""
    return None if pad is None else ~pad[:, 0, 0, :]


def sinusoid_halves(n: int, d: int) -> Tensor:
    """Marian's layout of the same waves: the sines in the first half of each vector, the
    cosines in the second (not interleaved), computed in float64 as ``transformers``
    does, then rounded to float32: PE[p, i] = sin(p / 10000^(2i/d)), PE[p, d/2 + i] = cos."""
    pos = torch.arange(n, dtype=torch.float64)[:, None]  # (n, 1)
    freq = 10000.0 ** (-2.0 * torch.arange(0, (d + 1) // 2, dtype=torch.float64) / d)  # (⌈d/2⌉,)
    angles = pos * freq  # (n, ⌈d/2⌉)
    half = (d + 1) // 2
    return torch.cat([angles.sin(), angles[:, : d - half].cos()], dim=1).float()  # (n, d)


def sinusoids(n: int, d: int) -> Tensor:
    """The paper's positional encoding: PE[p, 2i] = sin(p / 10000^(2i/d)), cos for 2i+1."""
    pos = torch.arange(n, dtype=torch.float32)[:, None]  # (n, 1)
    freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * freq)  # (n, d/2)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe
