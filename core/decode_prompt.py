"""Decoding for the decoder-only (GPT) model: continue the prompt ``source =`` to ``<eos>``.

The same strategies, settings and records as :mod:`core.decode` (``DecodeSettings``,
``Generation`` with its ``Choice`` per step and the beam ``BeamNode`` tree), on one
sequence instead of an encoder's memory plus a decoder prefix: every step runs the whole
model on prompt + answer so far (no KV cache) and reads the last position's logits. Each
step is therefore a complete traced forward pass, named ``t{step}/tgt.tokens`` …
``t{step}/logits``, then ``t{step}/next.probs`` and ``t{step}/next.token`` like the
translator's decoding steps.

Length: a step reads at most ``cfg.max_len`` positions, so the answer (``<eos>`` included)
has at most ``max_len - prompt + 1`` tokens, and never more than ``settings.max_len``.
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.decode import DecodeSettings, Generation, beam_search, bounded, decode_steps
from core.model_decoder import DecoderOnly
from core.tokenizer import EOS_ID, PAD_ID
from core.trace import Tracer, untraced


def _steps(model: DecoderOnly, prompt_len: int, settings: DecodeSettings) -> int:
    return max(0, min(settings.max_len, model.cfg.max_len - prompt_len + 1))


@torch.no_grad()
def generate_answer(
    model: DecoderOnly, prompt: Tensor, settings: DecodeSettings, tracer: Tracer | None = None
) -> Generation:
    """Continue a (1, P) prompt (ids ending in ``=``); each decoding step traced if asked.

    Beam search runs untraced first and its winner is replayed token by token, so a beam
    answer has the same per-step trace as a greedy one, plus the tree (as ``decode.generate``).
    """
    settings = bounded(model, settings)
    forced: list[int] | None = None
    searched: Generation | None = None
    if settings.strategy == "beam":
        with untraced():
            searched = _beam(model, prompt, settings)
        forced = [*searched.ids, EOS_ID] if searched.finished else searched.ids
    seq = [int(i) for i in prompt[0]]
    steps = _steps(model, len(seq), settings) if forced is None else len(forced)
    tree = searched.tree if searched else []

    def next_logits(so_far: list[int]) -> Tensor:
        return model(torch.tensor([so_far]))[:, -1]  # (1, V): the last position's guess

    return decode_steps(next_logits, seq, steps, settings, forced, tree, tracer)


def _beam(model: DecoderOnly, prompt: Tensor, s: DecodeSettings) -> Generation:
    """Beam search over answers; the root node is the prompt's last token (``=``)."""
    base = [int(i) for i in prompt[0]]

    def logits(paths: list[list[int]]) -> Tensor:
        return model(torch.tensor([[*base, *p] for p in paths]))[:, -1]  # (beam, V)

    return beam_search(logits, base[-1], _steps(model, len(base), s), s)


@torch.no_grad()
def greedy_answers(
    model: DecoderOnly, prompts: list[list[int]], max_len: int = 40
) -> list[list[int]]:
    """Greedy answers (ids without ``<eos>``) of many prompts, for evaluation.

    Prompts of equal length run as one batch (no padding inside a sequence is needed)."""
    out: list[list[int]] = [[] for _ in prompts]
    by_len: dict[int, list[int]] = {}
    for i, p in enumerate(prompts):
        by_len.setdefault(len(p), []).append(i)
    for length, rows in sorted(by_len.items()):
        ys = torch.tensor([prompts[i] for i in rows], dtype=torch.long)  # (B, P)
        ended = torch.zeros(len(rows), dtype=torch.bool)
        steps = max(0, min(max_len, model.cfg.max_len - length + 1))
        for _ in range(steps):
            nxt = model(ys)[:, -1].argmax(-1)  # (B,)
            nxt = nxt.masked_fill(ended, PAD_ID)
            ended |= nxt == EOS_ID
            ys = torch.cat([ys, nxt[:, None]], dim=1)
            if bool(ended.all()):
                break
        for r, row in zip(rows, ys[:, length:].tolist(), strict=True):
            out[r] = row[: row.index(EOS_ID)] if EOS_ID in row else row
    return out
