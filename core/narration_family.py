"""The sentences of ``core.narration_steps``: by step name for the family's new steps
(mixture of experts, picture input, classification head, the decoder-only loss mask),
by op kind for every other step. Each returns ``k.say(en, zh, **numbers)``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from core.narration_steps import Explained, num, pct

if TYPE_CHECKING:
    from core.narration_steps import _Ctx as Ctx


def _layer(k: Ctx) -> str:
    return k.step.name.removeprefix(k.prefix).split(".moe.")[0]


def _moe(k: Ctx, what: str) -> np.ndarray:
    """Another tensor of the same MoE sublayer (same decoding step)."""
    return k.value(f"{k.prefix}{_layer(k)}.moe.{what}")


def _routed(k: Ctx, e: int) -> list[int]:
    """The positions routed to expert ``e``, in order (the rows of its tensors)."""
    chosen = _moe(k, "topk.experts")[0, :, 0]
    return [int(i) for i in np.flatnonzero(chosen == e)]


def _words(k: Ctx, rows: list[int], most: int = 6) -> str:
    shown = ", ".join(k.tok(i) for i in rows[:most])
    return shown + (" …" if len(rows) > most else "")


# -- mixture of experts ---------------------------------------------------------------
def router_logits(k: Ctx) -> Explained:
    row = k.out[0, k.row]
    listed = ", ".join(num(x) for x in row)
    return k.say(
        f"The router scores {k.tok(k.row)} for each of the {len(row)} experts: {listed}.",
        f"路由为 {k.tok(k.row)} 给 {len(row)} 个专家各打一个分：{listed}。",
        **{f"logit{e}": float(x) for e, x in enumerate(row)},
    )


def router_probs(k: Ctx) -> Explained:
    row = k.out[0, k.row]
    e = int(np.argmax(row))
    return k.say(
        f"Softmax makes the scores probabilities: for {k.tok(k.row)} expert {e} is the most "
        f"likely, p = {num(row[e])}.",
        f"softmax 把得分变成概率：对 {k.tok(k.row)} 来说，专家 {e} 的概率最大，p = {num(row[e])}。",
        expert=e,
        p=float(row[e]),
    )


def topk_experts(k: Ctx) -> Explained:
    chosen = k.out[0, :, 0]
    e = int(chosen[k.row])
    p = float(_moe(k, "router.probs")[0, k.row, e])
    counts = [int((chosen == i).sum()) for i in range(_moe(k, "router.probs").shape[-1])]
    spread = ", ".join(f"{i}: {c}" for i, c in enumerate(counts))
    return k.say(
        f"Top-1: the router sends {k.tok(k.row)} to expert {e} with p = {num(p)}. "
        f"Tokens per expert: {spread}.",
        f"Top-1：路由把 {k.tok(k.row)} 送给专家 {e}，p = {num(p)}。"
        f"每个专家分到的词元数：{spread}。",
        expert=e,
        p=p,
        **{f"count{i}": c for i, c in enumerate(counts)},
    )


def topk_weights(k: Ctx) -> Explained:
    w = float(k.out[0, k.row, 0])
    e = int(_moe(k, "topk.experts")[0, k.row, 0])
    return k.say(
        f"{k.tok(k.row)} keeps its router probability {num(w)} as the weight of expert {e}'s "
        "output (not renormalised).",
        f"{k.tok(k.row)} 把它的路由概率 {num(w)} 作为专家 {e} 输出的权重（不重新归一化）。",
        weight=w,
        expert=e,
    )


def aux_loss(k: Ctx) -> Explained:
    probs = _moe(k, "router.probs")[0]  # (T, E)
    chosen = _moe(k, "topk.experts")[0, :, 0]
    n = probs.shape[-1]
    f = [float((chosen == e).mean()) for e in range(n)]
    aux = float(k.out)
    shares = ", ".join(num(x) for x in f)
    return k.say(
        f"Load-balancing loss = {n} · Σ f·P = {num(aux)} (1.00 if the tokens were spread evenly). "
        f"Share of tokens per expert f = {shares}.",
        f"负载均衡损失 = {n} · Σ f·P = {num(aux)}（词元平均分配时为 1.00）。"
        f"每个专家分到的词元比例 f = {shares}。",
        aux=aux,
        **{f"f{e}": x for e, x in enumerate(f)},
    )


def expert(k: Ctx) -> Explained:
    m = re.search(r"\.expert\.(\d+)\.(hidden|act|out)$", k.step.name)
    assert m is not None
    e, part = int(m.group(1)), m.group(2)
    rows = _routed(k, e)
    total = len(k.positions)
    if not rows:
        return k.say(
            f"Expert {e} gets none of the {total} tokens: it computes nothing here.",
            f"专家 {e} 在这 {total} 个词元中一个也没分到：这里它什么也不用算。",
            routed=0,
            total=total,
        )
    width = int(k.out.shape[-1])
    what = {
        "hidden": ("its first layer widens each to", "它的第一层把每个词元扩展成"),
        "act": ("its activation keeps", "激活函数之后仍是"),
        "out": ("its second layer brings each back to", "它的第二层把每个词元变回"),
    }[part]
    return k.say(
        f"Expert {e} works on only the {len(rows)} of {total} tokens routed to it "
        f"({_words(k, rows)}); {what[0]} {width} numbers.",
        f"专家 {e} 只处理路由给它的 {len(rows)} 个词元（共 {total} 个）：{_words(k, rows)}；"
        f"{what[1]} {width} 个数。",
        routed=len(rows),
        width=width,
    )


def combine(k: Ctx) -> Explained:
    e = int(_moe(k, "topk.experts")[0, k.row, 0])
    w = float(_moe(k, "topk.weights")[0, k.row, 0])
    j = _routed(k, e).index(k.row)
    y, x = float(k.out[0, k.row, 0]), float(_moe(k, f"expert.{e}.out")[j, 0])
    return k.say(
        f"{k.tok(k.row)} gets weight × its expert's output: first number "
        f"{num(w)} × {num(x)} = {num(y)} (expert {e}).",
        f"{k.tok(k.row)} 的输出 = 权重 × 它的专家的输出：第一个数 {num(w)} × {num(x)} = {num(y)}"
        f"（专家 {e}）。",
        weight=w,
        expert_out=x,
        out=y,
    )


# -- pictures and the classification head ---------------------------------------------
def image(k: Ctx) -> Explained:
    _, c, h, w = k.out.shape
    lo, hi = float(k.out.min()), float(k.out.max())
    from core.classify_run import PICTURE_NAMES_ZH

    name = k.trace.meta.get("source") or ""
    name = PICTURE_NAMES_ZH.get(name, name) if k.lang == "zh" else name
    return k.say(
        f"The picture{f' “{name}”' if name else ''}: {c} × {h} × {w} pixels, "
        f"values from {num(lo)} to {num(hi)}.",
        f"图片{f' “{name}”' if name else ''}：{c} × {h} × {w} 个像素，"
        f"数值从 {num(lo)} 到 {num(hi)}。",
        lo=lo,
        hi=hi,
    )


def patches(k: Ctx) -> Explained:
    _, p, d = k.out.shape
    c = int(k.value("src.image").shape[1])
    side = round((d / c) ** 0.5)
    return k.say(
        f"The picture is cut into {p} patches of {side} × {side} pixels; each becomes a row "
        f"of {d} numbers, the picture's “tokens”.",
        f"图片被切成 {p} 个 {side} × {side} 像素的小块；每块变成一行 {d} 个数，就是图片的“词元”。",
        patches=p,
        side=side,
    )


def cls_token(k: Ctx) -> Explained:
    n = int(k.out.shape[1])
    return k.say(
        f"A learned [CLS] vector is put in front: {n} positions, [CLS] + {n - 1} patches. "
        "The answer will be read there.",
        f"在最前面加上一个可学习的 [CLS] 向量：共 {n} 个位置，[CLS] + {n - 1} 个小块。"
        "答案将从这里读出。",
        positions=n,
    )


def cls_vector(k: Ctx) -> Explained:
    v = k.out[0]
    return k.say(
        f"The classification head reads only the [CLS] position of the last layer: {len(v)} "
        f"features, from {num(v.min())} to {num(v.max())}.",
        f"分类头只读取最后一层 [CLS] 位置的向量：{len(v)} 个特征，"
        f"从 {num(v.min())} 到 {num(v.max())}。",
        lo=float(v.min()),
        hi=float(v.max()),
    )


def _labels(k: Ctx) -> list[str]:
    """The model's label names, in Chinese where the task names them (人 / 动物 / 物, 猫 / 狗)."""
    from core import classify_task, pictures

    names = {**classify_task.LABEL_NAMES, **pictures.LABEL_NAMES}
    labels = [str(x) for x in k.trace.meta.get("labels", [])]
    return [names.get(x, {}).get(k.lang, x) for x in labels]


