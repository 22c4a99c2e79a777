"""A tiny random pre-trained BERT (``BertForMaskedLM``) written by ``transformers``
itself, with the shared WordPiece tokenizer (``gpt2_kit.bert_tokenizer``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import BertConfig, BertForMaskedLM

from tests.core.hf.gpt2_kit import bert_tokenizer

MASKED = [
    "the cat sat on the [MASK]",
    "time [MASK] like an arrow",
    "[MASK] flies like a [MASK] .",
]


def write_mlm(folder: Path, seed: int = 0, **options: Any) -> BertForMaskedLM:
    """A 2-layer BERT (d 32, 4 heads) with its masked-word head, saved with
    ``save_pretrained``. Every bias and norm is moved off its initial 0 / 1 (the head's
    ``cls.predictions.bias`` most of all: a loader that dropped it would still agree
    with an untouched model), weights of std 0.3 so GELU's exact form matters."""
    tk = bert_tokenizer()
    settings: dict[str, Any] = {
        "vocab_size": tk.get_vocab_size(),
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "max_position_embeddings": 40,
        "pad_token_id": tk.token_to_id("[PAD]"),
        "initializer_range": 0.3,
        **options,
    }
    torch.manual_seed(seed)
    model = BertForMaskedLM(BertConfig(**settings)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name:
                p.add_(0.3 * torch.randn_like(p))
        head_bias = model.get_parameter("cls.predictions.bias")
        assert float(head_bias.abs().min()) > 0  # random and nonzero: dropping it shows
    model.save_pretrained(folder)
    tk.save(str(folder / "tokenizer.json"))
    return model


def padded(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids with [CLS] ... [SEP] ([MASK] as its own id) and the attention mask."""
    rows = [bert_tokenizer().encode(t).ids for t in texts]
    n = max(map(len, rows))
    pad = bert_tokenizer().token_to_id("[PAD]")
    ids = torch.tensor([r + [pad] * (n - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in rows])
    return ids, mask
