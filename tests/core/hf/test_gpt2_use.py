"""A GPT-2 folder in use: one traced training step (its loss is ``transformers``'), the
session's Open model, and the command line (generate, translate, trace, fetch)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from transformers import GPT2LMHeadModel

from core import checkpoint
from core.config import TrainConfig
from core.corpus import Pair
from core.decode import DecodeSettings
from core.hf import fetch as hf_fetch
from core.hf import load_folder
from core.hf.hf_bundle import DEFAULT_NEW_TOKENS
from core.hf.hf_gpt2 import engine_state
from core.session import Session
from core.tracing import trace_training_step
from core.train import Trainer
from tests.core.cli_kit import assert_user_error, run
from tests.core.hf.gpt2_kit import gpt2_tokenizer


def test_a_traced_training_step_has_transformers_loss(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    """Loss on the target tokens and the end token only, as ``transformers`` computes it
    with the prompt's labels set to -100; the step records all four phases."""
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    ex = bundle.prompt_tok.example(Pair("time flies like", "an arrow"))
    ids = torch.tensor([ex.ids])
    labels = ids.masked_fill(~torch.tensor([ex.loss_mask]), -100)
    with torch.no_grad():
        want = float(ref(ids, labels=labels).loss)
    trainer = Trainer(bundle, None, replace(TrainConfig(), lr=1e-4, warmup=0))
    trace = trace_training_step(trainer, "time flies like", "an arrow")
    assert trace.meta["loss"] == pytest.approx(want, abs=1e-5)
    assert {s.phase for s in trace.steps} == {"forward", "loss", "backward", "update"}
    assert trace.meta["src_tokens"] == ["time", "Ġflies", "Ġlike"]
    assert trace.meta["tgt_out_tokens"][-1] == "<|endoftext|>"


