"""Filling in ``[MASK]``: a pre-trained BERT's run on a sentence with hidden words.

The sentence is the user's, with ``[MASK]`` where a word is missing ("the cat sat on
the [MASK] ."). The model (``cfg.mlm``: ``core.mlm``) scores every word of the
vocabulary at every position; at a mask position those scores, softmaxed, are its
guess. A traced run records the forward pass up to ``logits`` (B, S, V) and then
``probs`` (their softmax, shown only), so each mask's candidates are numbers the trace
holds: ``probs[0, position]``. ``meta`` keeps where the masks are (``masks``) and
their top candidates (``fills``: [[token, probability], ...] per mask).

A training step teaches the masked positions the words of ``target`` (one word piece
per ``[MASK]``, in order): the trainer's decoder-only batch (``PromptBatch``) fits it
exactly, ``loss.mask`` True at the masks only, so the loss is BERT's masked-word loss
and the trainer, tracer and loss view run unchanged.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from torch import Tensor

from core.bundle import Bundle
from core.config import TrainConfig
from core.messages import msg
from core.mlm import VOCAB_AXES
from core.prompt_task import PromptBatch
from core.tokenizer import Encoded, InputError, check_text
from core.trace import Intervention, Trace, Tracer, point

MASK = "[MASK]"
MAX_MASKS = 8  # masks in one sentence: each gets its own row of candidates on screen
TOP_K = 5  # candidates kept per mask
MAX_TOP_K = 50
NOT_TEXT = ("[CLS]", "[SEP]", "[PAD]")  # the tokenizer's frame, not words of the sentence
EXAMPLE = "the cat sat on the [MASK] ."
EXAMPLES = (  # the input bar's examples for a pre-trained BERT
    EXAMPLE,
    "time flies like an [MASK] .",
    "the [MASK] sat on the mat .",
    "paris is the capital of [MASK] .",
    "the man went to the [MASK] to buy some [MASK] .",
)
_TYPED_MASK = re.compile(re.escape(MASK), re.IGNORECASE)


class MaskTokenizer(Protocol):
    """What filling needs of the tokenizer (``core.hf.HFTextTokenizer`` has it)."""

    def encode(self, text: str) -> Encoded: ...
    def decode(self, ids: Sequence[int]) -> str: ...
    def token(self, token_id: int) -> str: ...
    def token_id(self, token: str) -> int | None: ...


@dataclass
class FillMask:
    """The masked sentence and, per ``[MASK]``, its candidates, most likely first."""

    source: Encoded  # the sentence's tokens, [CLS] … [MASK] … [SEP]
    positions: list[int]  # where the masks are in ``source``
    candidates: list[list[tuple[str, float]]]  # per mask: (token, probability), descending
    text: str  # the sentence with every mask filled by its best candidate

    @property
    def words(self) -> list[str]:
        """The best candidate of each mask, in order."""
        return [c[0][0] for c in self.candidates]


def is_masked_lm(bundle: Bundle) -> bool:
    """A pre-trained BERT that fills in masks (no classification head)."""
    return bundle.cfg.arch == "encoder-only" and bundle.cfg.mlm


def _tok(bundle: Bundle) -> MaskTokenizer:
    tok = bundle.src_tok
    if not is_masked_lm(bundle) or not hasattr(tok, "token_id"):
        raise ValueError(msg("mask_not_mlm"))
    return tok  # type: ignore[return-value]  # checked above: it has token_id


def masked_input(bundle: Bundle, text: str) -> tuple[Tensor, Encoded, list[int]]:
    """The sentence as (1, S) ids with ``[CLS]`` … ``[SEP]``, and where its masks are.
    No mask, too many, an empty or too long sentence: one-line ``InputError``."""
    tok = _tok(bundle)
    if not isinstance(text, str) or not text.strip():
        raise InputError(msg("mask_empty", example=EXAMPLE))
    text = _TYPED_MASK.sub(MASK, check_text(text))  # "[mask]" typed in lower case counts
    mask_id = tok.token_id(MASK)
    if mask_id is None:
        raise InputError(msg("mask_no_token"))
    enc = tok.encode(text)
    positions = [i for i, t in enumerate(enc.ids) if t == mask_id]
    if not positions:
        raise InputError(msg("mask_none"))
    if len(positions) > MAX_MASKS:
        raise InputError(msg("mask_too_many", n=len(positions), limit=MAX_MASKS))
    if len(enc.ids) > bundle.cfg.max_len:
        raise InputError(msg("sentence_too_long", n=len(enc.ids), limit=bundle.cfg.max_len))
    return torch.tensor([enc.ids]), enc, positions


def candidates(
    bundle: Bundle, probs: Tensor, positions: Sequence[int], k: int = TOP_K
) -> list[list[tuple[str, float]]]:
    """(S, V) probabilities -> the top ``k`` (token, probability) at each mask position
    (ties keep vocabulary order)."""
    tok = _tok(bundle)
    out = []
    for pos in positions:
        row = probs[pos]  # (V,)
        order = torch.argsort(row, descending=True, stable=True)[: min(k, row.shape[0])]
        out.append([(tok.token(int(i)), float(row[i])) for i in order])
    return out


def _result(bundle: Bundle, enc: Encoded, positions: list[int], probs: Tensor, k: int) -> FillMask:
    tok = _tok(bundle)
    ids = list(enc.ids)
    for pos in positions:
        ids[pos] = int(probs[pos].argmax())
    words = [i for i in ids if tok.token(i) not in NOT_TEXT]
    return FillMask(enc, positions, candidates(bundle, probs, positions, k), tok.decode(words))


def fill_mask(bundle: Bundle, text: str, k: int = TOP_K) -> FillMask:
    """Fill every ``[MASK]`` of ``text`` (untraced; the command line's ``fill-mask``)."""
    ids, enc, positions = masked_input(bundle, text)
    model = bundle.model
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(ids)[0], -1)  # (S, V)
    return _result(bundle, enc, positions, probs, k)


