"""Translation written as one prompt: the decoder-only (GPT-style) model's built-in task.

A decoder-only model has no encoder, so the source sentence goes into the same sequence as
its translation, in front of a separator::

    time flies like an arrow = die Zeit fliegt wie ein Pfeil <eos>

The model learns to continue a prompt (``time flies like an arrow =``).  Only the target part
is graded: the loss mask is True on the target tokens and ``<eos>`` and False on the prompt
and the separator, because predicting the user's own sentence is not the task (and the loss
view draws exactly this mask).

Vocabulary: one joint :class:`~core.tokenizer.WordTokenizer` vocabulary -- the four specials,
the separator ``=`` at :data:`SEP_ID` (4), then the English words (lower-cased, most frequent
first), then the target words not already there (truecased as the encoder-decoder shows them:
"Zeit", "Pfeil"; the first word folded, "Die" -> "die").  A word spelled the same in both
languages (French "film", ".") is one token, as in any GPT vocabulary.  The separator is a
*plain* token, not a fifth special: it is shown, typed and saved like any word, so the
checkpoint format needs nothing new.  The two case conventions stay two tokenizers over the
one vocabulary (:class:`PromptTokenizer` ``.src`` and ``.tgt``), which is what a
:class:`~core.bundle.Bundle` and a checkpoint already store.

No ``<bos>``: the first prompt word is never predicted (it is masked), so the sequence is
exactly the line above.  Sequence layout for the trainer: ``inputs = ids[:-1]``,
``labels = ids[1:]``, ``loss_mask = mask[1:]`` (see :class:`PromptBatch`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from core.batches import pad
from core.corpus import Pair
from core.tokenizer import (
    EOS_ID,
    SPECIALS,
    Encoded,
    InputError,
    WordTokenizer,
    check_text,
)

if TYPE_CHECKING:
    from core.bundle import Bundle

SEP = "="
SEP_ID = len(SPECIALS)  # 4: right after <pad> <bos> <eos> <unk>


@dataclass(frozen=True)
class PromptExample:
    """One pair as a single sequence: ``ids`` = prompt + ``=`` + target + ``<eos>``.

    ``loss_mask[i]`` is True where ``ids[i]`` is graded (a target token or ``<eos>``);
    ``prompt_len`` counts the prompt tokens including the separator.
    """

    ids: tuple[int, ...]
    loss_mask: tuple[bool, ...]
    prompt_len: int


@dataclass(frozen=True)
class PromptTokenizer:
    """Two case conventions over one vocabulary: ``src`` lower-cases, ``tgt`` truecases."""

    src: WordTokenizer
    tgt: WordTokenizer

    @classmethod
    def fit(cls, pairs: Iterable[Pair]) -> PromptTokenizer:
        """The joint vocabulary of a corpus split (fit on train, as ``new_bundle`` does)."""
        pairs = list(pairs)
        src = WordTokenizer.fit([p.source for p in pairs], lowercase=True, truecase=False)
        tgt = WordTokenizer.fit([p.target for p in pairs], lowercase=False, truecase=True)
        return cls.from_vocab(_joint_vocab(src.vocab, tgt.vocab))

    @classmethod
    def from_vocab(cls, vocab: Sequence[str]) -> PromptTokenizer:
        """Rebuild from a saved vocabulary (e.g. a checkpoint's ``src`` tokenizer)."""
        if len(vocab) <= SEP_ID or vocab[SEP_ID] != SEP:
            raise ValueError(f"a prompt vocabulary has {SEP!r} at id {SEP_ID}")
        return cls(
            WordTokenizer(vocab, lowercase=True, truecase=False),
            WordTokenizer(vocab, lowercase=False, truecase=True),
        )

    @property
    def vocab(self) -> tuple[str, ...]:
        return self.src.vocab

    @property
    def size(self) -> int:
        return self.src.size

    def prompt(self, source: str) -> Encoded:
        """What decoding continues: the checked source's ids followed by ``=``.

        Raises :class:`InputError` (one line) for text ``check_text`` rejects, a sentence
        with no words, or one that contains the separator itself.
        """
        enc = self.src.encode(check_text(source))
        if SEP_ID in enc.ids:
            raise InputError(f"the sentence may not contain {SEP!r}: it separates the answer")
        if not enc.ids:
            raise InputError("the sentence has no words the model can read")
        return Encoded((*enc.ids, SEP_ID), (*enc.tokens, SEP), enc.unknown)

    def example(self, pair: Pair) -> PromptExample:
        """``pair`` as (ids, loss_mask): True exactly on the target tokens and ``<eos>``."""
        prompt = self.prompt(pair.source).ids
        target = self.tgt.encode(pair.target).ids
        ids = (*prompt, *target, EOS_ID)
        mask = (False,) * len(prompt) + (True,) * (len(target) + 1)
        return PromptExample(ids, mask, len(prompt))

    def answer(self, ids: Sequence[int]) -> str:
        """The target text of a sequence: the tokens after the first ``=``, up to ``<eos>``."""
        ids = list(ids)
        start = ids.index(SEP_ID) + 1 if SEP_ID in ids else 0
        rest = ids[start:]
        if EOS_ID in rest:
            rest = rest[: rest.index(EOS_ID)]
        return self.tgt.decode(rest)

    def text(self, example: PromptExample) -> str:
        """The sequence as the token strip shows it: ``time flies ... = die Zeit ... <eos>``."""
        return " ".join(self.vocab[i] for i in example.ids)


def _joint_vocab(src: Sequence[str], tgt: Sequence[str]) -> list[str]:
    """Specials, ``=``, the source words, then the target words not yet present (in order)."""
    vocab = [*SPECIALS, SEP]
    seen = set(vocab)
    for word in [*src[len(SPECIALS) :], *tgt[len(SPECIALS) :]]:
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    return vocab


@dataclass(frozen=True)
class PromptBatch:
    """Padded next-token training data for a decoder-only model.

    ``inputs[b, i]`` is read at position i and ``labels[b, i]`` (= the sequence's token
    i + 1) is predicted there; the loss is the mean cross-entropy over ``loss_mask``.
    ``inputs == PAD_ID`` is the padding mask.  ``prompt_len[b]`` counts sequence b's prompt
    tokens including ``=``; the first graded position is ``prompt_len - 1``.
    """

    inputs: Tensor  # (B, L) int64
    labels: Tensor  # (B, L) int64, PAD_ID beyond each sequence
    loss_mask: Tensor  # (B, L) bool
    prompt_len: Tensor  # (B,) int64

    @property
    def n_tokens(self) -> int:
        """How many positions count in the loss."""
        return int(self.loss_mask.sum())


def collate(examples: Sequence[PromptExample]) -> PromptBatch:
    """Shift, pad and stack examples into a :class:`PromptBatch`."""
    inputs = pad([e.ids[:-1] for e in examples])
    labels = pad([e.ids[1:] for e in examples])
    mask = torch.zeros(labels.shape, dtype=torch.bool)
    for b, e in enumerate(examples):
        mask[b, : len(e.ids) - 1] = torch.tensor(e.loss_mask[1:], dtype=torch.bool)
    lens = torch.tensor([e.prompt_len for e in examples], dtype=torch.long)
    return PromptBatch(inputs, labels, mask, lens)


class EncodedPrompts:
    """A corpus split as prompt sequences, encoded once (like ``batches.EncodedPairs``).

    Pairs whose model input (the sequence without its last token) is longer than
    ``max_len`` positions are left out and counted in ``skipped``.
    """

    def __init__(self, pairs: Sequence[Pair], tok: PromptTokenizer, max_len: int) -> None:
        self.pairs: list[Pair] = []
        self.examples: list[PromptExample] = []
        self.skipped = 0
        for pair in pairs:
            try:
                ex = tok.example(pair)
            except InputError:
                self.skipped += 1
                continue
            if len(ex.ids) - 1 > max_len:
                self.skipped += 1
                continue
            self.pairs.append(pair)
            self.examples.append(ex)

    def __len__(self) -> int:
        return len(self.examples)

    def batch(self, indices: Sequence[int]) -> PromptBatch:
        return collate([self.examples[i] for i in indices])

    def batches(self, size: int) -> list[PromptBatch]:
        """The whole split in order, in batches of ``size`` (for evaluation)."""
        return [self.batch(range(i, min(i + size, len(self)))) for i in range(0, len(self), size)]


def translates(bundle: Bundle) -> bool:
    """Whether a decoder-only ``bundle`` is the built-in prompt translator (it answers
    ``source =`` with a translation: its prompt tokenizer is a ``PromptTokenizer``), not a
    plain language model that continues a text (a Hugging Face GPT-2). False for the
    other shapes."""
    if bundle.cfg.arch != "decoder-only":
        return False
    try:
        return isinstance(bundle.prompt_tok, PromptTokenizer)
    except ValueError:  # no joint vocabulary: not the built-in prompt task
        return False
