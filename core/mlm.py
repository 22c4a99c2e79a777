"""BERT's masked-word head: what a pre-trained BERT guesses for each ``[MASK]``.

Pre-training hides words behind ``[MASK]`` and asks the encoder's output vector at that
position to say which word it was. The head that does it (``BertOnlyMLMHead`` in
``transformers``) is small: a dense layer (D -> D), the model's activation, a LayerNorm,
and then a score for every word of the vocabulary by the dot product with the word's
*input* embedding (the table is tied: reading and writing share it) plus one bias per
word. Each op is its own trace point, so the views, breakpoints and interventions see
the head like any other part:

    mlm.transform (B, S, D)  dense        reads the encoder's output
    mlm.act       (B, S, D)  activation
    mlm.norm      (B, S, D)  LayerNorm
    logits        (B, S, V)  linear       weight: src_embed.weight (tied), bias mlm.bias

``logits`` carries the name every built-in model gives its vocabulary scores, so the
trainer's loss (``loss.mask``, ``loss.per_token``), the loss view and a ``logits``
breakpoint work unchanged; a fill-mask run adds ``probs`` (``core.fill_mask``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.config import ModelConfig
from core.model import activate
from core.trace import point

VOCAB_AXES = ("batch", "src", "vocab")
HIDDEN_AXES = ("batch", "src", "dim")


class MaskedWordHead(nn.Module):
    """Parameters ``dense`` (D x D), ``norm`` (LayerNorm) and ``bias`` (V); the output
    table is the caller's token embedding (passed in: it is not owned twice)."""

    def __init__(self, cfg: ModelConfig, vocab: int) -> None:
        super().__init__()
        self.act = cfg.activation
        self.dense = nn.Linear(cfg.d_model, cfg.d_model)
        self.norm = nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps)
        self.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, x: Tensor, x_key: str, table: Tensor) -> Tensor:
        """(B, S, D) encoder output -> (B, S, V) scores for every word at every position."""
        h = self.dense(x)  # (B, S, D)
        h = point(
            "mlm.transform", h, "linear", {"x": x_key, "weight": "mlm.dense.weight"}, HIDDEN_AXES
        )
        h = activate(h, self.act)  # (B, S, D)
        h = point("mlm.act", h, "activation", {"x": "mlm.transform"}, HIDDEN_AXES)
        h = self.norm(h)  # (B, S, D)
        h = point("mlm.norm", h, "layernorm", {"x": "mlm.act"}, HIDDEN_AXES)
        logits = F.linear(h, table, self.bias)  # (B, S, V): h · E^T + b
        reads = {"x": "mlm.norm", "weight": "src_embed.weight", "bias": "mlm.bias"}
        return point("logits", logits, "linear", reads, VOCAB_AXES)
