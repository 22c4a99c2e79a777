"""The mixture-of-experts layer against a plain per-token loop, its load-balancing loss
against numbers worked by hand, and interventions on the router."""

from __future__ import annotations

import contextlib
import copy
import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from core.config import ModelConfig
from core.models import build_model
from core.moe import MoEFeedForward, aux_loss
from core.trace import Intervention, Tracer

AXES = ("batch", "src", "dim")


def _moe(top_k: int, n_experts: int = 4, activation: str = "relu") -> MoEFeedForward:
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=8,
        n_heads=2,
        d_ff=12,
        ffn="moe",
        n_experts=n_experts,
        top_k=top_k,
        activation=activation,  # type: ignore[arg-type]
    )
    return MoEFeedForward(cfg, "enc.0.moe")


def _loop_reference(moe: MoEFeedForward, x: Tensor) -> Tensor:
    """Token by token: softmax over the router, the k best, their experts, weighted sum."""
    act = F.relu if moe.experts[0].act == "relu" else F.gelu
    rows = []
    for token in x.reshape(-1, x.shape[-1]):  # (D,)
        probs = torch.softmax(token @ moe.router.weight.T, dim=-1)  # (E,)
        total = torch.zeros_like(token)
        for e in probs.topk(moe.k).indices.tolist():
            expert = moe.experts[e]
            hidden = act(token @ expert.lin1.weight.T + expert.lin1.bias)  # (F,)
            total = total + probs[e] * (hidden @ expert.lin2.weight.T + expert.lin2.bias)
        rows.append(total)
    return torch.stack(rows).view_as(x)


@pytest.mark.parametrize(
    ("top_k", "activation"), [(1, "relu"), (1, "gelu"), (2, "relu"), (2, "gelu")]
)
def test_moe_equals_a_per_token_loop(top_k: int, activation: str) -> None:
    moe = _moe(top_k, activation=activation)
    x = torch.randn(3, 7, 8, requires_grad=True)
    out = moe(x, "x", AXES)
    want = _loop_reference(moe, x)
    torch.testing.assert_close(out, want, atol=1e-5, rtol=0)
    # and the gradients of the input and of every parameter (router included)
    seed = torch.randn_like(out)
    wrt = [x, *moe.parameters()]
    ours = torch.autograd.grad((out * seed).sum(), wrt)
    ref = torch.autograd.grad((want * seed).sum(), wrt)
    for name, a, b in zip(["x"] + [n for n, _ in moe.named_parameters()], ours, ref, strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0, msg=name)
    assert ours[1].abs().sum() > 0  # the task loss does teach the router


def test_each_expert_sees_exactly_its_tokens() -> None:
    moe = _moe(2)
    x = torch.randn(2, 9, 8)
    tracer = Tracer(grads=False)
    with tracer.active():
        moe(x, "x", AXES)
    t = tracer.trace.tensors
    chosen = t["enc.0.moe.topk.experts"]  # (B, L, k)
    assert chosen.shape == (2, 9, 2) and chosen.dtype == torch.int64
    counts = torch.bincount(chosen.reshape(-1), minlength=4)
    for e in range(4):
        assert t[f"enc.0.moe.expert.{e}.hidden"].shape == (int(counts[e]), 12)
        assert t[f"enc.0.moe.expert.{e}.out"].shape == (int(counts[e]), 8)
    probs = t["enc.0.moe.router.probs"]
    torch.testing.assert_close(t["enc.0.moe.topk.weights"], probs.gather(-1, chosen))