def cls_logits(k: Ctx) -> Explained:
    row, labels = k.out[0], _labels(k)
    listed = ", ".join(f"{labels[i] if i < len(labels) else i} {num(x)}" for i, x in enumerate(row))
    return k.say(
        f"One score (logit) per label: {listed}.",
        f"每个标签一个得分（logit）：{listed}。",
        **{f"logit{i}": float(x) for i, x in enumerate(row)},
    )


def cls_probs(k: Ctx) -> Explained:
    row, labels = k.out[0], _labels(k)
    order = [int(i) for i in np.argsort(-row)]
    listed = ", ".join(f"{labels[i] if i < len(labels) else i} {pct(row[i])}" for i in order)
    return k.say(
        f"Softmax makes them probabilities: {listed}.",
        f"softmax 把它们变成概率：{listed}。",
        **{f"p{i}": float(row[i]) for i in order},
    )


def cls_target(k: Ctx) -> Explained:
    i = int(k.out[0])
    labels = _labels(k)
    name = labels[i] if i < len(labels) else str(i)
    return k.say(
        f"The right answer for this training step: “{name}” (label {i}).",
        f"这一步训练的正确答案：“{name}”（标签 {i}）。",
        label=i,
    )


def per_example(k: Ctx) -> Explained:
    i = int(k.value("cls.target")[0])
    p = float(k.value("cls.probs")[0, i])
    loss = float(k.out[0])
    name = (_labels(k) + [str(i)] * (i + 1))[i]
    return k.say(
        f"Cross-entropy: −log p({name}) = −log {p:.4f} = {num(loss)}.",
        f"交叉熵：−log p({name}) = −log {p:.4f} = {num(loss)}。",
        p=p,
        loss=loss,
    )


