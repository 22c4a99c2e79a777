"""The narration of a traced GRPO update and of ``trace_answer`` (core.narration_grpo).

Every step of the update has its own text in both languages, and every number a GRPO
sentence quotes is recomputed here from the group's inputs: the advantages from the rewards
this test chose, the ratio and the KL from the traced log-probabilities, the loss from
all of them with numpy (not with ``core.stages.grpo``)."""

from __future__ import annotations

import copy
import dataclasses
import re

import numpy as np
import pytest
import torch

from core import narration
from core.narration_steps import explain, num
from core.stages import evidence, grpo
from core.stages.pipeline import Pipeline
from core.stages.questions import THE_QUESTION, Reward
from core.trace import Step, Trace
from tests.core.stages.conftest import tiny_settings

# (right, format, hack) of each answer: question 1 has a clear winner, question 2 a group
# whose answers all score the same (advantage 0)
REWARDS = [(1.0, 0.2, 0.0), (0.0, 0.0, 0.0), (0.0, 0.2, 0.0), (0.0, 0.0, 0.0)] + [
    (0.0, 0.2, 0.0)
] * 4
BETA, EPS = 0.3, 0.2
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    p = Pipeline(tiny_settings())
    assert p.run()
    return p


@pytest.fixture(scope="module")
def traced(pipeline: Pipeline) -> Trace:
    """A GRPO update on a real sampled group whose rewards this test chose, after one
    untraced update on it (so the ratios have left 1 and some are clipped)."""
    group = pipeline.grpo_group(0)
    rows = tuple(Reward(*r) for r in REWARDS)
    total = torch.tensor([r.total for r in rows]).view(2, 4)
    group = dataclasses.replace(
        group, rewards=rows, reward_total=total, advantages=grpo.advantages(total)
    )
    settings = dataclasses.replace(pipeline.settings.grpo, beta=BETA, clip_eps=EPS)
    policy = copy.deepcopy(pipeline.model("grpo"))
    opt = torch.optim.Adam(policy.parameters(), lr=0.01)
    grpo.update(policy, opt, group, settings)
    trace = grpo.trace_update(policy, opt, group, settings, pipeline.tok)
    trace.meta.update(inner_step=2)
    return trace


def _arr(trace: Trace, name: str) -> np.ndarray:
    return np.asarray(trace.value(name), dtype=np.float64)


def _step(trace: Trace, name: str, phase: str) -> Step:
    return next(s for s in trace.steps if s.name == name and s.phase == phase)


def _own(step: Step) -> bool:
    """A step of GRPO's own (not the policy's Transformer forward or backward)."""
    return step.name.startswith("grpo.") or step.name == "loss"


def _independent_advantages() -> np.ndarray:
    r = np.array([sum(x) for x in REWARDS]).reshape(2, 4)
    std = r.std(axis=1, ddof=1, keepdims=True)
    return ((r - r.mean(axis=1, keepdims=True)) / (std + 1e-4)).reshape(-1)  # (N,)


def test_every_step_of_the_update_has_a_text_in_both_languages(traced: Trace) -> None:
    for step in traced.steps:
        en, zh = (narration.narrate_step(traced, step, lang) for lang in ("en", "zh"))
        assert en.title and en.text and zh.title and zh.text, step.name
        assert CJK.search(zh.text) and not CJK.search(en.text), step.name
        if _own(step) or step.phase == "update":  # GRPO's text, not the general one
            assert en != _general(step), step.name
            assert _key_used(traced, step).endswith("@grpo"), step.name


def _general(step: Step) -> narration.Narration | None:
    try:
        return narration.narrate(step.narration, "en")
    except KeyError:  # e.g. forward.reward: no general text at all
        return None


def _key_used(trace: Trace, step: Step) -> str:
    from core.narration_grpo import keys

    texts = narration.catalog("en")
    return next(k for k in keys(trace, step) if k in texts)


