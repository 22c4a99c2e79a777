"""A model together with the tokenizers it was trained with: what translates text.

Weights alone cannot translate; ids mean something only with their vocabularies.
The Bundle keeps the three together (a checkpoint saves exactly this) and owns the
text-level entry points: checking and encoding a user's sentence, and translating.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from core.config import ModelConfig
from core.corpus import Corpus
from core.decode import DecodeSettings, Generation, generate
from core.model import Transformer
from core.subword import SubwordTokenizer
from core.tokenizer import (
    BOS_ID,
    EOS_ID,
    Encoded,
    InputError,
    Tokenizer,
    WordTokenizer,
    check_text,
)
from core.trace import Tracer


@dataclass
class Translation:
    """A translated sentence and how it was made."""

    source: Encoded
    text: str
    tokens: list[str]
    generation: Generation
    warnings: list[str] = field(default_factory=list)


@dataclass
class Bundle:
    model: Transformer
    src_tok: Tokenizer
    tgt_tok: Tokenizer
    pair: str = ""

    @property
    def cfg(self) -> ModelConfig:
        return self.model.cfg

    def encode_source(self, text: str) -> tuple[Tensor, Encoded]:
        """Check a sentence and turn it into (1, S) ids with <eos>; too long is an error."""
        enc = self.src_tok.encode(check_text(text))
        if not enc.ids:
            raise InputError("the sentence has no words the model can read")
        limit = self.cfg.max_len - 1
        if len(enc.ids) > limit:
            raise InputError(
                f"the sentence has {len(enc.ids)} tokens; this model reads at most {limit}"
            )
        return torch.tensor([[*enc.ids, EOS_ID]]), enc

    def encode_target(self, text: str) -> tuple[Tensor, Tensor, Encoded]:
        """A reference translation -> decoder input (<bos> + ids) and labels (ids + <eos>)."""
        enc = self.tgt_tok.encode(check_text(text))
        limit = self.cfg.max_len - 1
        if not enc.ids or len(enc.ids) > limit:
            raise InputError(f"the target must have 1 to {limit} tokens; it has {len(enc.ids)}")
        return torch.tensor([[BOS_ID, *enc.ids]]), torch.tensor([[*enc.ids, EOS_ID]]), enc

    def translate(
        self, text: str, settings: DecodeSettings | None = None, tracer: Tracer | None = None
    ) -> Translation:
        settings = settings or DecodeSettings(max_len=self.cfg.max_len - 1)
        src, enc = self.encode_source(text)
        self.model.eval()
        if tracer is None:
            gen = generate(self.model, src, settings)
        else:
            with tracer.active():
                gen = generate(self.model, src, settings, tracer)
        warnings = []
        if enc.unknown:
            warnings.append("unknown word(s) read as <unk>: " + ", ".join(enc.unknown))
        if not gen.finished:
            warnings.append(f"stopped at the length limit ({settings.max_len} tokens)")
        tokens = [self.tgt_tok.token(i) for i in gen.ids]
        return Translation(enc, self.tgt_tok.decode(gen.ids), tokens, gen, warnings)


def new_bundle(corpus: Corpus, cfg: ModelConfig, tokenizer: str = "word", seed: int = 0) -> Bundle:
    """Fit tokenizers on a corpus and build a randomly initialised model for it."""
    sources = [p.source for p in corpus.train]
    targets = [p.target for p in corpus.train]
    src_tok: Tokenizer
    tgt_tok: Tokenizer
    if tokenizer == "word":
        src_tok = WordTokenizer.fit(sources, lowercase=True, truecase=False)
        tgt_tok = WordTokenizer.fit(targets, lowercase=False, truecase=True)
    else:
        src_tok = SubwordTokenizer.fit(sources, lowercase=True)
        tgt_tok = SubwordTokenizer.fit(targets)
    torch.manual_seed(seed)
    model = Transformer(cfg, src_tok.size, tgt_tok.size)
    return Bundle(model, src_tok, tgt_tok, corpus.name)