# -- the decoder-only loss: only the answer counts ------------------------------------
def loss_mask(k: Ctx) -> Explained:
    mask = k.out[0].astype(bool)
    graded, total = int(mask.sum()), len(mask)
    first = int(np.argmax(mask)) if graded else 0
    return k.say(
        f"Only the answer is graded: {graded} of {total} positions, from {k.tok(first)} on. "
        f"The {total - graded} prompt positions before it count 0.",
        f"只有答案部分计入损失：{total} 个位置中的 {graded} 个，从 {k.tok(first)} 开始。"
        f"前面 {total - graded} 个提示词位置计为 0。",
        graded=graded,
        total=total,
    )


def per_token(k: Ctx) -> Explained:
    if "mask" not in k.step.tensors:
        return by_kind(k)
    mask = k.value(k.step.tensors["mask"])[0].astype(bool)
    per = k.out[0]
    worst = int(np.argmax(np.where(mask, per, -np.inf)))
    return k.say(
        f"−log p(right next token) at the {int(mask.sum())} graded positions; the largest, "
        f"{num(per[worst])}, is at {k.tok(worst)}. Prompt positions: 0.",
        f"在 {int(mask.sum())} 个计分位置上计算 −log p(正确的下一个词元)；"
        f"最大的是 {k.tok(worst)} 处的 {num(per[worst])}。提示词位置：0。",
        graded=int(mask.sum()),
        worst=float(per[worst]),
    )


