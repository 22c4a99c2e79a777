"""A model together with the tokenizers it was trained with: what translates text.

Weights alone cannot translate; ids mean something only with their vocabularies.
The Bundle keeps the three together (a checkpoint saves exactly this) and owns the
text-level entry points: checking and encoding a user's sentence, and translating.

Every shape of the family is a Bundle. A decoder-only (GPT) model has one joint
vocabulary: ``src_tok`` and ``tgt_tok`` are ``prompt_task.PromptTokenizer``'s ``.src``
and ``.tgt`` (the same words, two case conventions), and translating continues the
prompt ``source =`` until ``<eos>`` (``core.decode_prompt``). An encoder-only
classifier keeps its label names in ``labels`` and answers ``classify`` (a sentence, with
``classify_task``'s ``[CLS]`` vocabulary as both tokenizers) or ``classify_image``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from core.classify_data import ClassCorpus
from core.classify_task import LABELS as sentence_labels
from core.classify_task import encode_sentence, fit_tokenizer
from core.config import ModelConfig
from core.corpus import Corpus, Pair
from core.decode import DecodeSettings, Generation, generate
from core.decode_prompt import generate_answer
from core.messages import joined, msg
from core.model import Transformer
from core.model_decoder import DecoderOnly
from core.model_encoder import EncoderClassifier
from core.models import Model, build_model
from core.pictures import LABELS as picture_labels
from core.pictures import PictureCorpus
from core.prompt_task import PromptExample, PromptTokenizer
from core.subword import SubwordTokenizer
from core.tokenizer import (
    BOS_ID,
    EOS_ID,
    SPECIALS,
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
class Classification:
    """A classified sentence or picture: the labels by probability, most likely first."""

    source: Encoded | None  # None for a picture
    ranked: list[tuple[str, float]]  # (label name, probability), descending

    @property
    def label(self) -> str:
        return self.ranked[0][0]

    @property
    def prob(self) -> float:
        return self.ranked[0][1]


@dataclass
class Bundle:
    """``labels``: an encoder-only classifier's label names, by label id (else empty)."""

    model: Model
    src_tok: Tokenizer
    tgt_tok: Tokenizer
    pair: str = ""
    labels: tuple[str, ...] = ()

    @property
    def cfg(self) -> ModelConfig:
        return self.model.cfg

    @property
    def arch(self) -> str:
        return self.cfg.arch

    @property
    def prompt_tok(self) -> PromptTokenizer:
        """A decoder-only bundle's joint tokenizer (ValueError for other shapes)."""
        if self.cfg.arch != "decoder-only" or not isinstance(self.src_tok, WordTokenizer):
            raise ValueError(f"a {self.cfg.arch} model has no prompt tokenizer")
        return PromptTokenizer.from_vocab(self.src_tok.vocab)

    def decode_settings(self, current: DecodeSettings) -> DecodeSettings:
        """The decoding settings a window run uses on this model, starting from the
        current ones: a built-in model keeps them (``decode.bounded`` cuts the length to
        its positions); a real checkpoint caps the traced new tokens (``HFBundle``)."""
        return current

    def translator(self) -> Transformer:
        """The encoder-decoder model; a one-line ValueError for the other shapes."""
        if not isinstance(self.model, Transformer):
            raise ValueError(f"not an encoder-decoder translator: this model is {self.cfg.arch}")
        return self.model

    def encode_prompt(self, text: str) -> tuple[Tensor, Encoded]:
        """Decoder-only: the checked sentence as the (1, P) prompt ``source =``."""
        enc = self.prompt_tok.prompt(text)
        limit = self.cfg.max_len - 1  # room for at least one answer token
        if len(enc.ids) > limit:
            raise InputError(msg("prompt_too_long", n=len(enc.ids), limit=limit))
        return torch.tensor([enc.ids]), enc

    def prompt_example(self, source: str, target: str) -> PromptExample:
        """Decoder-only: a sentence pair as one sequence (ids + loss mask), length-checked."""
        ex = self.prompt_tok.example(Pair(check_text(source), check_text(target)))
        if len(ex.ids) - 1 > self.cfg.max_len:
            raise InputError(
                msg("prompt_answer_too_long", n=len(ex.ids), limit=self.cfg.max_len + 1)
            )
        return ex

    def classifier(self) -> EncoderClassifier:
        """The encoder-only model; a one-line ValueError for the other shapes."""
        if not isinstance(self.model, EncoderClassifier):
            raise ValueError(f"not a classifier: this model is {self.cfg.arch}")
        return self.model

    def classify(self, text: str) -> Classification:
        """A sentence's label probabilities (an encoder-only model on tokens)."""
        model = self.classifier()
        if self.cfg.inputs != "tokens":
            raise ValueError(msg("reads_pictures"))
        if not isinstance(self.src_tok, WordTokenizer):
            raise ValueError("this classifier has no word vocabulary")
        enc = encode_sentence(self.src_tok, text)
        if len(enc.ids) > self.cfg.max_len:
            raise InputError(msg("cls_too_long", n=len(enc.ids), limit=self.cfg.max_len))
        return Classification(enc, self._ranked(model, torch.tensor([enc.ids])))

    def classify_image(self, image: Tensor) -> Classification:
        """A (C, H, W) picture's label probabilities (an encoder-only model on patches)."""
        model = self.classifier()
        if self.cfg.inputs != "patches":
            raise ValueError(msg("reads_sentences"))
        return Classification(None, self._ranked(model, image[None].float()))

    def _ranked(self, model: EncoderClassifier, inputs: Tensor) -> list[tuple[str, float]]:
        model.eval()
        with torch.no_grad():
            probs = torch.softmax(model(inputs)[0], -1)  # (n_labels,)
        names = self.labels or tuple(str(i) for i in range(len(probs)))
        order = torch.argsort(probs, descending=True, stable=True).tolist()
        return [(names[i], float(probs[i])) for i in order]

    def encode_source(self, text: str) -> tuple[Tensor, Encoded]:
        """Check a sentence and turn it into (1, S) ids with <eos>; too long is an error.

        A decoder-only model reads the prompt instead (``encode_prompt``)."""
        if self.cfg.arch == "decoder-only":
            return self.encode_prompt(text)
        enc = self.src_tok.encode(check_text(text))
        if not enc.ids:
            raise InputError(msg("no_readable_words"))
        limit = self.cfg.max_len - 1
        if len(enc.ids) > limit:
            raise InputError(msg("sentence_too_long", n=len(enc.ids), limit=limit))
        return torch.tensor([[*enc.ids, EOS_ID]]), enc

    def encode_target(self, text: str) -> tuple[Tensor, Tensor, Encoded]:
        """A reference translation -> decoder input (<bos> + ids) and labels (ids + <eos>)."""
        enc = self.tgt_tok.encode(check_text(text))
        limit = self.cfg.max_len - 1
        if not enc.ids or len(enc.ids) > limit:
            raise InputError(msg("target_tokens", limit=limit, n=len(enc.ids)))
        return torch.tensor([[BOS_ID, *enc.ids]]), torch.tensor([[*enc.ids, EOS_ID]]), enc

    def translate(
        self, text: str, settings: DecodeSettings | None = None, tracer: Tracer | None = None
    ) -> Translation:
        settings = settings or DecodeSettings(max_len=self.cfg.max_len - 1)
        model = self.model
        if isinstance(model, EncoderClassifier):
            raise ValueError(msg("not_a_translator"))
        src, enc = self.encode_source(text)
        model.eval()
        if tracer is None:
            gen = _generate(model, src, settings, None)
        else:
            with tracer.active():
                gen = _generate(model, src, settings, tracer)
        warnings: list[str] = []  # Msg: the window shows them in its language
        if enc.unknown:
            warnings.append(msg("unknown_words", words=joined(enc.unknown)))
        if not gen.finished:
            warnings.append(msg("length_limit", n=len(gen.ids)))
        tokens = [self.tgt_tok.token(i) for i in gen.ids]
        return Translation(enc, self.tgt_tok.decode(gen.ids), tokens, gen, warnings)


