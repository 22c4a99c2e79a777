"""The window's training job builds the model its shape asks for: a decoder-only or MoE
run trains a ``DecoderOnly`` (not a ``Transformer`` of that config), and an
encoder-only shape from a translator is refused with one line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from core import checkpoint
from core.config import ModelConfig, TrainConfig
from core.model_decoder import DecoderOnly
from core.train_messages import Failed, Finished, Message, Snapshot
from core.train_process import Control, TrainJob, run_training_job

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "models"
CFG = TrainConfig(steps=3, eval_every=0, seed=5, warmup=1)
MOE = ModelConfig(
    arch="decoder-only", n_enc_layers=0, n_dec_layers=1, max_len=32, ffn="moe", n_experts=3, top_k=2
)


def run(job: TrainJob) -> list[Message]:
    sent: list[Message] = []
    run_training_job(job, sent.append, Control(cancelled=lambda: False))
    return sent


def test_a_moe_shape_from_the_translator_trains_a_decoder_only_model(tmp_path: Path) -> None:
    job = TrainJob(str(SHIPPED / "demo-de"), str(tmp_path), CFG, model=MOE, snapshot_every=0)
    sent = run(job)
    assert isinstance(sent[-1], Finished), sent[-1]
    final = checkpoint.load(sent[-1].final_dir)
    assert isinstance(final.model, DecoderOnly)
    assert final.cfg == MOE
    state = final.model.state_dict()
    assert any(".experts.2." in k for k in state)  # three experts per layer, really built
    assert not any(".experts.3." in k for k in state)
    assert final.src_tok.size == final.tgt_tok.size  # one joint prompt vocabulary
    snaps = [m for m in sent if isinstance(m, Snapshot)]
    assert snaps[0].cross == []  # no cross-attention in a decoder-only model
    assert snaps[0].tgt_tokens  # the demo sentence was answered and traced


def test_from_scratch_on_a_decoder_only_start_keeps_its_class_and_vocabulary(
    tmp_path: Path,
) -> None:
    start = checkpoint.load(SHIPPED / "gpt-de")
    job = TrainJob(str(SHIPPED / "gpt-de"), str(tmp_path), CFG, from_scratch=True)
    sent = run(job)
    assert isinstance(sent[-1], Finished), sent[-1]
    initial = checkpoint.load(tmp_path / "initial")
    assert isinstance(initial.model, DecoderOnly)
    size = start.src_tok.size
    assert initial.src_tok.size == size
    assert [initial.src_tok.token(i) for i in range(size)] == [
        start.src_tok.token(i) for i in range(size)
    ]
    a = initial.model.state_dict()
    b = start.model.state_dict()
    assert any((a[k] != b[k]).any() for k in a)  # fresh weights, not gpt-de's


def test_an_encoder_only_shape_from_a_translator_is_one_line(tmp_path: Path) -> None:
    shape = replace(ModelConfig(), arch="encoder-only", n_labels=3, n_dec_layers=0)
    sent = run(TrainJob(str(SHIPPED / "demo-de"), str(tmp_path), CFG, model=shape))
    assert len(sent) == 1 and isinstance(sent[0], Failed)
    assert "bert-who" in sent[0].message and "\n" not in sent[0].message
