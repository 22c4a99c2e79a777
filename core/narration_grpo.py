"""The narration of one traced GRPO update (``core.stages.grpo.trace_update``), no Qt.

A GRPO trace reuses op kinds that mean something else elsewhere: ``grpo.group`` is a
``tokens`` step, ``grpo.mask`` a ``mask``, the three log-probability steps share the kind
``logprob`` and ``grpo.per_token`` and ``loss`` share ``loss`` (whose general text is
cross-entropy). So its texts are keyed by the step's *name*: ``{phase}.{name}@grpo`` with
the ``grpo.`` prefix dropped (``forward.rewards@grpo``, ``loss.ratio@grpo``,
``backward.kl@grpo``; the files ``assets/text/grpo.{lang}.json``), then by kind
(``update.adam@grpo``), then the decoder-only texts (the policy is a decoder-only model).

``explain`` gives each GRPO step its sentence with the step's own numbers: the group,
each answer's reward and advantage ((r − mean) / std in its group), per-token
log-probabilities under the policy, the sampling policy and the frozen reference, the
ratio and its clipping, the KL estimator and the loss. A sentence is about one answer of
the group: ``row`` when given, else the first answer with the largest |advantage| (the one
this update learns most from). Every number quoted is in ``Explained.values``.

The stages' other trace, ``core.stages.evidence.trace_answer`` (the model answering "which
is bigger: 9.11 or 9.9?"), is a plain decoder-only forward pass and reads the decoder-only
texts; here it gets its tokens named from its meta (``meta_tokens``, for both traces), its
sentences about the decisive position (``default_row``: the answer's ``.``, where the model
picks the fraction) and, at ``logits``, what the model put on each option there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from core.narration_steps import Explained, num

if TYPE_CHECKING:
    from core.narration_steps import _Ctx as Ctx
    from core.trace import Step, Trace

KIND = "grpo_update"  # trace.meta["kind"] of core.stages.grpo.trace_update
ANSWER_KIND = "stages_answer"  # trace.meta["kind"] of core.stages.evidence.trace_answer
MOST_TOKENS = 5  # answer tokens listed in one sentence


def is_grpo(trace: Trace) -> bool:
    return trace.meta.get("kind") == KIND


def keys(trace: Trace, step: Step) -> list[str]:
    """The narration keys to try for ``step`` of a GRPO trace, most specific first
    (none for any other trace)."""
    if not is_grpo(trace):
        return []
    name = step.name.removeprefix("grpo.")
    return [f"{step.phase}.{name}@grpo", f"{step.narration}@grpo", f"{step.narration}@decoder-only"]


def meta_tokens(meta: dict[str, Any], n: int) -> list[str]:
    """The first ``n`` tokens of the model input as a stages trace names them in its meta
    (``tokens``: one list, or one per row of a GRPO group: the first row), else []."""
    tokens = meta.get("tokens")
    if not isinstance(tokens, list) or not tokens:
        return []
    row = tokens[0] if isinstance(tokens[0], list) else tokens
    return [str(w) for w in row[:n]] if len(row) >= n else []


def default_row(trace: Trace) -> int | None:
    """The position a sentence is about when none is selected: a ``trace_answer``'s
    decisive position; None otherwise (the last position, or for GRPO the answer with the
    largest |advantage|)."""
    if trace.meta.get("kind") == ANSWER_KIND and "decision" in trace.meta:
        return int(trace.meta["decision"])
    return None


# -- reading the trace ------------------------------------------------------------------
def _answer(k: Ctx, n: int) -> int:
    """The answer a sentence is about: ``k``'s selected row, else the largest |A|."""
    if k.selected is not None and 0 <= k.selected < n:
        return k.selected
    adv = np.asarray(k.trace.value("grpo.advantages")).reshape(-1)  # (N,)
    return int(np.argmax(np.abs(adv)))


def _mask(k: Ctx) -> np.ndarray:
    return np.asarray(k.trace.value("grpo.mask")).astype(bool)  # (N, L-1)


