"""Stage 2, supervised fine-tuning: a few dozen question -> answer examples.

The sequence is the same as pre-training's (``<bos>`` question ``→`` answer ``<eos>``) but the
loss counts only the answer's tokens and ``<eos>`` (``mask``): the model is taught to answer,
not to write questions. Changing a prompt token's *label* therefore cannot change the loss
(a test checks it). The small set over-fits if trained long: the stage records the loss on
its own examples and the accuracy on held-out questions so the window can show both.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from core.model_decoder import DecoderOnly
from core.stages.lm import answer_ids, pad_rows, prompt_ids
from core.stages.questions import Question, sample_questions
from core.stages.tokenizer import StageTokenizer


@dataclass(frozen=True)
class SftBatch:
    """``seqs`` (B, L) ids; ``labels`` (B, L - 1) the next tokens; ``mask`` (B, L - 1) True
    on the answer's labels (answer tokens and ``<eos>``)."""

    seqs: Tensor
    labels: Tensor
    mask: Tensor


def examples(seed: int, n: int) -> list[Question]:
    """The fine-tuning set: ``n`` training questions (never held-out ones) from the seed."""
    return sample_questions(random.Random(f"{seed}:sft"), n)


def make_batch(tok: StageTokenizer, questions: Sequence[Question]) -> SftBatch:
    rows, masks = [], []
    for qn in questions:
        p, a = prompt_ids(tok, qn), answer_ids(tok, qn.answer)
        rows.append([*p, *a])
        masks.append([False] * (len(p) - 1) + [True] * len(a))
    seqs = pad_rows(rows)
    mask = torch.zeros(seqs.shape[0], seqs.shape[1] - 1, dtype=torch.bool)
    for i, m in enumerate(masks):
        mask[i, : len(m)] = torch.tensor(m)
    return SftBatch(seqs, seqs[:, 1:].clone(), mask)


def sft_loss(model: DecoderOnly, batch: SftBatch) -> Tensor:
    """Mean cross-entropy over the answer tokens only (prompt labels are ignored)."""
    logits = model(batch.seqs[:, :-1])  # (B, L-1, V)
    per_token = F.cross_entropy(logits.transpose(1, 2), batch.labels, reduction="none")  # (B, L-1)
    m = batch.mask.float()
    return (per_token * m).sum() / m.sum()