def loss_total(k: Ctx) -> Explained:
    if "task" not in k.step.tensors:
        return by_kind(k)
    task, loss = float(k.value(k.step.tensors["task"])), float(k.value(k.step.tensors["out"]))
    auxes = [float(k.value(s.tensors["out"])) for s in k.trace.find("*.moe.aux_loss", "forward")]
    listed = ", ".join(num(a) for a in auxes)
    return k.say(
        f"Loss = task loss {num(task)} + weighted load-balancing part {num(loss - task)} "
        f"(the layers' aux losses: {listed}) = {num(loss)}.",
        f"损失 = 任务损失 {num(task)} + 加权的负载均衡部分 {num(loss - task)}"
        f"（各层的辅助损失：{listed}）= {num(loss)}。",
        task=task,
        loss=loss,
        **{f"aux{i}": a for i, a in enumerate(auxes)},
    )


BY_NAME: list[tuple[str, Callable[[Ctx], Explained]]] = [
    (r".*\.moe\.router\.logits", router_logits),
    (r".*\.moe\.router\.probs", router_probs),
    (r".*\.moe\.topk\.experts", topk_experts),
    (r".*\.moe\.topk\.weights", topk_weights),
    (r".*\.moe\.aux_loss", aux_loss),
    (r".*\.moe\.expert\.\d+\.(hidden|act|out)", expert),
    (r".*\.moe\.combine", combine),
    (r"src\.image", image),
    (r"src\.patches", patches),
    (r"src\.cls", cls_token),
    (r"cls\.vector", cls_vector),
    (r"cls\.logits", cls_logits),
    (r"cls\.probs", cls_probs),
    (r"cls\.target", cls_target),
    (r"loss\.per_example", per_example),
    (r"loss\.mask", loss_mask),
    (r"loss\.per_token", per_token),
    (r"loss", loss_total),
]


# -- every other step, by its op ------------------------------------------------------
def _row_of(k: Ctx, x: np.ndarray) -> tuple[np.ndarray, bool]:
    """The selected position's slice of a step tensor (the selected head), and whether it is
    one."""
    axes = list(k.step.axes) if len(k.step.axes) == x.ndim else []
    if axes and axes[0] == "batch":
        x, axes = x[0], axes[1:]
    if "head" in axes:
        i = axes.index("head")
        x = np.take(x, min(k.head, x.shape[i] - 1), axis=i)
        axes.remove("head")
    if axes and axes[0] in ("src", "tgt") and x.shape[0] == len(k.positions) and x.ndim >= 1:
        return np.asarray(x[k.row]).ravel(), True
    return np.asarray(x).ravel(), False


def _cols(k: Ctx) -> list[str]:
    if "cross_attn" in k.step.name and k.trace.meta.get("src_tokens"):
        return [f"“{w}”" for w in k.trace.meta["src_tokens"]]
    return [k.tok(i) for i in range(len(k.positions))]


