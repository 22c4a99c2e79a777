"""Training learns, is deterministic, and generalises to the held-out lecture sentences."""

from __future__ import annotations

import torch

from core.bundle import new_bundle
from core.config import ModelConfig, TrainConfig
from core.corpus import Corpus
from core.train import Callbacks, Trainer


def _losses(corpus: Corpus, seed: int, steps: int) -> list[float]:
    bundle = new_bundle(corpus, ModelConfig(dropout=0.1), seed=seed)
    trainer = Trainer(bundle, corpus, TrainConfig(seed=seed, eval_every=0))
    return [trainer.step().loss for _ in range(steps)]


def test_same_seed_same_losses(corpus_de: Corpus) -> None:
    assert torch.get_num_threads() >= 1
    a, b = _losses(corpus_de, 0, 8), _losses(corpus_de, 0, 8)
    assert a == b
    assert _losses(corpus_de, 1, 8) != a


def test_training_from_scratch_reaches_the_lecture_sentences(corpus_de: Corpus) -> None:
    bundle = new_bundle(corpus_de, ModelConfig(), seed=0)
    trainer = Trainer(
        bundle, corpus_de, TrainConfig(steps=600, eval_every=50, stop_when_lecture_correct=True)
    )
    seen: list[float] = []
    result = trainer.fit(callbacks=Callbacks(on_step=lambda s: seen.append(s.loss)))
    assert result.reason == "lecture", result.evals[-1]
    assert seen[-1] < seen[0] / 5
    last = result.evals[-1]
    assert last.lecture_outputs[0] == "Die Zeit fliegt wie ein Pfeil"
    assert last.bleu > 50 and last.token_acc > 0.9


def test_cancel_stops_the_loop(corpus_de: Corpus) -> None:
    bundle = new_bundle(corpus_de, ModelConfig(), seed=0)
    trainer = Trainer(bundle, corpus_de, TrainConfig(steps=1000, eval_every=0))
    calls = []
    result = trainer.fit(
        callbacks=Callbacks(should_stop=lambda: len(calls) >= 3, on_step=calls.append)
    )
    assert result.reason == "cancelled" and result.steps == 3


def test_nan_loss_is_a_training_error(corpus_de: Corpus) -> None:
    import pytest

    from core.train import TrainingError

    bundle = new_bundle(corpus_de, ModelConfig(), seed=0)
    trainer = Trainer(bundle, corpus_de, TrainConfig(eval_every=0))
    with torch.no_grad():
        bundle.model.head.weight.fill_(float("nan"))
    with pytest.raises(TrainingError, match="nan"):
        trainer.step()