def _generate(
    model: Transformer | DecoderOnly, src: Tensor, settings: DecodeSettings, tracer: Tracer | None
) -> Generation:
    if isinstance(model, DecoderOnly):
        return generate_answer(model, src, settings, tracer)
    return generate(model, src, settings, tracer)


def new_bundle(corpus: Corpus, cfg: ModelConfig, tokenizer: str = "word", seed: int = 0) -> Bundle:
    """Fit tokenizers on a corpus and build a randomly initialised model for it.

    A decoder-only model gets the joint prompt vocabulary (word tokenizer only)."""
    if cfg.arch == "decoder-only":
        if tokenizer != "word":
            raise ValueError("a decoder-only model uses the word tokenizer (--tokenizer word)")
        tok = PromptTokenizer.fit(corpus.train)
        torch.manual_seed(seed)
        return Bundle(build_model(cfg, tok.size, tok.size), tok.src, tok.tgt, corpus.name)
    if cfg.arch == "encoder-only":
        raise ValueError("an encoder-only model is a classifier: train it with --preset bert-who")
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
    model = build_model(cfg, src_tok.size, tgt_tok.size)
    return Bundle(model, src_tok, tgt_tok, corpus.name)


def new_classifier(corpus: ClassCorpus, cfg: ModelConfig, seed: int = 0) -> Bundle:
    """A randomly initialised encoder-only classifier for a sentence or picture corpus.

    Sentences get ``classify_task``'s vocabulary (``[CLS]`` first; saved as both the source
    and the target tokenizer); pictures a vocabulary of the specials only (nothing to read)."""
    if cfg.arch != "encoder-only":
        raise ValueError(f"a classifier is an encoder-only model, not {cfg.arch}")
    if isinstance(corpus, PictureCorpus):
        if cfg.inputs != "patches":
            raise ValueError("a picture classifier needs inputs='patches'")
        tok = WordTokenizer(list(SPECIALS), lowercase=True, truecase=False)
        names = picture_labels
    else:
        if cfg.inputs != "tokens":
            raise ValueError("a sentence classifier needs inputs='tokens'")
        tok = fit_tokenizer(corpus.train)
        names = sentence_labels
    if len(names) != cfg.n_labels:
        raise ValueError(f"the task has {len(names)} labels; the model has n_labels={cfg.n_labels}")
    torch.manual_seed(seed)
    model = build_model(cfg, tok.size, tok.size)
    return Bundle(model, tok, tok, corpus.name, tuple(names))
