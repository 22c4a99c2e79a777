"""Stage 3, reinforcement learning with GRPO (group relative policy optimisation).

For each prompt the policy samples a group of G answers; a rule scores each
(``questions.reward``: right answer, expected format, and optionally a deliberately
hackable part that pays for length). GRPO needs no value network: an answer's advantage is
its reward relative to its own group::

    A_i = (r_i - mean(r)) / (std(r) + 1e-4)      std with Bessel's correction (G - 1)

so a group whose answers all score the same teaches nothing (A = 0). The loss, for every
answer token t of answer i (``mask``), is::

    ratio  = exp(log pi(t) - log pi_old(t))         pi_old: the policy that sampled the group
    surr   = min(ratio * A_i, clip(ratio, 1 - eps, 1 + eps) * A_i)
    r      = log pi_ref(t) - log pi(t)              pi_ref: the frozen SFT model
    kl     = exp(r) - r - 1                         Schulman's unbiased, always >= 0 "k3"
    loss   = mean over all answer tokens of the group of -(surr - beta * kl)

(the mean is per token over the whole group, not per answer first). ``beta`` is the KL
leash: at 0 the policy may chase the reward anywhere, including into a hackable reward;
large, it stays near the reference. Log-probabilities are the model's own (temperature 1);
the sampling temperature only shapes exploration.

``grpo_loss`` is one function with a trace point at every op, so ``trace_update`` records
the group, rewards, advantages, per-token log-probs (policy, old, reference), ratios,
clipping, KL and loss, then the backward pass and Adam's update per parameter exactly as
``core.tracing.trace_batch_step`` does -- a window steps it op by op -- while ``update``
runs the same code untraced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core.model_decoder import DecoderOnly
from core.stages.lm import Answers, generate, prompt_ids, token_logprobs
from core.stages.questions import Question, Reward, reward
from core.stages.tokenizer import StageTokenizer
from core.trace import Trace, Tracer, point
from core.tracing import record_update

STD_EPS = 1e-4
GRAD_CLIP = 1.0


@dataclass(frozen=True)
class GrpoSettings:
    """One GRPO update's knobs (the pipeline's defaults are its built-in settings)."""

    group: int = 8  # G answers sampled per prompt
    prompts: int = 8  # prompts per update
    temperature: float = 1.0
    beta: float = 0.04  # KL weight; 0 removes the leash
    clip_eps: float = 0.2
    format_weight: float = 0.2
    hack_weight: float = 0.0  # > 0: the length-paying, hackable reward
    inner_steps: int = 2  # updates on one sampled group (ratios move away from 1)


def advantages(rewards: Tensor) -> Tensor:
    """(P, G) rewards -> (P, G) advantages, normalised within each group (row)."""
    mean = rewards.mean(-1, keepdim=True)  # (P, 1)
    std = rewards.std(-1, keepdim=True) if rewards.shape[-1] > 1 else torch.zeros_like(mean)
    return (rewards - mean) / (std + STD_EPS)


@dataclass(frozen=True)
class Group:
    """The sampled answers of P prompts x G answers (rows prompt-major: row = p * G + g),
    their rewards and the log-probs the loss compares against (no gradient)."""

    questions: tuple[Question, ...]
    answers: Answers
    rewards: tuple[Reward, ...]
    reward_total: Tensor  # (P, G)
    advantages: Tensor  # (P, G)
    old_logp: Tensor  # (N, L-1) the sampling policy's per-token log-probs
    ref_logp: Tensor  # (N, L-1) the reference's

    @property
    def size(self) -> int:
        return self.reward_total.shape[1]


def sample_group(
    policy: DecoderOnly,
    ref: DecoderOnly,
    tok: StageTokenizer,
    questions: Sequence[Question],
    s: GrpoSettings,
    generator: torch.Generator,
) -> Group:
    """Sample G answers per question, score them, and take the old and reference log-probs."""
    prompts = [prompt_ids(tok, qn) for qn in questions for _ in range(s.group)]
    ans = generate(policy, tok, prompts, s.temperature, generator)
    rows = [
        reward(qn, ans.texts[i], ans.lengths[i], ans.ended[i], s.format_weight, s.hack_weight)
        for i, qn in enumerate(qn for qn in questions for _ in range(s.group))
    ]
    total = torch.tensor([r.total for r in rows]).view(len(questions), s.group)  # (P, G)
    with torch.no_grad():
        policy.eval()
        ref.eval()
        old = token_logprobs(policy, ans.seqs)  # (N, L-1)
        refp = token_logprobs(ref, ans.seqs)  # (N, L-1)
    return Group(tuple(questions), ans, tuple(rows), total, advantages(total), old, refp)


@dataclass(frozen=True)
class LossParts:
    """The loss and what the curves show: mean KL per answer token, the share of clipped
    ratios, the mean ratio."""

    loss: Tensor
    kl: float
    clipped: float
    ratio: float


def grpo_loss(
    logp: Tensor,
    old_logp: Tensor,
    ref_logp: Tensor,
    adv: Tensor,
    mask: Tensor,
    clip_eps: float,
    beta: float,
) -> LossParts:
    """The GRPO loss (module docstring) on (N, T) per-token log-probs, (N,) advantages and an
    (N, T) answer-token mask; every op is a trace point (phase ``loss`` when traced)."""
    axes = ("answer", "tgt")
    m = mask.float()  # (N, T)
    a = adv[:, None].expand_as(logp)  # (N, T)
    ratio = torch.exp(logp - old_logp)  # (N, T)
    ratio = point("grpo.ratio", ratio, "ratio", {"logp": "grpo.logp", "old": "grpo.old_logp"}, axes)
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps)
    clipped = point("grpo.ratio_clipped", clipped, "clip", {"x": "grpo.ratio"}, axes)
    surr = torch.minimum(ratio * a, clipped * a)  # (N, T)
    surr = point(
        "grpo.surrogate",
        surr,
        "surrogate",
        {"ratio": "grpo.ratio", "clipped": "grpo.ratio_clipped"},
        axes,
    )
    r = ref_logp - logp  # (N, T)
    r = point("grpo.log_ratio_ref", r, "sub", {"ref": "grpo.ref_logp", "logp": "grpo.logp"}, axes)
    kl = torch.exp(r) - r - 1  # (N, T) >= 0
    kl = point("grpo.kl", kl, "kl", {"r": "grpo.log_ratio_ref"}, axes)
    per_token = -(surr - beta * kl)  # (N, T)
    per_token = point(
        "grpo.per_token", per_token, "loss", {"surr": "grpo.surrogate", "kl": "grpo.kl"}, axes
    )
    loss = (per_token * m).sum() / m.sum()
    loss = point("loss", loss, "loss", {"per_token": "grpo.per_token", "mask": "grpo.mask"}, ())
    with torch.no_grad():
        n = m.sum()
        kl_mean = float((kl * m).sum() / n)
        out = (ratio < 1 - clip_eps) | (ratio > 1 + clip_eps)
        clip_share = float((out.float() * m).sum() / n)
        ratio_mean = float((ratio * m).sum() / n)
    return LossParts(loss, kl_mean, clip_share, ratio_mean)


def group_loss(policy: DecoderOnly, group: Group, s: GrpoSettings) -> LossParts:
    """The untraced loss of one group under the current policy (with gradient)."""
    policy.train()
    logp = token_logprobs(policy, group.answers.seqs)  # (N, L-1)
    adv = group.advantages.reshape(-1)  # (N,)
    return grpo_loss(
        logp, group.old_logp, group.ref_logp, adv, group.answers.mask, s.clip_eps, s.beta
    )


def update(
    policy: DecoderOnly, opt: torch.optim.Optimizer, group: Group, s: GrpoSettings
) -> LossParts:
    """One untraced update on a group: loss, backward, clip to ``GRAD_CLIP``, Adam."""
    opt.zero_grad(set_to_none=True)
    parts = group_loss(policy, group, s)
    parts.loss.backward()
    torch.nn.utils.clip_grad_norm_(policy.parameters(), GRAD_CLIP)
    opt.step()
    return parts


def trace_update(
    policy: DecoderOnly,
    opt: torch.optim.Optimizer,
    group: Group,
    s: GrpoSettings,
    tok: StageTokenizer,
) -> Trace:
    """One GRPO update on a group, recorded op by op (it does update the policy).

    Phase ``forward``: ``grpo.group`` (N, L) the prompts and sampled answers, ``grpo.rewards``
    and ``grpo.advantages`` (P, G), ``grpo.mask``, the policy's forward (``tgt.tokens`` ...
    ``logits``), ``grpo.logp``, ``grpo.old_logp``, ``grpo.ref_logp`` (N, L-1). Phase ``loss``:
    ``grpo.ratio``, ``grpo.ratio_clipped``, ``grpo.surrogate``, ``grpo.log_ratio_ref``,
    ``grpo.kl``, ``grpo.per_token``, ``loss``. Then ``backward`` as autograd produced it and
    ``update`` (per parameter: before, gradient, Adam's moments, update, after)."""
    tracer = Tracer(grads=True)
    tracer.watch_parameters(policy, clone=True)
    opt.zero_grad(set_to_none=True)
    axes = ("answer", "tgt")
    try:
        with tracer.active():
            tracer.phase = "forward"
            seqs = point("grpo.group", group.answers.seqs, "tokens", {}, axes)
            point(
                "grpo.rewards",
                group.reward_total,
                "reward",
                {"answers": "grpo.group"},
                ("prompt", "answer"),
            )
            point(
                "grpo.advantages",
                group.advantages,
                "advantage",
                {"rewards": "grpo.rewards"},
                ("prompt", "answer"),
            )
            point("grpo.mask", group.answers.mask.long(), "mask", {"tokens": "grpo.group"}, axes)
            policy.train()
            logp = point(
                "grpo.logp", token_logprobs(policy, seqs), "logprob", {"logits": "logits"}, axes
            )
            old = point("grpo.old_logp", group.old_logp, "logprob", {}, axes)
            refp = point("grpo.ref_logp", group.ref_logp, "logprob", {}, axes)
            tracer.phase = "loss"
            parts = grpo_loss(
                logp,
                old,
                refp,
                group.advantages.reshape(-1),
                group.answers.mask,
                s.clip_eps,
                s.beta,
            )
        parts.loss.backward()
    finally:
        tracer.close()
    norm = float(torch.nn.utils.clip_grad_norm_(policy.parameters(), GRAD_CLIP))
    clipped = norm > GRAD_CLIP
    opt.step()
    _record_update(tracer, policy, opt, clipped)
    tokens = group.answers.seqs.tolist()
    tracer.trace.meta.update(
        kind="grpo_update",
        loss=float(parts.loss.detach()),
        kl=parts.kl,
        clipped_share=parts.clipped,
        grad_norm=norm,
        beta=s.beta,
        clip_eps=s.clip_eps,
        group=s.group,
        questions=[qn.prompt for qn in group.questions],
        answers=list(group.answers.texts),
        rewards=[[r.correct, r.format, r.hack] for r in group.rewards],
        prompt_len=group.answers.prompt_len,
        tokens=[[tok.token(i) for i in row] for row in tokens],
    )
    return tracer.trace


def _record_update(
    tracer: Tracer, model: DecoderOnly, opt: torch.optim.Optimizer, clipped: bool
) -> None:
    """Adam's step per parameter, as every traced training step records it."""
    record_update(tracer, model, opt, clipped)
