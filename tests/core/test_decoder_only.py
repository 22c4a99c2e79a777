"""The decoder-only (GPT) translator end to end: bundle, decoding, training loss on the
answer only, traces, checkpoints and the shipped ``gpt-de`` model."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from core import checkpoint
from core.assets import root
from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle, new_bundle
from core.config import PRESETS, ModelConfig, TrainConfig
from core.corpus import Corpus
from core.decode import DecodeSettings
from core.prompt_task import SEP, PromptBatch, collate
from core.trace import GRAD
from core.tracing import trace_forward, trace_training_step, trace_translation
from core.train import Trainer

GPT_DIR = root() / "models" / "gpt-de"
SRC, TGT = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"
TINY = ModelConfig(
    arch="decoder-only", n_enc_layers=0, n_dec_layers=1, d_model=16, n_heads=2, d_ff=32, max_len=32
)


@pytest.fixture(scope="module")
def gpt() -> Bundle:
    return checkpoint.load(GPT_DIR)


@pytest.fixture
def tiny(corpus_de: Corpus) -> Bundle:
    return new_bundle(corpus_de, TINY, seed=0)


def test_shipped_model_translates_every_lecture_sentence(gpt: Bundle) -> None:
    assert gpt.cfg.arch == "decoder-only"
    assert gpt.src_tok.vocab == gpt.tgt_tok.vocab and gpt.src_tok.vocab[4] == SEP
    for pair in builtin_corpus("en-de").lecture:
        result = gpt.translate(pair.source)
        assert result.text == pair.target
        assert result.generation.finished and not result.warnings


def test_beam_and_sampling_continue_the_prompt(gpt: Bundle) -> None:
    beam = gpt.translate(SRC, DecodeSettings(beam=4, max_len=31))
    assert beam.text == TGT and beam.generation.tree[0].parent is None
    assert len(beam.generation.tree) > len(beam.generation.ids)
    a = gpt.translate(SRC, DecodeSettings(temperature=1.0, seed=3, max_len=31))
    b = gpt.translate(SRC, DecodeSettings(temperature=1.0, seed=3, max_len=31))
    assert a.text == b.text and a.tokens == b.tokens


def test_translation_trace_names_each_step_and_equals_untraced(gpt: Bundle) -> None:
    trace, traced = trace_translation(gpt, SRC)
    plain = gpt.translate(SRC)
    assert traced.text == plain.text == TGT
    assert [c.candidates for c in traced.generation.choices] == [
        c.candidates for c in plain.generation.choices
    ]
    n = len(plain.generation.choices)
    for t in range(n):
        for name in ("tgt.tokens", "dec.0.self_attn.weights", "logits", "next.probs", "next.token"):
            assert f"t{t}/{name}" in trace.tensors, (t, name)
    assert f"t{n}/logits" not in trace.tensors
    assert not any(k.startswith(("src.", "enc.")) for k in trace.tensors)
    assert trace.meta["kind"] == "translation" and trace.meta["arch"] == "decoder-only"
    assert trace.meta["src_tokens"][-1] == SEP


def test_traced_training_step_equals_untraced(gpt: Bundle) -> None:
    cfg = TrainConfig(warmup=0, lr=1e-4)
    plain = Trainer(copy.deepcopy(gpt), None, cfg)
    batch = collate([gpt.prompt_example(SRC, TGT)])
    want = plain.step(batch)
    traced_trainer = Trainer(copy.deepcopy(gpt), None, cfg)
    trace = trace_training_step(traced_trainer, SRC, TGT)
    assert trace.meta["loss"] == want.loss
    for name, p in plain.bundle.model.named_parameters():
        assert torch.equal(p, dict(traced_trainer.bundle.model.named_parameters())[name]), name
    phases = {s.phase for s in trace.steps}
    assert {"forward", "loss", "backward", "update"} <= phases
    mask = trace.tensors["loss.mask"]
    assert mask.tolist() == [trace.meta["loss_mask"]]
    assert trace.meta["prompt_len"] == len(SRC.split()) + 1
    assert mask.sum() == len(TGT.split()) + 1  # the answer and <eos>
    per_token = trace.tensors["loss.per_token"]
    assert bool((per_token[~mask] == 0).all()) and bool((per_token[mask] > 0).all())
    assert GRAD + "logits" in trace.tensors
    assert trace.first("loss.mask").phase == "loss"


def test_traced_forward_equals_untraced(gpt: Bundle) -> None:
    trainer = Trainer(gpt, None, TrainConfig())
    trace = trace_forward(trainer, SRC, TGT)
    batch = collate([gpt.prompt_example(SRC, TGT)])
    with torch.no_grad():
        loss = trainer.loss(trainer.forward(batch), batch)
    gpt.model.eval()
    assert trace.meta["loss"] == float(loss)
    assert torch.equal(trace.tensors["logits"], trainer.forward(batch).detach())


def test_the_loss_ignores_prompt_positions(tiny: Bundle) -> None:
    trainer = Trainer(tiny, None, TrainConfig())
    batch = collate([tiny.prompt_example(SRC, TGT)])
    with torch.no_grad():
        logits = trainer.forward(batch)
        base = trainer.loss(logits, batch)
        prompt_pos = int((~batch.loss_mask[0]).nonzero()[0])
        labels = batch.labels.clone()
        labels[0, prompt_pos] = (labels[0, prompt_pos] + 7) % tiny.prompt_tok.size
        same = trainer.loss(logits, replace(batch, labels=labels))
        answer_pos = int(batch.loss_mask[0].nonzero()[0])
        labels = batch.labels.clone()
        labels[0, answer_pos] = (labels[0, answer_pos] + 7) % tiny.prompt_tok.size
        other = trainer.loss(logits, replace(batch, labels=labels))
    assert torch.equal(base, same)
    assert not torch.equal(base, other)


def test_training_is_reproducible_and_learns(corpus_de: Corpus) -> None:
    def losses() -> list[float]:
        bundle = new_bundle(corpus_de, TINY, seed=0)
        trainer = Trainer(bundle, corpus_de, TrainConfig(seed=0, eval_every=0, batch_size=16))
        return [trainer.step().loss for _ in range(6)]

    a = losses()
    assert a == losses() and a[-1] < a[0]


def test_evaluate_reports_bleu_and_lecture(tiny: Bundle, corpus_de: Corpus) -> None:
    small = Corpus("en-de", corpus_de.train, corpus_de.valid[:10], corpus_de.lecture)
    ev = Trainer(tiny, small, TrainConfig()).evaluate()
    assert ev.lecture_total == 5 and len(ev.lecture_outputs) == 5
    assert 0.0 <= ev.token_acc <= 1.0 and ev.val_loss > 0


def test_moe_adds_the_weighted_aux_loss(corpus_de: Corpus) -> None:
    cfg = replace(TINY, ffn="moe", n_experts=2, aux_loss_weight=0.5)
    bundle = new_bundle(corpus_de, cfg, seed=0)
    trainer = Trainer(bundle, None, TrainConfig())
    batch = collate([bundle.prompt_example(SRC, TGT)])
    with torch.no_grad():
        logits = trainer.forward(batch)
        aux = bundle.model.aux_loss()
        total = trainer.loss(logits, batch)
        dense = Trainer(bundle, None, TrainConfig())
        object.__setattr__(bundle.model, "cfg", replace(cfg, aux_loss_weight=0.0))
        task = dense.loss(logits, batch)
    assert float(aux) > 0
    assert torch.allclose(total, task + 0.5 * aux)


def test_checkpoint_round_trip_keeps_the_prompt_vocabulary(tiny: Bundle, tmp_path: Path) -> None:
    checkpoint.save(tmp_path / "m", tiny)
    back = checkpoint.load(tmp_path / "m")
    assert back.cfg == tiny.cfg and back.prompt_tok.vocab == tiny.prompt_tok.vocab
    assert back.translate(SRC).text == tiny.translate(SRC).text


def test_checkpoint_refuses_vocabularies_that_are_not_one_prompt_vocabulary(
    tiny: Bundle, corpus_de: Corpus
) -> None:
    other = new_bundle(corpus_de, ModelConfig(), seed=0)
    files = checkpoint.to_bytes(Bundle(tiny.model, other.src_tok, tiny.tgt_tok))
    with pytest.raises(checkpoint.CheckpointError, match="vocabular"):
        checkpoint.from_bytes(files, "x")


def test_gpt_preset_is_small_and_decoder_only() -> None:
    p = PRESETS["gpt-de"]
    assert p.model.arch == "decoder-only" and p.model.d_model == 64 and p.model.n_heads == 4
    assert 2 <= p.model.n_dec_layers <= 3 and p.pair == "en-de"


def test_a_prompt_may_not_hold_the_separator(tiny: Bundle) -> None:
    with pytest.raises(ValueError, match="="):
        tiny.translate("a = b")
    assert isinstance(collate([tiny.prompt_example(SRC, TGT)]), PromptBatch)


# -- mixture of experts: the shipped moe-de ------------------------------------------------


@pytest.fixture(scope="module")
def moe() -> Bundle:
    return checkpoint.load(root() / "models" / "moe-de")


def test_shipped_moe_model_translates_every_lecture_sentence(moe: Bundle) -> None:
    assert (moe.cfg.arch, moe.cfg.ffn, moe.cfg.n_experts, moe.cfg.top_k) == (
        "decoder-only",
        "moe",
        4,
        1,
    )
    for pair in builtin_corpus("en-de").lecture:
        assert moe.translate(pair.source).text == pair.target


def test_moe_traces_show_the_router_and_the_aux_loss(moe: Bundle) -> None:
    trace, result = trace_translation(moe, SRC)
    assert result.text == TGT
    experts = trace.tensors["t0/dec.0.moe.topk.experts"]
    assert experts.shape[-1] == 1 and int(experts.max()) < 4
    assert "t0/dec.1.moe.router.probs" in trace.tensors
    step = trace_training_step(Trainer(copy.deepcopy(moe), None, TrainConfig(warmup=0)), SRC, TGT)
    task, total = float(step.tensors["loss.task"]), float(step.tensors["loss"])
    aux = sum(float(step.tensors[f"dec.{i}.moe.aux_loss"]) for i in range(2))
    assert total == pytest.approx(task + moe.cfg.aux_loss_weight * aux, rel=1e-5)
