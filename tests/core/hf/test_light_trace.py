"""The light trace of a large model's training step (``core.light_trace``), on a tiny
GPT-2 folder written by ``transformers`` (``gpt2_kit``): the chosen block is recorded
exactly as the full trace records it, every other parameter as the norms of the full
trace's own tensors; the ceilings are checked before anything is copied; the command
line says when it traces lightly. "Large" is made small by lowering the ceiling."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import GPT2LMHeadModel

from core import limits
from core.hf import hf_gpt2, load_folder
from core.light_trace import NORM, plan_trace
from core.trace import GRAD, Trace
from core.tracing import trace_step_on_copy
from tests.core.cli_kit import run

SRC, TGT = "time flies like", "an arrow"
ROLES = ("before", "grad", "m", "v", "update", "out")


@pytest.fixture(scope="module")
def traces(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> tuple[Trace, Trace, dict[str, torch.Tensor]]:
    """The full trace, the light trace of block dec.1 (same weights, same seed) and the
    parameters before the step (the loaded model, untouched by either step)."""
    bundle = load_folder(gpt2_folder[0])
    full = trace_step_on_copy(bundle, SRC, TGT)
    light = trace_step_on_copy(bundle, SRC, TGT, block="dec.1")
    before = {n: p.detach().clone() for n, p in bundle.model.named_parameters()}
    return full, light, before


def _norm(x: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(x.double()))


def test_the_chosen_block_is_recorded_as_the_full_trace_records_it(
    traces: tuple[Trace, Trace, dict[str, torch.Tensor]],
) -> None:
    full, light, _ = traces
    assert not full.meta["light"] and light.meta["light"]
    chosen = [s for s in light.steps if s.phase == "update" and "before" in s.tensors]
    names = {s.name for s in chosen}
    assert names and all(n.startswith("dec.1.") or n.startswith("dec_norm.") for n in names)
    assert any(n.startswith("dec_norm.") for n in names)  # the output part: the final norm
    for step in chosen:
        ref = full.first(step.name, "update")
        for role in ROLES:
            got, want = light.tensors[step.tensors[role]], full.tensors[ref.tensors[role]]
            assert torch.equal(got, want), (step.name, role)
        assert torch.equal(light.tensors[GRAD + step.name], full.tensors[GRAD + step.name])
    assert light.meta["loss"] == full.meta["loss"]
    assert light.meta["loss_after"] == full.meta["loss_after"]


def test_every_other_parameter_is_four_norms_of_the_full_traces_tensors(
    traces: tuple[Trace, Trace, dict[str, torch.Tensor]],
) -> None:
    full, light, before = traces
    normed = [s for s in light.steps if s.narration == "update.adam_norms"]
    assert {s.name for s in normed} == {
        n for n in before if not n.startswith(("dec.1.", "dec_norm."))
    }
    assert len(normed) == light.meta["light_parameters"]
    for step in normed:
        name, ref = step.name, full.first(step.name, "update")
        assert step.tensors.keys() == {"before_norm", "grad_norm", "update_norm", "out"}
        value = {role: float(light.tensors[key]) for role, key in step.tensors.items()}
        assert all(light.tensors[key].ndim == 0 for key in step.tensors.values())
        want = {
            "before_norm": _norm(before[name]),
            "grad_norm": _norm(full.tensors[ref.tensors["grad"]]),
            "update_norm": _norm(full.tensors[ref.tensors["update"]]),
            "out": _norm(full.tensors[ref.tensors["out"]]),
        }
        for role in want:
            assert value[role] == pytest.approx(want[role], rel=1e-5, abs=1e-9), (name, role)
        assert name not in light.tensors and GRAD + name not in light.tensors
        grad_step = next(
            s
            for s in light.steps
            if s.phase == "backward" and s.kind == "param_grad" and s.name == name
        )
        assert grad_step.key == GRAD + name + NORM
        assert float(light.tensors[grad_step.key]) == pytest.approx(
            _norm(full.tensors[GRAD + name]), rel=1e-5
        )


def test_the_light_trace_keeps_the_timeline_and_names_only_recorded_tensors(
    traces: tuple[Trace, Trace, dict[str, torch.Tensor]],
) -> None:
    full, light, _ = traces
    assert [(s.phase, s.name) for s in light.steps] == [(s.phase, s.name) for s in full.steps]
    for step in light.steps:
        for role, key in step.tensors.items():
            assert key in light.tensors, (step.name, role, key)
    q = light.first("dec.0.self_attn.q", "forward")
    assert "weight" not in q.tensors and "x" in q.tensors  # dec.0's weights are norms only
    assert light.first("dec.1.self_attn.q", "forward").tensors["weight"] in light.tensors
    kept = sum(t.numel() * t.element_size() for t in light.tensors.values())
    whole = sum(t.numel() * t.element_size() for t in full.tensors.values())
    assert kept < whole


def test_a_large_model_is_traced_lightly_on_its_own(
    gpt2_folder: tuple[Path, GPT2LMHeadModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the ceiling the plan is the last block; a full trace is refused in one line."""
    bundle = load_folder(gpt2_folder[0])
    params = sum(p.numel() for p in bundle.model.parameters())
    assert not plan_trace(bundle.model).light
    monkeypatch.setattr(limits, "PARAM_TRACE_BYTES", limits.train_trace_bytes(params) - 1)
    plan = plan_trace(bundle.model)
    assert plan.light and plan.block == "dec.1" and plan.params == params
    assert plan.full_bytes == 4 * 7 * params  # 7 float32 copies of every parameter
    assert plan.bytes < limits.PARAM_TRACE_BYTES
    with pytest.raises(limits.LimitError) as refused:
        limits.check_train_trace(params, 0, params)
    assert len(str(refused.value).splitlines()) == 1
    assert f"{params:,}" in str(refused.value)
    trace = trace_step_on_copy(bundle, SRC, TGT)
    assert trace.meta["light"] and trace.meta["light_block"] == "dec.1"
    monkeypatch.setattr(limits, "PARAM_TRACE_BYTES", 1000)  # not even one block fits
    with pytest.raises(limits.LimitError, match="light trace"):
        trace_step_on_copy(bundle, SRC, TGT)
    with pytest.raises(ValueError, match=r"no block 'dec\.7'"):
        plan_trace(bundle.model, "dec.7")