def _text(k: Ctx, i: int) -> str:
    answers = k.trace.meta.get("answers", [])
    return f"“{answers[i]}”" if i < len(answers) else f"#{i + 1}"


def _tokens(k: Ctx, i: int) -> list[str]:
    """The answer tokens of answer ``i``, aligned with the (N, L-1) per-token tensors
    (position t scores token t + 1 of the sequence)."""
    rows = k.trace.meta.get("tokens", [])
    row = [str(w) for w in rows[i]] if i < len(rows) else []
    return [row[t + 1] if t + 1 < len(row) else str(t + 1) for t in range(len(_mask(k)[i]))]


def _listed(k: Ctx, i: int, x: np.ndarray) -> str:
    """``“9” −0.12, “.” −0.01 …`` for answer ``i``'s answer tokens of (N, L-1) ``x``."""
    words, where = _tokens(k, i), np.flatnonzero(_mask(k)[i])
    shown = ", ".join(f"“{words[t]}” {num(x[i, t])}" for t in where[:MOST_TOKENS])
    return shown + (" …" if len(where) > MOST_TOKENS else "")


def _far_token(k: Ctx, i: int, x: np.ndarray, centre: float) -> int:
    """The answer token of answer ``i`` whose value of ``x`` is furthest from ``centre``."""
    where = np.flatnonzero(_mask(k)[i])
    return int(where[np.argmax(np.abs(x[i, where] - centre))])


def _meta_float(k: Ctx, name: str, default: float) -> float:
    return float(k.trace.meta.get(name, default))


def _group_of(k: Ctx, i: int) -> tuple[int, int, np.ndarray]:
    """(prompt, place in its group, the group's rewards) of answer ``i``."""
    rewards = np.asarray(k.trace.value("grpo.rewards"))  # (P, G)
    g = rewards.shape[1]
    return i // g, i % g, rewards[i // g]


# -- the sentences ----------------------------------------------------------------------
def group(k: Ctx) -> Explained:
    seqs = k.out  # (N, L)
    rewards = np.asarray(k.trace.value("grpo.rewards"))
    p, g = rewards.shape
    i = _answer(k, seqs.shape[0])
    questions = k.trace.meta.get("questions", [])
    q = f"“{questions[i // g]}”" if i // g < len(questions) else ""
    plen = int(k.trace.meta.get("prompt_len", 0))
    return k.say(
        f"The policy sampled a group of {g} answers to each of {p} questions: {seqs.shape[0]} "
        f"rows of {seqs.shape[1]} tokens, the {plen}-token prompt then the answer. "
        f"Answer {i + 1} (number {i % g + 1} of question {i // g + 1}, {q}) is {_text(k, i)}.",
        f"策略对 {p} 个问题各采样一组 {g} 个回答：共 {seqs.shape[0]} 行，"
        f"每行 {seqs.shape[1]} 个词元，先是 {plen} 个词元的提示，再是回答。"
        f"第 {i + 1} 个回答（第 {i // g + 1} 个问题 {q} 的第 {i % g + 1} 个）是 {_text(k, i)}。",
        group=g,
        prompts=p,
        answer=i,
    )


def rewards(k: Ctx) -> Explained:
    i = _answer(k, k.out.size)
    _, place, row = _group_of(k, i)
    parts = k.trace.meta.get("rewards", [])
    right, form, hack = (float(x) for x in parts[i]) if i < len(parts) else (0.0, 0.0, 0.0)
    listed = ", ".join(num(x) for x in row)
    hack_en = f" + length {num(hack)}" if hack else ""
    hack_zh = f" + 长度 {num(hack)}" if hack else ""
    return k.say(
        f"The rule gives every answer a reward: answer {i + 1} {_text(k, i)} gets "
        f"{num(row[place])} (right {num(right)} + format {num(form)}{hack_en}). "
        f"Its group's rewards: {listed}.",
        f"规则给每个回答一个奖励：第 {i + 1} 个回答 {_text(k, i)} 得到 {num(row[place])}"
        f"（答对 {num(right)} + 格式 {num(form)}{hack_zh}）。它这一组的奖励：{listed}。",
        reward=float(row[place]),
        right=right,
        format=form,
        hack=hack,
    )


