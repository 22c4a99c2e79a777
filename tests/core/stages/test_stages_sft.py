"""SFT grades the answer only."""

from __future__ import annotations

import dataclasses

import torch

from core.stages import sft
from core.stages.pipeline import Pipeline


def test_loss_ignores_prompt_labels(tiny_pipeline: Pipeline) -> None:
    model = tiny_pipeline.model("sft")
    batch = sft.make_batch(tiny_pipeline.tok, tiny_pipeline.sft_examples[:3])
    with torch.no_grad():
        base = float(sft.sft_loss(model, batch))
        labels = batch.labels.clone()
        assert not batch.mask[0, 2]  # a prompt position
        labels[0, 2] = (labels[0, 2] + 7) % tiny_pipeline.tok.size
        same = float(sft.sft_loss(model, dataclasses.replace(batch, labels=labels)))
        answer_at = int(batch.mask[0].nonzero()[0])
        labels = batch.labels.clone()
        labels[0, answer_at] = (labels[0, answer_at] + 7) % tiny_pipeline.tok.size
        changed = float(sft.sft_loss(model, dataclasses.replace(batch, labels=labels)))
    assert same == base
    assert changed != base


def test_mask_covers_answer_and_eos(tiny_pipeline: Pipeline) -> None:
    tok = tiny_pipeline.tok
    qn = tiny_pipeline.sft_examples[0]
    batch = sft.make_batch(tok, [qn])
    graded = [tok.token(int(i)) for i in batch.labels[0][batch.mask[0]]]
    assert graded == [*tok.split(qn.answer).tokens, "<eos>"]
