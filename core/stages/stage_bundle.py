"""A stages model opened where any model opens: the Transformer room, ``translate``, ``shot``.

A stages checkpoint (``assets/stages/pretrain`` …, written by ``Pipeline.save``) is a
decoder-only model whose vocabulary has ``=`` at id 4, so ``core.checkpoint`` would load
it as the built-in GPT translator: "Which is bigger: 9.11 or 9.9?" read as word tokens
(``9.11`` one unknown word) followed by ``=``, a prompt the model never saw, answered
with noise. Its own format is ``<bos>`` + the question's pieces (digit groups: ``9`` ``.``
``11``, ``core.stages.tokenizer``) + ``→``, answered until ``<eos>``
(``core.stages.lm.prompt_ids``). ``core.checkpoint`` returns a ``StageBundle`` for a folder
whose config.json says pair ``"stages"``:

* ``encode_source`` builds that prompt (adding the ``→`` a typed question lacks), so a
  translation in the window is the stage's greedy answer, each decoding step traced like
  the built-in GPT's (``core.decode_prompt``) -- the 9.11 question can be stepped token
  by token in the Transformer room's views;
* a training step ("train" mode) grades the answer tokens and ``<eos>`` only, as SFT does;
* the tokenizers are ``StageWords``: the saved word vocabulary (so saving it writes the
  same vocab.json) that reads and writes text the stages' way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core.bundle import Bundle
from core.corpus import Pair
from core.messages import msg
from core.prompt_task import PromptExample
from core.stages.tokenizer import ARROW, StageTokenizer
from core.tokenizer import BOS_ID, EOS_ID, SPECIALS, Encoded, InputError, WordTokenizer, check_text

PAIR = "stages"  # core.stages.pipeline.PAIR: what a stages checkpoint's config.json says
EXAMPLE = "Which is bigger: 9.11 or 9.9?"  # THE_QUESTION, as a user types it


class StageWords(WordTokenizer):
    """The stages vocabulary as the word tokenizer a checkpoint stores (lower-cased, no
    truecasing: ``StageTokenizer.to_word_tokenizer``), reading and writing text as
    ``StageTokenizer`` does: "9.11" is ``9`` ``.`` ``11`` and ``9 . 11`` is "9.11"."""

    def __init__(self, vocab: Sequence[str]) -> None:
        super().__init__(vocab, lowercase=True, truecase=False)
        self.stage = StageTokenizer(vocab)

    def encode(self, text: str) -> Encoded:
        split = self.stage.split(text)
        return Encoded(split.ids, split.tokens, split.unknown)

    def decode(self, ids: Sequence[int]) -> str:
        return self.stage.decode(ids)


class StagePrompts:
    """The stages' prompt format, with what the trainer asks of a decoder-only bundle's
    prompt tokenizer (``prompt`` and ``example``)."""

    def __init__(self, words: StageWords) -> None:
        self.words = words

    def prompt(self, source: str) -> Encoded:
        """``<bos>`` + the question's pieces + ``→`` (added when the question has none)."""
        text = check_text(source)
        if not text.endswith(ARROW):
            text = f"{text} {ARROW}"
        enc = self.words.encode(text)
        return Encoded((BOS_ID, *enc.ids), (SPECIALS[BOS_ID], *enc.tokens), enc.unknown)

    def example(self, pair: Pair) -> PromptExample:
        """prompt + answer + ``<eos>``; the answer and ``<eos>`` are graded (SFT's loss)."""
        prompt = self.prompt(pair.source).ids
        answer = (*self.words.encode(check_text(pair.target)).ids, EOS_ID)
        graded = (False,) * len(prompt) + (True,) * len(answer)
        return PromptExample((*prompt, *answer), graded, len(prompt))


@dataclass
class StageBundle(Bundle):
    """A stages model (see the module docstring)."""

    @classmethod
    def of(cls, bundle: Bundle) -> StageBundle:
        """The loaded checkpoint ``bundle`` (its model and saved vocabulary) as a stages
        model; a ValueError (one line) when the vocabulary is not a stages one."""
        words = StageWords(bundle.tgt_tok.vocab)  # type: ignore[attr-defined]  # a word vocabulary (checked by the loader)
        return cls(bundle.model, words, words, PAIR, bundle.labels)

    @property
    def words(self) -> StageWords:
        assert isinstance(self.tgt_tok, StageWords)
        return self.tgt_tok

    @property
    def prompt_tok(self) -> StagePrompts:  # type: ignore[override]
        return StagePrompts(self.words)

    def encode_prompt(self, text: str) -> tuple[Tensor, Encoded]:
        """The question as the (1, P) prompt ``<bos> … →``, with room for an answer."""
        enc = self.prompt_tok.prompt(text)
        limit = self.cfg.max_len - 1
        if len(enc.ids) > limit:
            raise InputError(msg("prompt_too_long", n=len(enc.ids), limit=limit))
        return torch.tensor([enc.ids]), enc

    def encode_source(self, text: str) -> tuple[Tensor, Encoded]:
        return self.encode_prompt(text)


def stage_example(bundle: Bundle, source: str) -> str:
    """For a stages model, the question to open it on: ``source`` when the model reads
    every piece of it, else the 9.11 question; "" for any other model."""
    if not isinstance(bundle, StageBundle):
        return ""
    try:
        unknown = bundle.prompt_tok.prompt(source).unknown
    except InputError:
        return EXAMPLE
    return EXAMPLE if unknown else source