def advantages(k: Ctx) -> Explained:
    i = _answer(k, k.out.size)
    prompt, place, row = _group_of(k, i)
    a = float(k.out[prompt, place])
    mean, std = float(row.mean()), float(row.std(ddof=1)) if row.size > 1 else 0.0
    if not np.any(k.out[prompt]):
        return k.say(
            f"All {row.size} answers of question {prompt + 1} got the same reward "
            f"{num(row[0])}: every advantage is 0, this group teaches nothing.",
            f"第 {prompt + 1} 个问题的 {row.size} 个回答奖励都是 {num(row[0])}："
            f"优势全为 0，这一组什么也学不到。",
            advantage=a,
            mean=mean,
        )
    way_en = "pushed up" if a > 0 else "pushed down"
    way_zh = "被推高" if a > 0 else "被压低"
    return k.say(
        f"Advantage = (reward − group mean) / std: answer {i + 1} {_text(k, i)} has "
        f"({num(row[place])} − {num(mean)}) / {num(std)} = {num(a)}: its tokens are {way_en}.",
        f"优势 = (奖励 − 组内均值) / 标准差：第 {i + 1} 个回答 {_text(k, i)} 是 "
        f"({num(row[place])} − {num(mean)}) / {num(std)} = {num(a)}：它的词元{way_zh}。",
        advantage=a,
        reward=float(row[place]),
        mean=mean,
        std=std,
    )


def mask(k: Ctx) -> Explained:
    m = k.out.astype(bool)  # (N, L-1)
    i = _answer(k, m.shape[0])
    n, total = int(m[i].sum()), int(m.sum())
    return k.say(
        f"Only answer tokens count: {n} of the {m.shape[1]} positions of answer {i + 1} "
        f"(the prompt and the padding after <eos> are 0); {total} answer tokens in the group.",
        f"只有回答的词元参与计算：第 {i + 1} 个回答的 {m.shape[1]} 个位置中有 {n} 个"
        f"（提示和 <eos> 之后的填充都是 0）；整组共 {total} 个回答词元。",
        tokens=n,
        total=total,
    )


