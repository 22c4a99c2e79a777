"""Tiny random GPT-2 folders written by ``transformers`` itself (the truth the loader is
checked against), with a byte-level BPE tokenizer trained offline with ``tokenizers``."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever downloaded by these tests
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import BertConfig, BertForSequenceClassification, GPT2Config, GPT2LMHeadModel

EOT = "<|endoftext|>"
TEXTS = [
    "time flies like an arrow",
    "fruit flies like a banana",
    "which is bigger, 9.11 or 9.9?",
    "the cat sat on the mat",
] * 10


@functools.cache  # trained once: the trainers break ties differently from run to run
def gpt2_tokenizer() -> Tokenizer:
    """GPT-2's tokenizer recipe (byte-level BPE, ``Ġ`` spaces, one end token) on a few lines."""
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=[EOT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(TEXTS, trainer)
    return tk


def write_gpt2(folder: Path, seed: int = 0, **options: Any) -> GPT2LMHeadModel:
    """A 2-layer GPT-2 (d 32, 4 heads) saved with ``save_pretrained`` + tokenizer.json."""
    tk = gpt2_tokenizer()
    eot = tk.token_to_id(EOT)
    settings: dict[str, Any] = {
        "n_layer": 2,
        "n_embd": 32,
        "n_head": 4,
        "n_positions": 48,
        "vocab_size": tk.get_vocab_size(),
        "bos_token_id": eot,
        "eos_token_id": eot,
        # Weights of std 0.3 (GPT-2's own 0.02 keeps every activation near 0, where GELU's
        # tanh approximation and the exact GELU agree to 1e-7 and a test could not tell).
        "initializer_range": 0.3,
        **options,
    }
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(GPT2Config(**settings)).eval()
    with torch.no_grad():  # untrained biases and norms are 0 / 1: make every one count
        for name, p in model.named_parameters():
            if name.endswith("bias") or ".ln_" in name:
                p.add_(0.3 * torch.randn_like(p))
    model.save_pretrained(folder)
    tk.save(str(folder / "tokenizer.json"))
    return model


# -- BERT ------------------------------------------------------------------------------------
BERT_LABELS = {"0": "person", "1": "animal", "2": "thing"}


@functools.cache
def bert_tokenizer() -> Tokenizer:
    """BERT's recipe: lower-casing normaliser, WordPiece (``##`` pieces), [CLS] ... [SEP]."""
    from tokenizers import processors

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tk = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=200, special_tokens=specials, show_progress=False
    )
    tk.train_from_iterator(TEXTS, trainer)
    cls, sep = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return tk


def write_bert(folder: Path, seed: int = 0, **options: Any) -> BertForSequenceClassification:
    """A 2-layer BERT classifier (d 32, 4 heads, 3 labels) saved with ``save_pretrained``."""
    tk = bert_tokenizer()
    settings: dict[str, Any] = {
        "vocab_size": tk.get_vocab_size(),
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "max_position_embeddings": 40,
        "id2label": BERT_LABELS,
        "label2id": {v: int(k) for k, v in BERT_LABELS.items()},
        "pad_token_id": tk.token_to_id("[PAD]"),
        "initializer_range": 0.3,  # large enough that GELU's exact form matters (as GPT-2)
        **options,
    }
    torch.manual_seed(seed)
    model = BertForSequenceClassification(BertConfig(**settings)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name:
                p.add_(0.3 * torch.randn_like(p))
    model.save_pretrained(folder)
    tk.save(str(folder / "tokenizer.json"))
    return model