def trace_fill_mask(
    bundle: Bundle, text: str, interventions: Sequence[Intervention] = (), k: int = TOP_K
) -> tuple[Trace, FillMask]:
    """The traced forward pass (… ``mlm.norm``, ``logits``, ``probs``) and its fills,
    read from the recorded ``probs`` (after any intervention)."""
    ids, enc, positions = masked_input(bundle, text)
    model = bundle.model
    tracer = Tracer(grads=False, interventions=interventions)
    tracer.watch_parameters(model, clone=False)
    model.eval()
    with torch.no_grad(), tracer.active():
        tracer.phase = "forward"
        logits = model(ids)  # (1, S, V)
        probs = point("probs", torch.softmax(logits, -1), "softmax", {"x": "logits"}, VOCAB_AXES)
    result = _result(bundle, enc, positions, probs[0], k)
    tracer.trace.meta.update(
        kind="fill_mask",
        arch=bundle.cfg.arch,
        source=text,
        src_tokens=list(enc.tokens),
        unknown=[],
        masks=positions,
        fills=[[[t, p] for t, p in c] for c in result.candidates],
        filled=result.text,
        interventions=[i.name for i in interventions],
    )
    return tracer.trace, result


def mlm_batch(bundle: Bundle, text: str, target: str) -> tuple[PromptBatch, dict[str, Any]]:
    """``text`` with masks, and ``target``'s word pieces for them (one per mask, in
    order) as one graded sequence: labels are the input with each mask replaced by its
    piece, ``loss_mask`` is True at the masks only."""
    ids, enc, positions = masked_input(bundle, text)
    tok = _tok(bundle)
    said = tok.encode(check_text(target))
    pieces = [(i, t) for i, t in zip(said.ids, said.tokens, strict=True) if t not in NOT_TEXT]
    if len(pieces) != len(positions):
        shown = " ".join(t for _, t in pieces)
        raise InputError(msg("mask_target", n=len(pieces), pieces=shown, masks=len(positions)))
    labels = ids.clone()  # (1, S): unmasked positions keep their own word (never graded)
    graded = torch.zeros_like(ids, dtype=torch.bool)  # (1, S)
    for pos, (piece, _) in zip(positions, pieces, strict=True):
        labels[0, pos], graded[0, pos] = piece, True
    out_tokens = [tok.token(int(i)) for i in labels[0]]
    meta: dict[str, Any] = {
        "tokens": list(enc.tokens),
        "src_tokens": list(enc.tokens),
        "tgt_in_tokens": list(enc.tokens),
        "tgt_out_tokens": out_tokens,
        "loss_mask": [bool(g) for g in graded[0]],
        "prompt_len": 0,
        "masks": positions,
        "unknown": [],
        "target_unknown": [],
    }
    return PromptBatch(ids, labels, graded, torch.tensor([0])), meta


def trace_fill_mask_step(
    trainer: Any,
    text: str,
    target: str,
    block: str = "",
    before: Mapping[str, Tensor] | None = None,
) -> Trace:
    """One traced training step (forward, loss on the masks, backward, update) of a
    ``core.train.Trainer`` on ``text`` and the words ``target`` puts in its masks.
    Recorded as ``core.tracing.trace_training_step`` records one: in full when that
    fits, else the light trace (``block``, ``before``: ``core.light_trace``)."""
    from core.light_trace import plan_trace
    from core.tracing import plan_meta, trace_batch_step

    plan = plan_trace(trainer.bundle.model, block)
    batch, meta = mlm_batch(trainer.bundle, text, target)
    trace = trace_batch_step(trainer, batch, full=plan.full, before=before)
    trace.meta.update(meta, source=text, target=target, **plan_meta(plan))
    return trace


def trace_fill_mask_step_on_copy(
    bundle: Bundle, text: str, target: str, lr: float = 1e-4, block: str = ""
) -> Trace:
    """The training step on a copy of the model (the one that fills masks is unchanged);
    the plan is checked before anything is copied, as ``core.tracing`` does."""
    from core.light_trace import plan_trace
    from core.train import Trainer

    plan_trace(bundle.model, block)  # a one-line refusal before a copy is made
    trainer = Trainer(copy.deepcopy(bundle), None, TrainConfig(warmup=0, lr=lr))
    before = dict(bundle.model.named_parameters())
    return trace_fill_mask_step(trainer, text, target, block, before)
