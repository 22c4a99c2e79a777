"""The encoder-only Transformer with a classification head (BERT; ViT for pictures).

The sequence starts with a ``[CLS]`` position; after the encoder stack its vector is
the whole input's summary (pooling by [CLS], not by the mean: one position the
attention view can show reading the others), and a linear head turns it into one
score per label. Text: the caller's token ids already start with the tokenizer's
``[CLS]`` id, so the [CLS] is a token like any other. Pictures: each
``patch_size`` x ``patch_size`` patch is flattened (channels first, then rows, then
columns), projected linearly to D (``src.patch_embed``), and a learned ``cls_token``
vector goes first (``src.cls``) — a picture read as a sentence of patches, which is
how text models learned to see.

A pre-trained BERT without a classification head (``cfg.mlm``) ends instead in the
masked-word head (``core.mlm``): a score for every word of the vocabulary at every
position, ``forward(src) -> (B, S, V)``, read at the ``[MASK]`` positions
(``core.fill_mask``).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from core.config import ModelConfig
from core.mlm import MaskedWordHead
from core.model import EncoderLayer
from core.model_base import SRC_AXES, SequenceModel, padding_mask, real_tokens
from core.trace import active_tracer, point

LABEL_AXES = ("batch", "label")


class EncoderClassifier(SequenceModel):
    """``forward(src) -> (B, n_labels)`` logits. ``src`` is (B, S) token ids with [CLS]
    first (``inputs="tokens"``; padding ``pad_id`` is masked) or (B, C, H, W) float
    pictures (``inputs="patches"``). A traced forward also records ``cls.probs``.
    With ``cfg.mlm``: ``forward(src) -> (B, S, V)`` masked-word scores, no ``head``."""

    def __init__(self, cfg: ModelConfig, vocab: int, pad_id: int = 0) -> None:
        super().__init__()
        self.cfg, self.pad_id = cfg, pad_id
        d = cfg.d_model
        if cfg.inputs == "patches":
            self.patch_embed = nn.Linear(cfg.patch_dim, d)
            # N(0, 1): the size of a scaled token embedding (N(0, 1/D) times sqrt(D)).
            self.cls_token = nn.Parameter(torch.randn(d))
        else:
            self.src_embed = nn.Embedding(vocab, d)
        self.init_positions(cfg)
        self.enc = nn.ModuleList(EncoderLayer(cfg, i) for i in range(cfg.n_enc_layers))
        if cfg.final_norm:
            self.enc_norm = nn.LayerNorm(d)
        if cfg.pooler:  # BERT: tanh(W·v + b) on the [CLS] vector
            self.pool = nn.Linear(d, d)
        if cfg.mlm:  # pre-trained BERT: a word for every position (its table: src_embed)
            self.mlm = MaskedWordHead(cfg, vocab)
        else:
            self.head = nn.Linear(d, cfg.n_labels)
        if cfg.inputs == "tokens":
            nn.init.normal_(self.src_embed.weight, std=d**-0.5)

    def encode(self, src: Tensor) -> tuple[Tensor, str, Tensor | None]:
        """Ids or pictures -> the stack's output (B, 1+L, D), its key, the padding mask."""
        if self.cfg.inputs == "patches":
            x, key = self.embed_patches(src)
            pad = None
        else:
            pad = padding_mask(src, self.pad_id)
            x, key = self.embed("src", src, self.src_embed)
        keep = real_tokens(pad)  # (B, S) or None
        for layer in self.enc:
            x, key = layer(x, key, pad, keep)  # (B, S, D)
        x, key = self.stack_norm("enc", x, key, SRC_AXES)
        return x, key, pad

    def forward(self, src: Tensor) -> Tensor:
        x, key, _ = self.encode(src)
        if self.cfg.mlm:
            return self.mlm(x, key, self.src_embed.weight)  # (B, S, V)
        v = x[:, 0]  # (B, D): the [CLS] position
        v = point("cls.vector", v, "select", {"x": key}, ("batch", "dim"))
        v_key = "cls.vector"
        if self.cfg.pooler:
            v = torch.tanh(self.pool(v))  # (B, D)
            reads = {"x": "cls.vector", "weight": "pool.weight"}
            v, v_key = point("cls.pooled", v, "linear", reads, ("batch", "dim")), "cls.pooled"
        logits = self.head(v)  # (B, n_labels)
        logits = point(
            "cls.logits", logits, "linear", {"x": v_key, "weight": "head.weight"}, LABEL_AXES
        )
        if active_tracer() is not None:
            with torch.no_grad():  # shown, not trained through: the loss uses log-softmax
                probs = torch.softmax(logits, dim=-1)  # (B, n_labels)
                point("cls.probs", probs, "softmax", {"x": "cls.logits"}, LABEL_AXES)
        return logits

    def embed_patches(self, images: Tensor) -> tuple[Tensor, str]:
        """(B, C, H, W) pictures -> [CLS] + projected patches + positions (B, 1+P, D)."""
        cfg, ps = self.cfg, self.cfg.patch_size
        want = (cfg.channels, cfg.image_size, cfg.image_size)
        if images.ndim != 4 or tuple(images.shape[1:]) != want:
            raise ValueError(
                f"expected pictures of shape (B, {', '.join(map(str, want))}), "
                f"got {tuple(images.shape)}"
            )
        images = point("src.image", images, "image", {}, ("batch", "channel", "row", "col"))
        b, g = images.shape[0], cfg.image_size // ps
        cut = images.unfold(2, ps, ps).unfold(3, ps, ps)  # (B, C, g, g, ps, ps)
        patches = cut.permute(0, 2, 3, 1, 4, 5).reshape(b, g * g, cfg.patch_dim)  # (B, P, C·ps²)
        patches = point(
            "src.patches", patches, "patches", {"image": "src.image"}, ("batch", "src", "pixel")
        )
        e = self.patch_embed(patches)  # (B, P, D)
        e = point(
            "src.patch_embed",
            e,
            "linear",
            {"x": "src.patches", "weight": "patch_embed.weight"},
            SRC_AXES,
        )
        cls = self.cls_token.view(1, 1, -1).expand(b, 1, -1)  # (B, 1, D)
        x = torch.cat([cls, e], dim=1)  # (B, 1+P, D)
        x = point("src.cls", x, "concat", {"x": "src.patch_embed", "cls": "cls_token"}, SRC_AXES)
        return self.add_positions("src", x, "src.cls")
