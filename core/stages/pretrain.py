"""Stage 1, pre-training: next-token prediction on the generated corpus.

Every corpus line is one sequence ``<bos>`` + line + ``<eos>``; the loss is the mean
cross-entropy of every next token (nothing is masked but padding), which is all
pre-training is. Batches are drawn from ``(seed, step)`` alone, so a stopped stage resumed
at step k draws exactly the batches an uninterrupted run would.
"""

from __future__ import annotations

import random

import torch.nn.functional as F
from torch import Tensor

from core.model_decoder import DecoderOnly
from core.stages.corpus import Corpus
from core.stages.lm import pad_rows
from core.stages.tokenizer import BOS_ID, EOS_ID, PAD_ID, StageTokenizer


def encode_lines(tok: StageTokenizer, corpus: Corpus) -> list[list[int]]:
    return [[BOS_ID, *tok.encode(line), EOS_ID] for line in corpus.lines]


def batch(lines: list[list[int]], seed: int, step: int, size: int) -> Tensor:
    """(B, L) padded sequences for one step, from ``(seed, step)`` only."""
    rng = random.Random(f"{seed}:pretrain:{step}")
    return pad_rows([lines[rng.randrange(len(lines))] for _ in range(size)])


def lm_loss(model: DecoderOnly, seqs: Tensor) -> Tensor:
    """Mean next-token cross-entropy over real (non-pad) targets of (B, L) sequences."""
    logits = model(seqs[:, :-1])  # (B, L-1, V)
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), seqs[:, 1:].reshape(-1), ignore_index=PAD_ID
    )