def test_grpo_texts_are_not_the_cross_entropy_ones(traced: Trace) -> None:
    loss = narration.narrate_step(traced, _step(traced, "loss", "loss"), "en")
    assert loss != narration.narrate("loss.loss", "en") and "GRPO" in loss.title
    kl = narration.narrate_step(traced, _step(traced, "grpo.kl", "loss"), "zh")
    assert "KL 散度" in kl.title and "exp(r) − r − 1" in kl.formula
    adv = narration.narrate_step(traced, _step(traced, "grpo.advantages", "forward"), "zh")
    assert "优势" in adv.title
    ref = narration.narrate_step(traced, _step(traced, "grpo.ref_logp", "forward"), "zh")
    assert "参考模型" in ref.title


def test_every_grpo_sentence_is_its_own_in_both_languages(traced: Trace) -> None:
    named = [s for s in traced.steps if _own(s) and s.phase in ("forward", "loss")]
    assert len({s.name for s in named}) == 14  # group ... per_token, loss
    for step in named:
        en, zh = (explain(traced, step, lang).text for lang in ("en", "zh"))
        assert f"For {step.name}:" not in en and "numbers, from" not in en, step.name
        assert "answer" in en or "Answer" in en or "group" in en, (step.name, en)
        assert CJK.search(zh) and zh != en, step.name


def test_the_advantage_is_recomputed_from_the_rewards(traced: Trace) -> None:
    want = _independent_advantages()
    got = explain(traced, _step(traced, "grpo.advantages", "forward"), "en")
    i = int(np.argmax(np.abs(want)))  # the sentence's default: the largest |A|
    assert i == 0 and f"answer {i + 1} " in got.text
    assert got.values["advantage"] == pytest.approx(want[i], abs=1e-5)
    first_group = [sum(r) for r in REWARDS[:4]]
    assert got.values["mean"] == pytest.approx(np.mean(first_group))
    assert got.values["std"] == pytest.approx(np.std(first_group, ddof=1), rel=1e-5)
    assert f"= {num(want[i])}: its tokens are pushed up" in got.text
    worse = explain(traced, _step(traced, "grpo.advantages", "forward"), "en", row=1)
    assert worse.values["advantage"] == pytest.approx(want[1], abs=1e-5)
    assert want[1] < 0
    assert "pushed down" in worse.text
    flat = explain(traced, _step(traced, "grpo.advantages", "forward"), "zh", row=5)
    assert "优势全为 0" in flat.text and flat.values["advantage"] == 0.0


def test_the_reward_quotes_the_answer_and_its_parts(traced: Trace) -> None:
    got = explain(traced, _step(traced, "grpo.rewards", "forward"), "en", row=2)
    assert got.values["reward"] == pytest.approx(0.2)
    assert (got.values["right"], got.values["format"]) == (0.0, pytest.approx(0.2))
    assert f"“{traced.meta['answers'][2]}”" in got.text


def test_ratio_kl_and_clipping_are_recomputed_from_the_log_probs(traced: Trace) -> None:
    logp, old, ref = (_arr(traced, f"grpo.{n}") for n in ("logp", "old_logp", "ref_logp"))
    mask = _arr(traced, "grpo.mask").astype(bool)
    ratio = np.exp(logp - old)
    r = ref - logp
    kl = np.exp(r) - r - 1
    i = 0
    where = np.flatnonzero(mask[i])
    t_ratio = where[np.argmax(np.abs(ratio[i, where] - 1))]
    got = explain(traced, _step(traced, "grpo.ratio", "loss"), "en")
    assert got.values["ratio"] == pytest.approx(ratio[i, t_ratio], rel=1e-4)
    assert abs(got.values["ratio"] - 1) > 1e-3  # the earlier update moved the policy
    t_kl = where[np.argmax(np.abs(r[i, where]))]
    got = explain(traced, _step(traced, "grpo.kl", "loss"), "en")
    assert got.values["r"] == pytest.approx(r[i, t_kl], rel=1e-4, abs=1e-6)
    assert got.values["kl"] == pytest.approx(kl[i, t_kl], rel=1e-4, abs=1e-7)
    assert got.values["kl_mean"] == pytest.approx(kl[mask].mean(), rel=1e-4, abs=1e-7)
    assert f"KL = {num(kl[i, t_kl])}" in got.text
    outside = ((ratio < 1 - EPS) | (ratio > 1 + EPS)) & mask
    got = explain(traced, _step(traced, "grpo.ratio_clipped", "loss"), "zh")
    assert got.values["clipped"] == outside.sum() and got.values["total"] == mask.sum()
    assert f"有 {int(outside.sum())} 个超出范围被裁剪" in got.text