def by_kind(k: Ctx) -> Explained:
    s, x = k.step, k.out
    if "out" not in s.tensors:
        return k.say(f"{s.name}: no tensor.", f"{s.name}：没有张量。")
    x = np.asarray(x, dtype=np.float64) if x.dtype != bool else x.astype(np.float64)
    if s.phase == "update" and "update_norm" in s.tensors:  # core.light_trace: norms only
        n0, ng, nu = (
            float(k.value(s.tensors[r])) for r in ("before_norm", "grad_norm", "update_norm")
        )
        n1 = float(x)
        return k.say(
            f"Adam moved {s.name}; the light trace keeps four norms: before {num(n0)}, "
            f"gradient {num(ng)}, change {num(nu)}, after {num(n1)}.",
            f"Adam 更新了 {s.name}；轻量追踪只保留四个范数：更新前 {num(n0)}，梯度 {num(ng)}，"
            f"改变量 {num(nu)}，更新后 {num(n1)}。",
            change=nu,
        )
    if s.phase == "update":
        upd = np.abs(k.value(s.tensors["update"])) if "update" in s.tensors else np.abs(x)
        return k.say(
            f"Adam moves {s.name}: the largest change of its {x.size} numbers is {num(upd.max())}.",
            f"Adam 更新 {s.name}：它的 {x.size} 个数中最大的改变量是 {num(upd.max())}。",
            change=float(upd.max()),
        )
    if s.phase == "backward" and s.narration == "backward.param_grad_norm":  # light trace
        top = float(x)
        return k.say(
            f"Gradient ∂L/∂{s.name}: the light trace keeps its norm, {num(top)}.",
            f"梯度 ∂L/∂{s.name}：轻量追踪只保留它的范数 {num(top)}。",
            grad=top,
        )
    if s.phase == "backward":
        g, per_pos = _row_of(k, x)
        where = f" for {k.tok(k.row)}" if per_pos else ""
        where_zh = f"（{k.tok(k.row)}）" if per_pos else ""
        top = float(np.abs(g).max()) if g.size else 0.0
        return k.say(
            f"Gradient ∂L/∂{s.name}{where}: the largest of its {g.size} numbers in size is "
            f"{num(top)}.",
            f"梯度 ∂L/∂{s.name}{where_zh}：{g.size} 个数中绝对值最大的是 {num(top)}。",
            grad=top,
        )
    if s.kind == "tokens":
        ids = x.ravel()
        words = " ".join(k.tok(i) for i in range(min(len(k.positions), 12)))
        return k.say(
            f"{len(ids)} token ids: {words}.",
            f"{len(ids)} 个词元编号：{words}。",
            count=len(ids),
        )
    if s.name.endswith("next.token"):
        i = int(x.ravel()[0])
        word = k.vocab[i] if 0 <= i < len(k.vocab) else str(i)
        return k.say(
            f"The next token is “{word}” (id {i}).", f"下一个词元是 “{word}”（编号 {i}）。", id=i
        )
    if x.ndim == 0:
        v = float(x)
        inputs = [r for r in s.tensors if r != "out"]
        how = {"mean": ("the mean of", "的平均值"), "add": ("the sum of", "之和")}.get(s.kind)
        src = ", ".join(s.tensors[r] for r in inputs)
        if how and src:
            return k.say(
                f"{s.name} = {how[0]} {src} = {num(v)}.",
                f"{s.name} = {src} {how[1]} = {num(v)}。",
                value=v,
            )
        return k.say(f"{s.name} = {num(v)}.", f"{s.name} = {num(v)}。", value=v)
    row, per_pos = _row_of(k, x)
    who = k.tok(k.row) if per_pos else s.name
    if s.kind == "softmax" and row.size == len(k.vocab) and k.vocab:
        i = int(np.argmax(row))
        if not per_pos:
            return k.say(
                f"The most likely next token is “{k.vocab[i]}”, p = {num(row[i])}.",
                f"最可能的下一个词元是 “{k.vocab[i]}”，p = {num(row[i])}。",
                p=float(row[i]),
            )
        return k.say(
            f"At {who} the most likely next token is “{k.vocab[i]}”, p = {num(row[i])}.",
            f"在 {who} 处最可能的下一个词元是 “{k.vocab[i]}”，p = {num(row[i])}。",
            p=float(row[i]),
        )
    attention = "self_attn" in s.name or "cross_attn" in s.name
    if s.kind in ("softmax", "matmul", "scale", "mask") and attention:
        cols = _cols(k)
        if row.size == len(cols) and per_pos:
            finite = np.where(np.isfinite(row), row, -np.inf)
            j = int(np.argmax(finite))
            blocked = int((~np.isfinite(row)).sum())
            more = f"; {blocked} later positions are −∞" if blocked else ""
            more_zh = f"；{blocked} 个后面的位置为 −∞" if blocked else ""
            return k.say(
                f"Head {k.head}: {who} has its largest value, {num(row[j])}, at {cols[j]}{more}.",
                f"第 {k.head} 个头：{who} 的最大值 {num(row[j])} 在 {cols[j]}{more_zh}。",
                top=float(row[j]),
                blocked=blocked,
            )
    if s.kind == "activation":
        zeros = int((row == 0).sum())
        return k.say(
            f"For {who}: {zeros} of {row.size} numbers are 0 after the activation; the largest "
            f"is {num(row.max())}.",
            f"{who}：激活之后 {row.size} 个数中有 {zeros} 个为 0；最大的是 {num(row.max())}。",
            zeros=zeros,
            hi=float(row.max()),
        )
    lo, hi = float(row.min()), float(row.max())
    return k.say(
        f"For {who}: {row.size} numbers, from {num(lo)} to {num(hi)}.",
        f"{who}：{row.size} 个数，从 {num(lo)} 到 {num(hi)}。",
        lo=lo,
        hi=hi,
    )
