"""Autoregressive decoding: greedy, beam search (with its tree) and sampling.

Each strategy runs the encoder once and then the decoder on the growing prefix,
one token at a time, until ``<eos>`` or a length limit: ``settings.max_len``, and never
more than the model's ``max_len - 1`` (its positions; ``core.limits.MAX_MODEL_LEN``
bounds that), so a model that never says ``<eos>`` still stops. The prefix is recomputed at
every step instead of cached: slower, but every decoding step is then a complete,
self-contained forward pass that can be traced (names ``t{step}/dec.0...``) and
shown. What was considered at each step (the top-k candidates and the choice) is
returned with the tokens, because the decoding panel draws exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import torch
from torch import Tensor

from core import limits
from core.messages import msg
from core.model import Transformer
from core.model_decoder import DecoderOnly
from core.tokenizer import BOS_ID, EOS_ID
from core.trace import Tracer, point, untraced

Strategy = Literal["greedy", "beam", "sample"]
PLAIN_TOP = 10  # tokens of the temperature-1 distribution kept per sampling step


@dataclass(frozen=True)
class DecodeSettings:
    """How to pick each next token. ``temperature`` 0 means greedy."""

    beam: int = 1
    temperature: float = 0.0
    top_k: int = 0  # 0: no limit
    top_p: float = 1.0
    max_len: int = 40
    seed: int = 0
    length_penalty: float = 0.6
    candidates: int = 5  # how many top next tokens to record per step

    @property
    def strategy(self) -> Strategy:
        if self.beam > 1:
            return "beam"
        return "sample" if self.temperature > 0 else "greedy"


@dataclass(frozen=True)
class Choice:
    """One decoding step: the prefix's top candidates (id, probability) and the pick."""

    t: int
    candidates: tuple[tuple[int, float], ...]
    chosen: int
    prob: float
    # Sampling only: the top tokens of the model's own distribution (temperature 1, no
    # top-k / top-p), beside which the panel shows what temperature and the filters did
    # to the same logits; () for greedy and beam, whose candidates are that already.
    plain: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class BeamNode:
    """A hypothesis in the beam tree: its last token, parent node, and scores."""

    id: int
    parent: int | None
    token: int
    logp: float  # cumulative log-probability
    score: float  # length-normalised, what the beam ranks by
    t: int
    finished: bool = False


@dataclass
class Generation:
    ids: list[int]  # generated ids, without <bos>, without <eos>
    choices: list[Choice] = field(default_factory=list)
    tree: list[BeamNode] = field(default_factory=list)
    finished: bool = False  # ended with <eos> (not by the length limit)


@torch.no_grad()
def generate(
    model: Transformer, src: Tensor, settings: DecodeSettings, tracer: Tracer | None = None
) -> Generation:
    """Translate one sentence, (1, S) source ids; each decoding step traced if asked.

    Beam search runs untraced first; its winning hypothesis is then replayed token by
    token like greedy decoding, so a beam translation has the same per-step trace
    (and candidates) as a greedy one, plus the search tree.
    """
    settings = bounded(model, settings)
    forced: list[int] | None = None
    searched: Generation | None = None
    if settings.strategy == "beam":
        with untraced():
            searched = _beam(model, src, settings)
        forced = [*searched.ids, EOS_ID] if searched.finished else searched.ids
    memory, mem_key, pad = model.encode(src)  # (1, S, D)
    steps = settings.max_len if forced is None else len(forced)
    tree = searched.tree if searched else []

    def next_logits(prefix: list[int]) -> Tensor:
        return model.decode(torch.tensor([prefix]), memory, mem_key, pad)[:, -1]  # (1, V)

    return decode_steps(next_logits, [BOS_ID], steps, settings, forced, tree, tracer)


def decode_steps(
    next_logits: Callable[[list[int]], Tensor],
    prefix: list[int],
    steps: int,
    settings: DecodeSettings,
    forced: list[int] | None,
    tree: list[BeamNode],
    tracer: Tracer | None,
    eos: int | None = EOS_ID,
) -> Generation:
    """The decoding loop every model shares: ``next_logits(prefix)`` gives the (1, V)
    logits of the next token after ``prefix`` (the encoder-decoder's decoder over its
    memory, or the GPT over prompt + answer so far; a real checkpoint's own); each step
    is traced as ``t{step}/…`` with the chosen token and the top candidates.
    ``forced``: replay a beam search's winner; ``eos``: the model's end id (None: none)."""
    gen = torch.Generator().manual_seed(settings.seed)
    prefix = list(prefix)
    out = Generation(ids=[], tree=tree)
    for t in range(steps):
        if tracer is not None:
            tracer.prefix, tracer.t, tracer.phase = f"t{t}/", t, "decode"
        logits = next_logits(prefix)  # (1, V)
        probs = next_token_probs(logits, settings)  # (1, V)
        if not bool(torch.isfinite(probs).all()):
            raise ValueError(msg("nan_output", t=t))
        probs = point("next.probs", probs, "softmax", {"x": "logits"}, ("batch", "vocab"))
        if forced is not None:
            token = forced[t]
        elif settings.strategy == "sample":
            token = int(torch.multinomial(probs[0], 1, generator=gen))
        else:
            token = int(probs[0].argmax())
        picked = point(
            "next.token", torch.tensor([token]), "choose", {"probs": "next.probs"}, ("batch",)
        )
        top = probs[0].topk(min(settings.candidates, probs.shape[-1]))
        cands = tuple((int(i), float(p)) for p, i in zip(top.values, top.indices, strict=True))
        plain: tuple[tuple[int, float], ...] = ()
        if settings.strategy == "sample":
            own = torch.softmax(logits[0], dim=-1).topk(min(PLAIN_TOP, logits.shape[-1]))  # (V,)
            plain = tuple((int(i), float(p)) for p, i in zip(own.values, own.indices, strict=True))
        out.choices.append(Choice(t, cands, int(picked[0]), float(probs[0, token]), plain))
        if token == eos:
            out.finished = True
            break
        prefix.append(token)
        out.ids.append(token)
    if tracer is not None:
        tracer.prefix, tracer.t = "", None
    return out


