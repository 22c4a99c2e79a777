"""GRPO against hand computations: advantages, clipped ratio, the k3 KL, beta; the traced
update's gradients against autograd."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pytest
import torch

from core.stages import grpo
from core.stages.grpo import GrpoSettings
from core.stages.pipeline import Pipeline
from core.stages.questions import sample_questions
from core.trace import GRAD


def test_advantages_by_hand_and_zero_mean() -> None:
    r = torch.tensor([[1.2, 0.0, 0.2, 1.2], [0.5, 0.5, 0.5, 0.5]])
    a = grpo.advantages(r)
    row = [1.2, 0.0, 0.2, 1.2]
    mean = sum(row) / 4
    std = math.sqrt(sum((x - mean) ** 2 for x in row) / 3)  # Bessel's correction
    want = [(x - mean) / (std + grpo.STD_EPS) for x in row]
    assert torch.allclose(a[0], torch.tensor(want), atol=1e-6)
    assert torch.allclose(a.mean(-1), torch.zeros(2), atol=1e-6)
    assert torch.equal(a[1], torch.zeros(4))  # equal rewards: no advantage


def test_loss_on_a_fixed_group_equals_a_hand_computation() -> None:
    logp = [[-0.5, -1.0, -2.0], [-0.1, -3.0, -0.7]]
    old = [[-0.6, -0.5, -2.0], [-0.9, -3.0, -0.2]]
    ref = [[-0.4, -1.5, -1.0], [-0.3, -2.0, -0.7]]
    mask = [[False, True, True], [True, True, False]]
    adv = [1.5, -0.8]
    eps, beta = 0.2, 0.3
    terms = []
    for i in range(2):
        for t in range(3):
            if not mask[i][t]:
                continue
            ratio = math.exp(logp[i][t] - old[i][t])
            clipped = min(max(ratio, 1 - eps), 1 + eps)
            surr = min(ratio * adv[i], clipped * adv[i])
            r = ref[i][t] - logp[i][t]
            kl = math.exp(r) - r - 1
            terms.append(-(surr - beta * kl))
    want = sum(terms) / len(terms)
    parts = grpo.grpo_loss(
        torch.tensor(logp),
        torch.tensor(old),
        torch.tensor(ref),
        torch.tensor(adv),
        torch.tensor(mask),
        eps,
        beta,
    )
    assert math.isclose(float(parts.loss), want, rel_tol=1e-6)
    assert parts.clipped > 0  # this group does clip (exp(-0.5) and exp(0.8) lie outside)


def _group(pipe: Pipeline, s: GrpoSettings, seed: int = 0) -> grpo.Group:
    policy, ref = pipe.model("grpo"), pipe.model("sft")
    questions = sample_questions(random.Random(seed), s.prompts)
    return grpo.sample_group(
        policy, ref, pipe.tok, questions, s, torch.Generator().manual_seed(seed)
    )


def _with_rewards(group: grpo.Group, total: torch.Tensor) -> grpo.Group:
    return grpo.Group(
        group.questions,
        group.answers,
        group.rewards,
        total,
        grpo.advantages(total),
        group.old_logp,
        group.ref_logp,
    )


def test_equal_rewards_give_no_policy_gradient(tiny_pipeline: Pipeline) -> None:
    s = GrpoSettings(group=4, prompts=2, beta=0.0)
    policy = copy.deepcopy(tiny_pipeline.model("grpo"))
    group = _with_rewards(_group(tiny_pipeline, s), torch.full((2, 4), 0.7))
    loss = grpo.group_loss(policy, group, s).loss
    grads = torch.autograd.grad(loss, list(policy.parameters()), allow_unused=True)
    assert all(g is None or float(g.abs().max()) == 0.0 for g in grads)
    varied = _with_rewards(group, torch.tensor([[1.0, 0.0, 0.2, 1.2], [0.0, 1.0, 0.0, 0.0]]))
    grads = torch.autograd.grad(grpo.group_loss(policy, varied, s).loss, list(policy.parameters()))
    assert max(float(g.abs().max()) for g in grads) > 0  # the check above can fail


def test_large_beta_keeps_the_policy_near_the_reference(tiny_pipeline: Pipeline) -> None:
    def kl_after(beta: float) -> float:
        s = GrpoSettings(group=4, prompts=2, beta=beta)
        policy = copy.deepcopy(tiny_pipeline.model("sft"))
        opt = torch.optim.Adam(policy.parameters(), lr=1e-2)
        group = _with_rewards(
            _group(tiny_pipeline, s), torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 1.0]])
        )
        for _ in range(8):
            grpo.update(policy, opt, group, s)
        with torch.no_grad():
            return grpo.group_loss(policy, group, s).kl

    free, leashed = kl_after(0.0), kl_after(1000.0)
    assert leashed < 0.01
    assert leashed < free / 5


def test_traced_update_gradients_equal_autograd(tiny_pipeline: Pipeline) -> None:
    s = GrpoSettings(group=4, prompts=2, beta=0.1)
    group = _with_rewards(
        _group(tiny_pipeline, s), torch.tensor([[1.0, 0.0, 0.2, 1.2], [0.0, 1.0, 0.0, 0.2]])
    )
    policy = copy.deepcopy(tiny_pipeline.model("grpo"))
    params = dict(policy.named_parameters())
    want = torch.autograd.grad(grpo.group_loss(policy, group, s).loss, list(params.values()))
    opt = torch.optim.Adam(policy.parameters(), lr=1e-3)
    trace = grpo.trace_update(policy, opt, group, s, tiny_pipeline.tok)
    for (name, _), g in zip(params.items(), want, strict=True):
        assert torch.allclose(trace.tensors[GRAD + name], g, atol=1e-6), name
    names = [st.name for st in trace.steps if st.phase in ("forward", "loss")]
    for n in (
        "grpo.group",
        "grpo.rewards",
        "grpo.advantages",
        "grpo.logp",
        "grpo.ref_logp",
        "grpo.ratio",
        "grpo.ratio_clipped",
        "grpo.kl",
        "loss",
    ):
        assert n in names
    assert names.index("grpo.advantages") < names.index("grpo.ratio") < names.index("loss")
    assert trace.find("*", "backward") and trace.find("*", "update")
    kl = trace.value("grpo.kl")
    r = trace.value("grpo.log_ratio_ref")
    assert abs(kl - (math.e**r - r - 1)).max() < 1e-5
    after = trace.tensors["head.weight@after"]
    assert torch.equal(after, policy.head.weight.detach())  # it did update


def test_pipeline_traces_an_update_on_a_copy(
    tiny_pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core import trace_io

    sampled = tiny_pipeline.grpo_group  # the tiny model's answers all score 0: vary them
    varied = torch.tensor([[1.0, 0.0, 0.2, 1.2], [0.0, 1.0, 0.0, 0.2]])
    monkeypatch.setattr(
        tiny_pipeline, "grpo_group", lambda step: _with_rewards(sampled(step), varied)
    )
    before = [x.clone() for x in tiny_pipeline.model("grpo").parameters()]
    trace = tiny_pipeline.trace_grpo_update(step=0)
    after = list(tiny_pipeline.model("grpo").parameters())
    assert all(torch.equal(x, y) for x, y in zip(before, after, strict=True))
    mask = trace.value("grpo.mask").astype(bool)
    ratio = trace.value("grpo.ratio")[mask]
    assert abs(ratio - 1).max() > 1e-4  # the second inner step: ratios have moved
    trace_io.save_npz(trace, tmp_path / "grpo.npz")