def test_a_gpt2_small_config_fits_the_real_checkpoint_budget_only() -> None:
    """GPT-2 small (124,439,808 parameters, as published) opens as a real checkpoint; its
    full training-step trace is past the ceiling, and the light trace is not."""
    config = {
        "model_type": "gpt2",
        "n_layer": 12,
        "n_embd": 768,
        "n_head": 12,
        "n_positions": 1024,
        "vocab_size": 50257,
    }
    cfg, vocab = hf_gpt2.model_config(config, "config.json")
    params = cfg.parameter_count(vocab, vocab)
    assert params == 124_439_808 - (1024 - cfg.max_len) * 768  # positions past 512 unread
    limits.check_model(cfg, vocab, vocab, real=True)
    with pytest.raises(limits.LimitError):
        limits.check_model(cfg, vocab, vocab)  # the built-in models' budget
    with pytest.raises(limits.LimitError):
        limits.check_train_trace(params, 0, params)
    block = 12 * 768 * 768 + 4 * 768 + 2 * 768 * 3072 + 3072 + 768 + 4 * 768  # one layer
    assert limits.check_train_trace(block, 12 * 12 + 4, params) < limits.PARAM_TRACE_BYTES


def test_trace_on_a_large_model_says_it_traces_lightly(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = gpt2_folder[0]
    out = tmp_path / "step.npz"
    small = run(capsys, "trace", SRC, "--target", TGT, "--model", folder, "--out", out)
    assert small.rc == 0 and "light" not in small.err
    params = sum(p.numel() for p in load_folder(folder).model.parameters())
    monkeypatch.setattr(limits, "PARAM_TRACE_BYTES", limits.train_trace_bytes(params) - 1)
    res = run(capsys, "trace", SRC, "--target", TGT, "--model", folder, "--out", out, "--force")
    assert res.rc == 0, res.err
    note = [line for line in res.err_lines if line.startswith("note:")]
    assert len(note) == 1 and "light trace" in note[0] and "dec.1.*" in note[0]
    assert f"{params:,} parameters" in note[0]
    assert "steps, loss" in res.first_line


def test_a_light_parameter_is_narrated_with_its_norms(
    traces: tuple[Trace, Trace, dict[str, torch.Tensor]],
) -> None:
    """The step's sentence quotes the norms the full trace's tensors have (never a norm
    presented as a change, or as a gradient's largest entry), in English and Chinese."""
    from core.narration import narrate_step
    from core.narration_steps import explain, num

    full, light, _ = traces
    step = next(s for s in light.steps if s.narration == "update.adam_norms")
    ref = full.first(step.name, "update")
    change = _norm(full.tensors[ref.tensors["update"]])
    said = explain(light, step, "en")
    assert said.values["change"] == pytest.approx(change, rel=1e-5)
    assert f"change {num(change)}" in said.text and "four norms" in said.text
    assert "改变量" in explain(light, step, "zh").text
    grad = next(s for s in light.steps if s.narration == "backward.param_grad_norm")
    said = explain(light, grad, "en")
    assert said.values["grad"] == pytest.approx(_norm(full.tensors[GRAD + grad.name]), rel=1e-5)
    assert "norm" in said.text
    assert "norms only" in narrate_step(light, step, "en").title
    assert "范数" in narrate_step(light, step, "zh").title
    whole = full.steps[grad.index]  # the same step of the full trace: the whole gradient
    assert whole.name == grad.name and whole.narration == "backward.param_grad"
    for lang in ("en", "zh"):
        assert narrate_step(light, grad, lang).title != narrate_step(full, whole, lang).title
