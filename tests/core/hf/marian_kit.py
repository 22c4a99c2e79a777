"""A tiny random Marian folder written by ``transformers`` itself (the truth the loader
is checked against), with SentencePiece models trained here on a few generated English
and German sentences, laid out as ``MarianTokenizer`` saves them (``source.spm``,
``target.spm``, ``vocab.json``: ``</s>`` 0, ``<unk>`` 1, ``<pad>`` last, as opus-mt)."""

from __future__ import annotations

import functools
import io
import itertools
import json
import os
import warnings
from pathlib import Path
from typing import Any

import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever downloaded by these tests
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import sentencepiece as spm
from transformers import MarianConfig, MarianMTModel, MarianTokenizer

SUBJECTS = [("the cat", "die Katze"), ("the dog", "der Hund"), ("my friend", "mein Freund")]
VERBS = [("sees", "sieht"), ("likes", "mag"), ("draws", "zeichnet")]
OBJECTS = [("an arrow", "einen Pfeil"), ("the time", "die Zeit"), ("a banana", "eine Banane")]
PAIRS = [
    (f"{s} {v} {o}.", f"{sd} {vd} {od}.")
    for (s, sd), (v, vd), (o, od) in itertools.product(SUBJECTS, VERBS, OBJECTS)
]
SOURCES = ["the cat sees an arrow.", "time flies like an arrow", "my friend draws the dog."]


@functools.cache
def spm_models() -> tuple[bytes, bytes]:
    """(source, target) SentencePiece unigram models trained on the pairs' two sides."""
    out = []
    for side in (0, 1):
        blob = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter([p[side] for p in PAIRS] * 4),
            model_writer=blob,
            vocab_size=40,
            hard_vocab_limit=False,
            model_type="unigram",
            character_coverage=1.0,
            num_threads=1,
            minloglevel=2,
        )
        out.append(blob.getvalue())
    return out[0], out[1]


def vocab() -> dict[str, int]:
    """``</s>`` 0, ``<unk>`` 1, every piece of both models, ``<pad>`` last (opus-mt's order)."""
    pieces: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for blob in spm_models():
        sp = spm.SentencePieceProcessor(model_proto=blob)
        for i in range(sp.get_piece_size()):
            if not (sp.is_control(i) or sp.is_unknown(i)):
                pieces.setdefault(sp.id_to_piece(i), len(pieces))
    pieces["<pad>"] = len(pieces)
    return pieces


def write_tokenizer(folder: Path) -> MarianTokenizer:
    """source.spm, target.spm and vocab.json in ``folder``, and ``transformers``' own
    tokenizer over them (saved too, as ``save_pretrained`` writes a real folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    source, target = spm_models()
    (folder / "source.spm").write_bytes(source)
    (folder / "target.spm").write_bytes(target)
    (folder / "vocab.json").write_text(json.dumps(vocab(), ensure_ascii=False))
    with warnings.catch_warnings():  # it asks for sacremoses, which it does not use here
        warnings.simplefilter("ignore", UserWarning)
        tok = MarianTokenizer(
            str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json")
        )
    tok.save_pretrained(folder)
    return tok


def write_marian(folder: Path, seed: int = 0, **options: Any) -> MarianMTModel:
    """A 2+2-layer Marian (d 32, 4 heads, SiLU, scaled embeddings, shared table, a
    random final_logits_bias) saved with ``save_pretrained``, plus its tokenizer files."""
    write_tokenizer(folder)
    table = vocab()
    pad = table["<pad>"]
    settings: dict[str, Any] = {
        "vocab_size": len(table),
        "d_model": 32,
        "encoder_layers": 2,
        "decoder_layers": 2,
        "encoder_attention_heads": 4,
        "decoder_attention_heads": 4,
        "encoder_ffn_dim": 64,
        "decoder_ffn_dim": 64,
        "max_position_embeddings": 64,
        "activation_function": "swish",
        "scale_embedding": True,
        "pad_token_id": pad,
        "decoder_start_token_id": pad,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        # large enough that SiLU, the positions' layout and the scale all change the logits
        "init_std": 0.3,
        **options,
    }
    torch.manual_seed(seed)
    model = MarianMTModel(MarianConfig(**settings)).eval()
    with torch.no_grad():  # untrained biases and norms are 0 / 1: make every one count
        for name, p in model.named_parameters():
            if name.endswith("bias") or "layer_norm" in name:
                p.add_(0.3 * torch.randn_like(p))
        model.final_logits_bias.normal_(0.0, 1.0)  # a buffer: zero unless set
    model.generation_config.bad_words_ids = [[pad]]  # as opus-mt's generation_config.json
    model.save_pretrained(folder)
    return model
