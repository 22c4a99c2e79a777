"""The decoder-only Transformer (GPT): one sequence, masked self-attention, next token.

Prompt and answer are one token sequence (``time flies like an arrow = die Zeit
fliegt wie ein Pfeil <eos>``), so the blocks need no cross-attention: a target token
reads the source tokens through the same masked self-attention it uses to read the
target so far. The blocks are the encoder's (``EncoderLayer``) named ``dec.{i}`` with
a causal mask, and the embedding is the translator's target side, so the traces of
the two models line up name by name (``tgt.input``, ``dec.0.self_attn.weights``,
``logits``) and the attention views can be compared on the same sentence.
"""

from __future__ import annotations

from torch import Tensor, nn

from core.config import ModelConfig
from core.model import EncoderLayer
from core.model_base import TGT_AXES, SequenceModel, causal_mask, real_tokens
from core.trace import point


class DecoderOnly(SequenceModel):
    """Embeddings + positions, ``n_dec_layers`` masked self-attention blocks, a linear
    head to the vocabulary. ``forward((B, T) ids) -> (B, T, V)`` logits, where position
    t predicts token t + 1; padding (``pad_id``) is masked as a key and left out of the
    MoE load-balancing loss. Which positions count in the task loss is the trainer's
    choice (the prompt's do not)."""

    def __init__(self, cfg: ModelConfig, vocab: int, pad_id: int = 0) -> None:
        super().__init__()
        self.cfg, self.pad_id = cfg, pad_id
        self.tgt_embed = nn.Embedding(vocab, cfg.d_model)
        self.init_positions(cfg)
        self.dec = nn.ModuleList(EncoderLayer(cfg, i, "dec") for i in range(cfg.n_dec_layers))
        if cfg.final_norm:
            self.dec_norm = nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps)
        self.head = nn.Linear(cfg.d_model, vocab, bias=cfg.head_bias)
        # N(0, 1/D): after the sqrt(D) scale, embeddings and positions have equal weight.
        nn.init.normal_(self.tgt_embed.weight, std=cfg.d_model**-0.5)
        if cfg.tie_head:  # GPT-2: logits = y · Eᵀ, one (V, D) matrix read twice
            self.head.weight = self.tgt_embed.weight

    def forward(self, tokens: Tensor) -> Tensor:
        """(B, T) ids -> logits (B, T, V)."""
        y, key = self.embed("tgt", tokens, self.tgt_embed)  # (B, T, D)
        mask, pad = causal_mask(tokens, self.pad_id)  # (B|1, 1, T, T)
        keep = real_tokens(pad)  # (B, T) or None
        for layer in self.dec:
            y, key = layer(y, key, mask, keep)  # (B, T, D)
        y, key = self.stack_norm("dec", y, key, TGT_AXES)
        logits = self.head(y)  # (B, T, V)
        return point(
            "logits",
            logits,
            "linear",
            {"x": key, "weight": "tgt_embed.weight" if self.cfg.tie_head else "head.weight"},
            ("batch", "tgt", "vocab"),
        )