def logp(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    total = float(k.out[i][_mask(k)[i]].sum())
    return k.say(
        f"log π of each token of answer {i + 1} under the policy being trained: "
        f"{_listed(k, i, k.out)}; together {num(total)}, so P(answer) = {num(np.exp(total))}.",
        f"正在训练的策略给第 {i + 1} 个回答每个词元的对数概率 log π：{_listed(k, i, k.out)}；"
        f"合计 {num(total)}，即 P(回答) = {num(np.exp(total))}。",
        sum=total,
        p=float(np.exp(total)),
    )


def old_logp(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    new = np.asarray(k.trace.value("grpo.logp"))
    m = _mask(k)[i]
    old, now = float(k.out[i][m].sum()), float(new[i][m].sum())
    done = int(k.trace.meta.get("inner_step", 1)) - 1  # updates on this group before this one
    return k.say(
        f"log π_old: the same tokens under the policy that sampled the group (fixed, no "
        f"gradient): answer {i + 1} had {num(old)} then and has {num(now)} now, after "
        f"{done} earlier update(s) on this group.",
        f"log π_old：采样这一组时的策略给同样词元的对数概率（固定，不求梯度）："
        f"第 {i + 1} 个回答当时合计 {num(old)}，在这组上先更新 {done} 次后现在是 {num(now)}。",
        old=old,
        now=now,
        updates=done,
    )


def ref_logp(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    new = np.asarray(k.trace.value("grpo.logp"))
    m = _mask(k)[i]
    ref, now = float(k.out[i][m].sum()), float(new[i][m].sum())
    return k.say(
        f"log π_ref: the frozen reference model (the SFT model) scores answer {i + 1}: "
        f"{_listed(k, i, k.out)}; together {num(ref)}, the policy {num(now)}.",
        f"log π_ref：冻结的参考模型（SFT 模型）给第 {i + 1} 个回答的打分："
        f"{_listed(k, i, k.out)}；合计 {num(ref)}，策略是 {num(now)}。",
        ref=ref,
        now=now,
    )


def ratio(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    t = _far_token(k, i, k.out, 1.0)
    word = _tokens(k, i)[t]
    return k.say(
        f"ratio = π / π_old = exp(log π − log π_old) per token. Answer {i + 1}: "
        f"{_listed(k, i, k.out)}; furthest from 1: “{word}” {num(k.out[i, t])}.",
        f"比率 = π / π_old = exp(log π − log π_old)，逐词元计算。第 {i + 1} 个回答："
        f"{_listed(k, i, k.out)}；离 1 最远的是 “{word}” {num(k.out[i, t])}。",
        ratio=float(k.out[i, t]),
    )


def ratio_clipped(k: Ctx) -> Explained:
    eps = _meta_float(k, "clip_eps", 0.2)
    r = np.asarray(k.trace.value("grpo.ratio"))
    m = _mask(k)
    out = ((r < 1 - eps) | (r > 1 + eps)) & m
    i = _answer(k, r.shape[0])
    n, total, mine = int(out.sum()), int(m.sum()), int(out[i].sum())
    return k.say(
        f"Clipping keeps the ratio in [{num(1 - eps)}, {num(1 + eps)}] (ε = {num(eps)}): "
        f"{n} of the group's {total} answer tokens were outside and are cut, "
        f"{mine} of them in answer {i + 1}.",
        f"裁剪把比率限制在 [{num(1 - eps)}, {num(1 + eps)}]（ε = {num(eps)}）："
        f"整组 {total} 个回答词元中有 {n} 个超出范围被裁剪，其中 {mine} 个在第 {i + 1} 个回答里。",
        eps=eps,
        clipped=n,
        total=total,
    )


def surrogate(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    a = float(np.asarray(k.trace.value("grpo.advantages")).reshape(-1)[i])
    m = _mask(k)[i]
    mean = float(k.out[i][m].mean())
    return k.say(
        f"surrogate = min(ratio·A, clip(ratio)·A): answer {i + 1} has A = {num(a)}, "
        f"so its tokens get {_listed(k, i, k.out)} (mean {num(mean)}). The min takes the "
        f"cautious one: a ratio past the clip earns nothing more.",
        f"替代目标 = min(比率·A, 裁剪(比率)·A)：第 {i + 1} 个回答的优势 A = {num(a)}，"
        f"它的词元得到 {_listed(k, i, k.out)}（均值 {num(mean)}）。取 min 是保守的一边："
        f"超出裁剪范围的比率不会再多得好处。",
        advantage=a,
        mean=mean,
    )


def log_ratio_ref(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    t = _far_token(k, i, k.out, 0.0)
    word = _tokens(k, i)[t]
    return k.say(
        f"r = log π_ref − log π per token: below 0 where the policy now likes the token more "
        f"than the reference, above 0 where less. Answer {i + 1}: largest |r| at “{word}”, "
        f"r = {num(k.out[i, t])}.",
        f"r = log π_ref − log π，逐词元计算：策略现在比参考模型更喜欢这个词元时 r < 0，"
        f"更不喜欢时 r > 0。"
        f"第 {i + 1} 个回答：|r| 最大的是 “{word}”，r = {num(k.out[i, t])}。",
        r=float(k.out[i, t]),
    )


def kl(k: Ctx) -> Explained:
    r = np.asarray(k.trace.value("grpo.log_ratio_ref"))
    m = _mask(k)
    i = _answer(k, r.shape[0])
    t = _far_token(k, i, r, 0.0)
    word = _tokens(k, i)[t]
    mean = float(k.out[m].mean())
    return k.say(
        f"KL per token = exp(r) − r − 1 ≥ 0 (0 only where policy and reference agree): "
        f"“{word}” of answer {i + 1} has r = {num(r[i, t])}, KL = {num(k.out[i, t])}. "
        f"Mean KL over the group's answer tokens: {num(mean)}.",
        f"每个词元的 KL 散度 = exp(r) − r − 1 ≥ 0（只有策略与参考模型一致时为 0）："
        f"第 {i + 1} 个回答的 “{word}”：r = {num(r[i, t])}，KL = {num(k.out[i, t])}。"
        f"整组回答词元的平均 KL：{num(mean)}。",
        r=float(r[i, t]),
        kl=float(k.out[i, t]),
        kl_mean=mean,
    )


def per_token(k: Ctx) -> Explained:
    beta = _meta_float(k, "beta", 0.0)
    i = _answer(k, k.out.shape[0])
    m = _mask(k)[i]
    surr = float(np.asarray(k.trace.value("grpo.surrogate"))[i][m].mean())
    kl_i = float(np.asarray(k.trace.value("grpo.kl"))[i][m].mean())
    mean = float(k.out[i][m].mean())
    return k.say(
        f"Each answer token's loss = −(surrogate − β·KL), β = {num(beta)}: answer {i + 1} "
        f"averages −({num(surr)} − {num(beta)}·{num(kl_i)}) = {num(mean)}. "
        f"β·KL is the leash to the reference.",
        f"每个回答词元的损失 = −(替代目标 − β·KL)，β = {num(beta)}：第 {i + 1} 个回答平均 "
        f"−({num(surr)} − {num(beta)}·{num(kl_i)}) = {num(mean)}。β·KL 把策略拴在参考模型附近。",
        beta=beta,
        surrogate=surr,
        kl=kl_i,
        loss=mean,
    )


def loss(k: Ctx) -> Explained:
    m = _mask(k)
    value = float(np.asarray(k.out).reshape(-1)[0])
    return k.say(
        f"The loss is the mean over all {int(m.sum())} answer tokens of the group: "
        f"L = {num(value)}. Lowering it raises the tokens of answers better than their "
        f"group and lowers the worse ones.",
        f"损失是整组 {int(m.sum())} 个回答词元的平均：L = {num(value)}。"
        f"降低它，就提高比组内平均更好的回答的词元概率，压低更差的。",
        loss=value,
        tokens=int(m.sum()),
    )


def grad_logp(k: Ctx) -> Explained:
    i = _answer(k, k.out.shape[0])
    m = _mask(k)[i]
    a = float(np.asarray(k.trace.value("grpo.advantages")).reshape(-1)[i])
    eps = _meta_float(k, "clip_eps", 0.2)
    r = np.asarray(k.trace.value("grpo.ratio"))[i][m]
    # where the min took the clipped product the surrogate has no gradient: only the KL pulls
    frozen = int(((a > 0) & (r > 1 + eps)).sum() + ((a < 0) & (r < 1 - eps)).sum())
    return k.say(
        f"∂L/∂log π for answer {i + 1} (A = {num(a)}): {_listed(k, i, k.out)}. Gradient "
        f"descent raises log π where this is negative and lowers it where it is positive; "
        f"{frozen} of its {int(m.sum())} tokens are past the clip, only the KL pulls on them.",
        f"第 {i + 1} 个回答（A = {num(a)}）的 ∂L/∂log π：{_listed(k, i, k.out)}。"
        f"梯度下降在它为负的地方提高 log π，为正的地方降低 log π；它的 {int(m.sum())} 个词元中"
        f"有 {frozen} 个超出裁剪范围，只有 KL 在拉它们。",
        advantage=a,
        clipped=frozen,
        first=float(k.out[i][m][0]) if m.any() else 0.0,
    )


def _grad(what_en: str, what_zh: str) -> Callable[[Ctx], Explained]:
    """A backward step of the loss: the gradient at answer ``i``'s tokens."""

    def sentence(k: Ctx) -> Explained:
        i = _answer(k, k.out.shape[0])
        m = _mask(k)[i]
        return k.say(
            f"∂L/∂{what_en} at the tokens of answer {i + 1}: {_listed(k, i, k.out)}.",
            f"第 {i + 1} 个回答各词元处的 ∂L/∂{what_zh}：{_listed(k, i, k.out)}。",
            first=float(k.out[i][m][0]) if m.any() else 0.0,
        )

    return sentence


def answer_logits(k: Ctx) -> Explained:
    """``trace_answer``'s logits at the decisive position: P of each option's fraction."""
    meta = k.trace.meta
    pos = int(meta.get("decision", k.row))
    numbers = re.findall(r"\d+\.\d+", str(meta.get("question", "")))
    tokens = [str(w) for w in meta.get("tokens", [])]
    ids = np.asarray(k.trace.value("tgt.tokens"))[0]
    id_of = {w: int(i) for w, i in zip(tokens, ids, strict=False)}
    logits = k.out[0, pos].astype(np.float64)  # (V,)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    options = [n.split(".")[1] for n in numbers if n.split(".")[1] in id_of]
    if len(numbers) != 2 or len(options) != 2:
        return k.say(
            f"At {k.tok(pos)} the most likely next token has p = {num(p.max())}.",
            f"在 {k.tok(pos)} 处，最可能的下一个词元 p = {num(p.max())}。",
            p=float(p.max()),
        )
    (a, pa), (b, pb) = ((w, float(p[id_of[w]])) for w in options)
    return k.say(
        f"After “{' '.join(tokens[pos - 1 : pos + 1])}” the model picks the fraction, the whole "
        f"decision between {numbers[0]} and {numbers[1]}: P(“{a}”) = {num(pa)}, "
        f"P(“{b}”) = {num(pb)}.",
        f"在 “{' '.join(tokens[pos - 1 : pos + 1])}” 之后模型选小数部分，这就决定了 "
        f"{numbers[0]} 和 {numbers[1]} 谁大：P(“{a}”) = {num(pa)}，P(“{b}”) = {num(pb)}。",
        p_first=pa,
        p_second=pb,
    )


FORWARD = {
    "grpo.group": group,
    "grpo.rewards": rewards,
    "grpo.advantages": advantages,
    "grpo.mask": mask,
    "grpo.logp": logp,
    "grpo.old_logp": old_logp,
    "grpo.ref_logp": ref_logp,
    "grpo.ratio": ratio,
    "grpo.ratio_clipped": ratio_clipped,
    "grpo.surrogate": surrogate,
    "grpo.log_ratio_ref": log_ratio_ref,
    "grpo.kl": kl,
    "grpo.per_token": per_token,
    "loss": loss,
}
BACKWARD = {
    "grpo.logp": grad_logp,
    "grpo.per_token": _grad("ℓ (each token's loss)", "ℓ（每个词元的损失）"),
    "grpo.kl": _grad("KL", "KL"),
    "grpo.log_ratio_ref": _grad("r", "r"),
    "grpo.surrogate": _grad("surrogate", "替代目标"),
    "grpo.ratio_clipped": _grad("clip(ratio)", "裁剪(比率)"),
    "grpo.ratio": _grad("ratio", "比率"),
}


def explain(k: Ctx) -> Explained | None:
    """The sentence of a stages step (None: not a stages trace or not one of its own ops)."""
    if k.trace.meta.get("kind") == ANSWER_KIND:
        forward_logits = k.step.name == "logits" and k.step.phase == "forward"
        return answer_logits(k) if forward_logits else None
    if not is_grpo(k.trace):
        return None
    table = BACKWARD if k.step.phase == "backward" else FORWARD
    fn = table.get(k.step.name)
    return fn(k) if fn else None
