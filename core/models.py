"""The family's factory: the config's ``arch`` picks the model class.

Lives apart from ``model.py`` because the decoder-only and encoder-only models are
built from ``model.py``'s blocks (importing them back would be a circle).
"""

from __future__ import annotations

from typing import TypeAlias

from core.config import ModelConfig
from core.model import Transformer
from core.model_decoder import DecoderOnly
from core.model_encoder import EncoderClassifier

Model: TypeAlias = Transformer | DecoderOnly | EncoderClassifier


def build_model(cfg: ModelConfig, src_vocab: int, tgt_vocab: int, pad_id: int = 0) -> Model:
    """A randomly initialised model of the config's shape (seed torch first to repeat it).

    ``encoder-decoder``: ``Transformer(cfg, src_vocab, tgt_vocab)``. ``decoder-only``: one
    vocabulary, ``tgt_vocab`` (``src_vocab`` is unused). ``encoder-only``: ``src_vocab``
    tokens (unused for pictures) -> ``cfg.n_labels`` classes (``tgt_vocab`` is unused).
    ``cfg.parameter_count(src_vocab, tgt_vocab)`` is its size, exactly.
    """
    if cfg.arch == "decoder-only":
        return DecoderOnly(cfg, tgt_vocab, pad_id)
    if cfg.arch == "encoder-only":
        return EncoderClassifier(cfg, src_vocab, pad_id)
    return Transformer(cfg, src_vocab, tgt_vocab, pad_id)