# Load balancing, by hand. Router = identity on 2 dimensions and 2 experts, so a token
# (a, b) has probabilities softmax(a, b):
#   (ln 3, 0) -> (3/4, 1/4), top-1 expert 0        (0, ln 3) -> (1/4, 3/4), expert 1
#   (0, ln 9) -> (1/10, 9/10), expert 1
# Tokens 1-4: (ln3,0), (0,ln3), (ln3,0), (ln3,0); token 5: (0, ln9), padding.
# Real tokens only: f = (3/4, 1/4); P = ((3/4+1/4+3/4+3/4)/4, (1/4+3/4+1/4+1/4)/4)
#   = (0.625, 0.375); aux = 2 * (0.75 * 0.625 + 0.25 * 0.375) = 2 * 0.5625 = 1.125.
# All five tokens: f = (3/5, 2/5); P = (2.6/5, 2.4/5) = (0.52, 0.48);
#   aux = 2 * (0.6 * 0.52 + 0.4 * 0.48) = 2 * 0.504 = 1.008.
L3, L9 = math.log(3), math.log(9)
TOKENS = [[L3, 0.0], [0.0, L3], [L3, 0.0], [L3, 0.0], [0.0, L9]]


@pytest.mark.parametrize(("top_k", "activation"), [(1, "relu"), (1, "gelu"), (2, "relu")])
def test_untraced_equals_traced_bitwise_at_the_shipped_size(top_k: int, activation: str) -> None:
    """Untraced, the experts run without their trace points (Expert.plain, and top-1
    combines by a permutation): the same bits as the traced loop, output, aux loss and
    every gradient, at moe-de's size, with padding and an expert no token chooses."""
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=64,
        n_heads=4,
        d_ff=128,
        ffn="moe",
        n_experts=4,
        top_k=top_k,
        activation=activation,  # type: ignore[arg-type]
    )
    moe = MoEFeedForward(cfg, "dec.0.moe").train()
    with torch.no_grad():  # positive tokens: expert 3's logit is always the lowest
        moe.router.weight[:3].abs_()
        moe.router.weight[3] = -moe.router.weight[3].abs()
    x = torch.rand(8, 16, 64, requires_grad=True)
    keep = torch.arange(16)[None, :] < torch.randint(6, 17, (8, 1))  # (B, L) padded
    seed = torch.randn_like(x)
    results = []
    for traced in (False, True):
        tracer = Tracer(grads=False)
        with tracer.active() if traced else contextlib.nullcontext():
            out = moe(x, "x", AXES, keep)
            aux = aux_loss(moe)
        wrt = [x, *moe.parameters()]
        grads = torch.autograd.grad((out * seed).sum() + cfg.aux_loss_weight * aux, wrt)
        results.append([out, aux, *grads])
    assert tracer.trace.tensors["dec.0.moe.expert.3.out"].shape[0] == 0
    for a, b in zip(*results, strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("top_k", [1, 2])  # f counts the top-1 choice either way
def test_load_balancing_loss_by_hand(top_k: int) -> None:
    cfg = ModelConfig(d_model=2, n_heads=1, d_ff=3, ffn="moe", n_experts=2, top_k=top_k)
    moe = MoEFeedForward(cfg, "enc.0.moe")
    with torch.no_grad():
        moe.router.weight.copy_(torch.eye(2))
    x = torch.tensor([TOKENS])  # (1, 5, 2)
    keep = torch.tensor([[True, True, True, True, False]])
    moe(x, "x", AXES, keep)
    aux = moe.last_aux_loss()
    assert aux is not None
    torch.testing.assert_close(aux, torch.tensor(1.125), atol=1e-6, rtol=0)
    moe(x, "x", AXES)
    torch.testing.assert_close(moe.last_aux_loss(), torch.tensor(1.008), atol=1e-6, rtol=0)


def test_a_perfectly_even_router_costs_one() -> None:
    cfg = ModelConfig(d_model=2, n_heads=1, d_ff=3, ffn="moe", n_experts=2)
    moe = MoEFeedForward(cfg, "m")
    with torch.no_grad():
        moe.router.weight.copy_(torch.eye(2))
    moe(torch.tensor([[[L3, 0.0], [0.0, L3]]]), "x", AXES)  # f = P = (1/2, 1/2)
    torch.testing.assert_close(moe.last_aux_loss(), torch.tensor(1.0), atol=1e-6, rtol=0)


def _moe_decoder() -> tuple[torch.nn.Module, Tensor]:
    torch.manual_seed(3)
    cfg = ModelConfig(
        arch="decoder-only", d_model=16, n_heads=2, n_dec_layers=2, d_ff=24, ffn="moe"
    )
    model = build_model(cfg, 20, 20)
    tokens = torch.randint(4, 20, (3, 8))
    tokens[1, 6:] = 0  # padding
    return model, tokens


def test_model_aux_loss_sums_the_layers_and_trains_the_router() -> None:
    model, tokens = _moe_decoder()
    tracer = Tracer(grads=False)
    with tracer.active():
        model(tokens)
    t = tracer.trace.tensors
    layers = t["dec.0.moe.aux_loss"] + t["dec.1.moe.aux_loss"]
    aux = model.aux_loss()
    torch.testing.assert_close(aux.detach(), layers, atol=0, rtol=0)
    (grad,) = torch.autograd.grad(aux, [model.dec[0].moe.router.weight])
    assert grad.abs().sum() > 0
    dense = build_model(ModelConfig(arch="decoder-only"), 20, 20)
    dense(tokens)
    assert float(dense.aux_loss()) == 0.0


def test_a_model_that_ran_can_be_copied() -> None:
    """Training one step on a copy of the model must work after any forward."""
    model, tokens = _moe_decoder()
    model(tokens)
    clone = copy.deepcopy(model)
    assert clone.aux_loss().item() == 0.0  # the copy has not run yet
    assert torch.equal(clone(tokens), model(tokens))


def test_disabling_an_expert_routes_no_token_to_it() -> None:
    model, tokens = _moe_decoder()
    clean = Tracer(grads=False)
    with clean.active():
        model(tokens)
    name = "dec.0.moe.router.logits"
    used = torch.bincount(clean.trace.tensors["dec.0.moe.topk.experts"].reshape(-1))
    busiest = int(used.argmax())
    assert used[busiest] > 0
    off = Intervention(name, "replace", float("-inf"), index=(slice(None), slice(None), busiest))
    tracer = Tracer(grads=False, interventions=[off])
    with tracer.active():
        model(tokens)
    t = tracer.trace.tensors
    assert not (t["dec.0.moe.topk.experts"] == busiest).any()
    assert t[f"dec.0.moe.expert.{busiest}.out"].shape[0] == 0
    assert (t["dec.0.moe.router.probs"][..., busiest] == 0).all()
    # everything downstream was recomputed: the layer's output and the logits changed
    for key in ("dec.0.moe.combine", "dec.1.add1", "logits"):
        assert not torch.equal(t[key], clean.trace.tensors[key]), key
    # and a layer the intervention does not reach is untouched
    assert torch.equal(t["dec.0.norm1"], clean.trace.tensors["dec.0.norm1"])


def test_forcing_a_token_to_another_expert() -> None:
    model, tokens = _moe_decoder()
    clean = Tracer(grads=False)
    with clean.active():
        model(tokens)
    first = int(clean.trace.tensors["dec.1.moe.topk.experts"][0, 2, 0])
    other = (first + 1) % 4
    force = Intervention("dec.1.moe.topk.experts", "replace", other, index=(0, 2, 0))
    tracer = Tracer(grads=False, interventions=[force])
    with tracer.active():
        model(tokens)
    t = tracer.trace.tensors
    assert int(t["dec.1.moe.topk.experts"][0, 2, 0]) == other
    # the weight is the router's probability of the expert it now goes to
    probs = t["dec.1.moe.router.probs"][0, 2]
    torch.testing.assert_close(t["dec.1.moe.topk.weights"][0, 2, 0], probs[other])
    assert not torch.equal(t["logits"][0, 2], clean.trace.tensors["logits"][0, 2])
    assert torch.equal(t["logits"][0, :2], clean.trace.tensors["logits"][0, :2])  # causal