def test_the_session_opens_a_gpt2_folder_and_continues_the_text(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    folder, _ = gpt2_folder
    session = Session.open_builtin("en-de")
    session.open_model(folder, "the cat")
    assert not session.error, session.error
    assert session.bundle.cfg.arch == "decoder-only" and session.bundle.cfg.tie_head
    want = load_folder(folder).translate("the cat", session.decode)
    assert session.translation is not None
    assert session.translation.generation.ids == want.generation.ids
    assert session.trace.meta["src_tokens"] == ["the", "Ġcat"]


def test_the_window_traces_at_most_the_default_new_tokens_of_a_real_checkpoint(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    """The built-in model's decoding length (its positions, ~60) would take a real
    checkpoint past the trace budget: a session caps it on opening, and back on a
    built-in model nothing is longer than it was."""
    folder, _ = gpt2_folder
    session = Session.open_builtin("en-de")
    assert session.decode.max_len > DEFAULT_NEW_TOKENS
    session.open_model(folder, "the cat")
    assert not session.error, session.error
    assert session.decode.max_len == DEFAULT_NEW_TOKENS
    assert session.translation is not None
    assert len(session.translation.generation.ids) <= DEFAULT_NEW_TOKENS
    assert Session(session.bundle, "hf", "the cat").decode.max_len == DEFAULT_NEW_TOKENS


def test_generate_prints_the_continuation_first(
    gpt2_folder: tuple[Path, GPT2LMHeadModel], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ref = gpt2_folder
    res = run(capsys, "generate", "--model", folder, "--max-new-tokens", "5", "time flies")
    assert res.rc == 0, res.err
    ids = torch.tensor([gpt2_tokenizer().encode("time flies").ids])
    out = ref.generate(ids, max_new_tokens=5, do_sample=False, attention_mask=torch.ones_like(ids))
    new = [i for i in out[0, ids.shape[1] :].tolist() if i != ref.config.eos_token_id]
    assert res.first_line == gpt2_tokenizer().decode(new).replace("\n", " ")
    same = load_folder(folder).translate("time flies", DecodeSettings(max_len=5)).text
    assert res.first_line == same.replace("\n", " ")


def test_generate_with_a_beam_prints_the_beam_search_winner(
    gpt2_folder: tuple[Path, GPT2LMHeadModel], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = gpt2_folder
    args = ("generate", "--model", folder, "--max-new-tokens", "4", "time flies")
    res = run(capsys, *args[:-1], "--beam", "3", args[-1])
    assert res.rc == 0, res.err
    beam = load_folder(folder).translate("time flies", DecodeSettings(max_len=4, beam=3))
    assert beam.generation.tree  # a search ran
    assert res.first_line == beam.text.replace("\n", " ")
    both = run(capsys, *args[:-1], "--beam", "3", "--temperature", "0.5", args[-1])
    assert_user_error(both, "--beam and --temperature")


def test_generate_refuses_a_built_in_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert_user_error(run(capsys, "generate", "--model", "gpt-de", "time flies"), "GPT-2")


def test_trace_writes_a_training_step_of_a_gpt2_folder(
    gpt2_folder: tuple[Path, GPT2LMHeadModel], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = gpt2_folder
    out = tmp_path / "step.npz"
    res = run(
        capsys, "trace", "time flies", "--target", "like an arrow", "--model", folder, "--out", out
    )
    assert res.rc == 0, res.err
    steps = json.loads(out.with_suffix(".json").read_text())
    assert "dec.1.self_attn.weights" in json.dumps(steps)
    assert np.load(out).files


# -- fetch: the hub client is faked; the machine has no network -------------------------------
def test_fetch_downloads_the_loadable_files_into_the_data_folder(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    calls: list[dict[str, Any]] = []

    def fake(**kwargs: Any) -> str:
        calls.append(kwargs)
        for f in gpt2_folder[0].iterdir():  # what the hub would have written
            (Path(kwargs["local_dir"]) / f.name).write_bytes(f.read_bytes())
        return str(kwargs["local_dir"])

    monkeypatch.setattr(hf_fetch, "_snapshot_download", fake)
    res = run(capsys, "fetch", "openai-community/gpt2")
    assert res.rc == 0, res.err
    want = tmp_path / "transformer-sim" / "hf" / "openai-community--gpt2"
    assert Path(res.first_line) == want
    assert calls[0]["repo_id"] == "openai-community/gpt2"
    assert "pytorch_model.bin" not in calls[0]["allow_patterns"]
    assert load_folder(want).cfg.n_dec_layers == 2


def test_fetch_offline_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from huggingface_hub.errors import LocalEntryNotFoundError

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))

    def offline(**_kwargs: Any) -> str:
        raise LocalEntryNotFoundError("Cannot find the requested files in the disk cache")

    monkeypatch.setattr(hf_fetch, "_snapshot_download", offline)
    res = run(capsys, "fetch", "gpt2")
    assert_user_error(res, "cannot reach the Hugging Face hub", "offline")
    assert not (tmp_path / "transformer-sim" / "hf" / "gpt2").exists()  # nothing left behind


def test_fetch_refuses_a_name_that_is_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert_user_error(run(capsys, "fetch", "../../etc"), "not a Hugging Face model name")


def test_the_traced_step_records_transformers_gradients(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    """Every parameter's gradient the trace recorded (``d/NAME``) is ``transformers``'
    autograd gradient of the same loss, mapped like the weights (Conv1D transposed)."""
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    ex = bundle.prompt_tok.example(Pair("time flies like", "an arrow"))
    ids = torch.tensor([ex.ids])
    labels = ids.masked_fill(~torch.tensor([ex.loss_mask]), -100)
    ref.zero_grad()
    ref(ids, labels=labels).loss.backward()
    grads = {n: p.grad for n, p in ref.named_parameters() if p.grad is not None}
    want = engine_state(grads, bundle.cfg, bundle.tgt_tok.size, "grads")
    trainer = Trainer(bundle, None, replace(TrainConfig(), lr=1e-4, warmup=0))
    trace = trace_training_step(trainer, "time flies like", "an arrow")
    names = [n for n, _ in bundle.model.named_parameters()]
    assert len(names) == 4 + 2 * 16  # wte (= head), wpe, ln_f; q k v o, 2 FFN, 2 norms
    for name in names:
        got = torch.as_tensor(trace.value(f"d/{name}"))
        torch.testing.assert_close(got, want[name], atol=1e-5, rtol=0, msg=name)


def test_saving_a_gpt2_in_the_simulators_format_is_refused_in_one_line(
    gpt2_folder: tuple[Path, GPT2LMHeadModel], tmp_path: Path
) -> None:
    """Not a file that could not be opened again: one line naming the folder to reopen."""
    bundle = load_folder(gpt2_folder[0])
    with pytest.raises(checkpoint.CheckpointError, match="open its folder again") as err:
        checkpoint.save(tmp_path / "copy", bundle)
    assert "\n" not in str(err.value) and not (tmp_path / "copy").exists()
