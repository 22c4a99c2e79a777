"""Every shape of the family traces like the translator: traced == untraced bit for
bit, every recorded gradient == autograd's, backward steps in autograd's order, names
that mirror the parameters."""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.config import ModelConfig
from core.models import build_model
from core.trace import GRAD, Intervention, Tracer, point
from tests.core.grad_check import assert_traced_is_untraced, trace_and_autograd

SMALL: dict[str, Any] = {"d_model": 16, "n_heads": 2, "n_enc_layers": 2, "n_dec_layers": 2}
MOE: dict[str, Any] = {"ffn": "moe", "n_experts": 3, "d_ff": 24}
PICTURES: dict[str, Any] = {"inputs": "patches", "image_size": 8, "patch_size": 4, "channels": 2}
SHAPES: dict[str, dict[str, Any]] = {
    "encoder-decoder-moe": {**MOE, "top_k": 2},
    "decoder-only": {"arch": "decoder-only"},
    "decoder-only-moe-pre": {"arch": "decoder-only", **MOE, "norm": "pre", "final_norm": True},
    "encoder-only-tokens-moe": {"arch": "encoder-only", "n_labels": 3, **MOE},
    "encoder-only-patches": {"arch": "encoder-only", "n_labels": 2, **PICTURES},
    "encoder-only-patches-moe": {"arch": "encoder-only", "n_labels": 2, **PICTURES, **MOE},
}


def _setup(shape: str) -> tuple[nn.Module, ModelConfig, tuple[Tensor, ...], Tensor]:
    """A small seeded model, a padded batch and its labels."""
    torch.manual_seed(0)
    cfg = ModelConfig(**SMALL, **SHAPES[shape])
    model = build_model(cfg, src_vocab=15, tgt_vocab=17).train()
    ids = torch.randint(4, 15, (3, 6))
    ids[2, 4:] = 0  # padding
    if cfg.arch == "encoder-decoder":
        tgt = torch.randint(4, 17, (3, 5))
        tgt[1, 3:] = 0
        return model, cfg, (ids, tgt), torch.randint(4, 17, (3, 5))
    if cfg.arch == "decoder-only":
        return model, cfg, (ids,), torch.randint(4, 17, (3, 6))
    if cfg.inputs == "patches":
        return model, cfg, (torch.rand(3, 2, 8, 8),), torch.tensor([0, 1, 1])
    return model, cfg, (ids,), torch.tensor([2, 0, 1])


def _loss(model: nn.Module, cfg: ModelConfig, inputs: tuple[Tensor, ...], labels: Tensor) -> Tensor:
    """Cross-entropy plus the weighted load-balancing loss, as a trainer adds it."""
    logits = model(*inputs)
    task = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
    total = task + cfg.aux_loss_weight * model.aux_loss()
    return point("loss", total, "loss", {"logits": "cls.logits" if logits.ndim == 2 else "logits"})


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_traced_equals_untraced_bitwise(shape: str) -> None:
    model, cfg, inputs, labels = _setup(shape)
    tracer = assert_traced_is_untraced(model, lambda: _loss(model, cfg, inputs, labels))
    if cfg.ffn == "moe":
        assert tracer.trace.find("*.moe.aux_loss")


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_recorded_gradients_equal_autograd(shape: str) -> None:
    model, cfg, inputs, labels = _setup(shape)
    recorded, pairs = trace_and_autograd(model, lambda: _loss(model, cfg, inputs, labels))
    checked = 0
    for name, grad in pairs:
        if grad is None:
            assert GRAD + name not in recorded, name
            continue
        torch.testing.assert_close(recorded[GRAD + name], grad, atol=0, rtol=0, msg=name)
        checked += 1
    assert checked == len([g for _, g in pairs if g is not None]) > 60
    if cfg.ffn == "moe":  # the router learns from the task loss and the aux loss
        layer = "dec.0" if cfg.arch == "decoder-only" else "enc.0"
        assert GRAD + f"{layer}.moe.router.weight" in recorded


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_backward_steps_follow_autograd_order(shape: str) -> None:
    """A tensor's gradient is only known after the gradients of everything it fed."""
    model, cfg, inputs, labels = _setup(shape)
    tracer = Tracer(grads=True)
    tracer.watch_parameters(model, clone=False)
    with tracer.active():
        loss = _loss(model, cfg, inputs, labels)
    loss.backward()
    tracer.close()
    trace = tracer.trace
    back = {s.tensors["value"]: s.index for s in trace.steps if s.phase == "backward"}
    assert trace.steps[min(back.values())].name == "loss"
    pairs = 0
    for step in trace.steps:
        if step.phase != "forward":
            continue
        for role, key in step.tensors.items():
            assert key in trace.tensors, (step.name, role, key)  # every input names a tensor
            if step.key in back and role != "out" and key in back:
                assert back[key] > back[step.key], (key, step.key)
                pairs += 1
    assert pairs > 50