def test_the_loss_is_recomputed_from_its_inputs(traced: Trace) -> None:
    logp, old, ref = (_arr(traced, f"grpo.{n}") for n in ("logp", "old_logp", "ref_logp"))
    mask = _arr(traced, "grpo.mask").astype(bool)
    a = _independent_advantages()[:, None]  # (N, 1)
    ratio = np.exp(logp - old)
    surr = np.minimum(ratio * a, np.clip(ratio, 1 - EPS, 1 + EPS) * a)
    r = ref - logp
    per_token = -(surr - BETA * (np.exp(r) - r - 1))
    got = explain(traced, _step(traced, "loss", "loss"), "en")
    assert got.values["loss"] == pytest.approx(per_token[mask].mean(), rel=1e-4, abs=1e-6)
    assert got.values["tokens"] == mask.sum()
    mine = explain(traced, _step(traced, "grpo.per_token", "loss"), "en")
    assert mine.values["loss"] == pytest.approx(per_token[0][mask[0]].mean(), rel=1e-4)
    assert mine.values["beta"] == BETA and f"β = {num(BETA)}" in mine.text


def test_the_log_prob_gradient_says_which_tokens_only_the_kl_pulls(traced: Trace) -> None:
    got = explain(traced, _step(traced, "grpo.logp", "backward"), "en")
    ratio = np.exp(_arr(traced, "grpo.logp") - _arr(traced, "grpo.old_logp"))[0]
    mask = _arr(traced, "grpo.mask").astype(bool)[0]
    assert got.values["clipped"] == int((ratio[mask] > 1 + EPS).sum())  # A > 0 for answer 1
    grad = _arr(traced, _step(traced, "grpo.logp", "backward").tensors["out"])
    assert got.values["first"] == pytest.approx(grad[0][mask][0])


def test_the_pipelines_own_trace_is_narrated(pipeline: Pipeline) -> None:
    trace = pipeline.trace_grpo_update()
    for step in trace.steps:
        for lang in ("en", "zh"):
            assert narration.narrate_step(trace, step, lang).text
            assert explain(trace, step, lang).text
    tokens = explain(trace, _step(trace, "tgt.tokens", "forward"), "en").text
    assert "“which”" in tokens  # named from the trace's meta, not by id


def test_trace_answer_is_told_at_the_decisive_position(pipeline: Pipeline) -> None:
    q = THE_QUESTION
    trace = evidence.trace_answer(pipeline.model("pretrain"), pipeline.tok, q, q.wrong)
    choice = evidence.choice(trace, pipeline.tok, q)
    got = explain(trace, _step(trace, "logits", "forward"), "en")
    first, second = re.findall(r"\d+\.\d+", q.prompt)
    want = {q.answer: choice.p_right, q.wrong: choice.p_wrong}
    assert got.values["p_first"] == pytest.approx(want[first], rel=1e-4)
    assert got.values["p_second"] == pytest.approx(want[second], rel=1e-4)
    assert f"P(“{first.split('.')[1]}”) = {num(want[first])}" in got.text
    softmax = explain(trace, _step(trace, "dec.0.self_attn.weights", "forward"), "en")
    decisive = trace.meta["tokens"][trace.meta["decision"]]
    assert f"“{decisive}”" in softmax.text
    for step in trace.steps:
        assert narration.narrate_step(trace, step, "zh").text