def bounded(model: Transformer | DecoderOnly, settings: DecodeSettings) -> DecodeSettings:
    """``settings`` with ``max_len`` cut to what the model's positions allow; a beam or
    temperature past ``core.limits`` is a ValueError (the command line and session
    files refuse them earlier, with the option's name)."""
    limits.check_beam(settings.beam)
    limits.check_temperature(settings.temperature)
    limits.check_top_p(settings.top_p)
    limits.check_seed(settings.seed)
    room = max(1, model.cfg.max_len - 1)
    return settings if settings.max_len <= room else replace(settings, max_len=room)


def next_token_probs(logits: Tensor, settings: DecodeSettings) -> Tensor:
    """(B, V) logits -> (B, V) probabilities after temperature, top-k and top-p."""
    if settings.strategy != "sample":
        return torch.softmax(logits, dim=-1)
    z = logits / settings.temperature
    if settings.top_k > 0:
        kth = z.topk(min(settings.top_k, z.shape[-1]), dim=-1).values[:, -1:]  # (B, 1)
        z = z.masked_fill(z < kth, float("-inf"))
    probs = torch.softmax(z, dim=-1)
    if settings.top_p < 1.0:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        before = sorted_p.cumsum(-1) - sorted_p  # mass strictly before each token
        sorted_p = sorted_p.masked_fill(before >= settings.top_p, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p)
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


def _beam(model: Transformer, src: Tensor, s: DecodeSettings) -> Generation:
    """Beam search over translations; the root node is ``<bos>``."""
    memory, mem_key, pad = model.encode(src)  # (1, S, D)

    def logits(paths: list[list[int]]) -> Tensor:
        ids = torch.tensor([[BOS_ID, *p] for p in paths])  # (beam, t+1)
        mem = memory.expand(len(paths), -1, -1)  # (beam, S, D)
        mpad = None if pad is None else pad.expand(len(paths), -1, -1, -1)
        return model.decode(ids, mem, mem_key, mpad)[:, -1]  # (beam, V)

    return beam_search(logits, BOS_ID, s.max_len, s)


def beam_search(
    logits: Callable[[list[list[int]]], Tensor], root: int, steps: int, s: DecodeSettings
) -> Generation:
    """Beam search for either shape: ``logits(paths)`` gives the next-token logits
    (beam, V) after each path (the tokens chosen after ``root``). Every hypothesis ever
    kept becomes a node of the returned tree; scores use the GNMT length penalty."""
    tree = [BeamNode(0, None, root, 0.0, 0.0, -1)]
    alive: list[int] = [0]
    done: list[int] = []
    paths: dict[int, list[int]] = {0: []}
    for t in range(steps):
        if not alive:
            break
        logp = torch.log_softmax(logits([paths[n] for n in alive]), -1)  # (beam, V)
        total = logp + torch.tensor([tree[n].logp for n in alive])[:, None]  # (beam, V)
        best = total.flatten().topk(min(s.beam, total.numel()))
        nxt: list[int] = []
        for val, flat in zip(best.values.tolist(), best.indices.tolist(), strict=True):
            row, token = divmod(flat, total.shape[1])
            parent = alive[row]
            score = val / (((5 + t + 1) / 6) ** s.length_penalty)  # GNMT length penalty
            node = BeamNode(len(tree), parent, token, val, score, t, token == EOS_ID)
            tree.append(node)
            paths[node.id] = [*paths[parent], token]
            (done if node.finished else nxt).append(node.id)
        alive = nxt
        if len(done) >= s.beam:
            break
    pool = done or alive
    winner = max(pool, key=lambda n: tree[n].score)
    best_ids = [i for i in paths[winner] if i != EOS_ID]
    return Generation(ids=best_ids, tree=tree, finished=tree[winner].finished)


@torch.no_grad()
def greedy_batch(model: Transformer, src: Tensor, max_len: int = 40) -> list[list[int]]:
    """Greedy translations of a padded batch (B, S) at once, for evaluation."""
    max_len = min(max_len, max(1, model.cfg.max_len - 1))
    memory, mem_key, pad = model.encode(src)  # (B, S, D)
    b = src.shape[0]
    ys = torch.full((b, 1), BOS_ID, dtype=torch.long)  # (B, 1)
    ended = torch.zeros(b, dtype=torch.bool)
    for _ in range(max_len):
        nxt = model.decode(ys, memory, mem_key, pad)[:, -1].argmax(-1)  # (B,)
        nxt = nxt.masked_fill(ended, EOS_ID)
        ys = torch.cat([ys, nxt[:, None]], dim=1)
        ended |= nxt == EOS_ID
        if bool(ended.all()):
            break
    out = []
    for row in ys[:, 1:].tolist():
        out.append(row[: row.index(EOS_ID)] if EOS_ID in row else row)
    return out