EXPECTED = {  # shape -> (names a trace must have, names it must not have)
    "encoder-decoder-moe": (
        "src.input enc.0.moe.router.logits enc.1.moe.combine dec.0.cross_attn.weights "
        "dec.1.moe.topk.experts dec.1.moe.expert.2.out dec.1.moe.aux_loss logits",
        "enc.0.ffn.out",
    ),
    "decoder-only": (
        "tgt.tokens tgt.input dec.0.self_attn.masked dec.1.ffn.out dec.1.norm2 logits",
        "src.tokens dec.0.cross_attn.q dec.0.norm3 dec.norm",
    ),
    "decoder-only-moe-pre": (
        "dec.0.norm1 dec.0.moe.router.probs dec.1.moe.topk.weights dec.norm logits",
        "dec.0.ffn.hidden dec.0.cross_attn.q",
    ),
    "encoder-only-tokens-moe": (
        "src.tokens enc.1.moe.combine cls.vector cls.logits cls.probs",
        "tgt.tokens logits src.patches",
    ),
    "encoder-only-patches": (
        "src.image src.patches src.patch_embed src.cls src.pos src.input enc.1.ffn.out "
        "cls.vector cls.logits cls.probs",
        "src.tokens enc.0.self_attn.masked dec.0.self_attn.q",
    ),
}


@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_named_steps_and_parameters_mirror(shape: str) -> None:
    model, cfg, inputs, labels = _setup(shape)
    tracer = Tracer(grads=False)
    with tracer.active():
        _loss(model, cfg, inputs, labels)
    names = {s.name for s in tracer.trace.steps}
    present, absent = EXPECTED[shape]
    assert not set(present.split()) - names
    assert not set(absent.split()) & names
    params = {n for n, _ in model.named_parameters()}
    for step in tracer.trace.steps:  # a step's "weight" is a real parameter's name
        weight = step.tensors.get("weight")
        if weight is not None:
            assert weight in params, (step.name, weight)
    if cfg.ffn == "moe":
        layer = "dec.0" if cfg.arch == "decoder-only" else "enc.0"
        assert f"{layer}.moe.router.weight" in params
        assert f"{layer}.moe.experts.2.lin1.weight" in params
        step = tracer.trace.first(f"{layer}.moe.expert.1.hidden")
        assert step.block[-2:] == (f"{layer}.moe.expert", f"{layer}.moe.expert.1")
        assert step.layer == 0
    if cfg.arch == "decoder-only":
        step = tracer.trace.first("dec.0.self_attn.scores")
        assert step.axes == ("batch", "head", "tgt", "tgt")
        w = tracer.trace.tensors["dec.0.self_attn.weights"]
        assert torch.all(w.triu(1) == 0)  # no token attends to a later one


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_an_intervention_reruns_everything_downstream(shape: str) -> None:
    model, cfg, inputs, labels = _setup(shape)
    layer = "dec.0" if cfg.arch == "decoder-only" else "enc.0"
    runs = []
    for interventions in ([], [Intervention(f"{layer}.self_attn.context", "zero", head=1)]):
        tracer = Tracer(grads=False, interventions=interventions)
        with torch.no_grad(), tracer.active():
            _loss(model, cfg, inputs, labels)
        runs.append(tracer.trace)
    clean, changed = runs
    keys = [s.key for s in clean.steps]
    at = keys.index(f"{layer}.self_attn.context")
    for key in keys[:at]:  # upstream: untouched
        assert torch.equal(clean.tensors[key], changed.tensors[key]), key
    assert (changed.tensors[f"{layer}.self_attn.context"][:, 1] == 0).all()
    for key in (f"{layer}.self_attn.out", "loss"):  # downstream: recomputed
        assert not torch.equal(clean.tensors[key], changed.tensors[key]), key
