"""Sentence pairs as padded id tensors: what the trainer and evaluation consume.

Teacher forcing needs the target twice: shifted right behind ``<bos>`` as the
decoder's input, and followed by ``<eos>`` as the labels. ``Batch`` holds both so
the training step, its trace and the GUI's two aligned token strips agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core.corpus import Pair
from core.tokenizer import BOS_ID, EOS_ID, PAD_ID, Tokenizer


@dataclass(frozen=True)
class Batch:
    src: Tensor  # (B, S) source ids + <eos>, padded
    tgt_in: Tensor  # (B, T) <bos> + target ids, padded
    tgt_out: Tensor  # (B, T) target ids + <eos>, padded
    pad_id: int = PAD_ID  # the padding the loss skips (a Marian checkpoint's 0 is its </s>)

    @property
    def n_tokens(self) -> int:
        return int((self.tgt_out != self.pad_id).sum())


class EncodedPairs:
    """A corpus split encoded once; pairs longer than the model allows are left out."""

    def __init__(
        self, pairs: Sequence[Pair], src_tok: Tokenizer, tgt_tok: Tokenizer, max_len: int
    ) -> None:
        self.pairs: list[Pair] = []
        self.src: list[list[int]] = []
        self.tgt: list[list[int]] = []
        self.skipped = 0
        for pair in pairs:
            s, t = src_tok.encode(pair.source).ids, tgt_tok.encode(pair.target).ids
            if not s or not t or len(s) >= max_len or len(t) >= max_len:
                self.skipped += 1
                continue
            self.pairs.append(pair)
            self.src.append([*s, EOS_ID])
            self.tgt.append(list(t))

    def __len__(self) -> int:
        return len(self.pairs)

    def batch(self, indices: Sequence[int]) -> Batch:
        src = pad([self.src[i] for i in indices])
        tgt_in = pad([[BOS_ID, *self.tgt[i]] for i in indices])
        tgt_out = pad([[*self.tgt[i], EOS_ID] for i in indices])
        return Batch(src, tgt_in, tgt_out)

    def batches(self, size: int) -> list[Batch]:
        """The whole split in order, in batches of ``size`` (for evaluation)."""
        return [self.batch(range(i, min(i + size, len(self)))) for i in range(0, len(self), size)]


def pad(rows: Sequence[Sequence[int]]) -> Tensor:
    """Right-pad id lists with <pad> into a (B, L) int64 tensor."""
    width = max(len(r) for r in rows)
    out = torch.full((len(rows), width), PAD_ID, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out
