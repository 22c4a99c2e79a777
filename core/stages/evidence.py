"""The evidence for *why* a model answers 9.11: its tokens, its attention, its choice.

``trace_answer`` runs one traced forward pass over ``<bos>`` + the question + an answer
(teacher-forced, no update), so the window can show the split of both numbers, the
attention of the decisive position and the probabilities there. The decisive position is
the answer's ``.``: the model has already copied the whole part (``9`` ``.``) and now picks
the fraction token -- ``11`` or ``9`` -- which is the whole decision of "9.11 or 9.9".
``Choice`` says what the model put on each option there and which prompt tokens the
decisive position attends to most (averaged over heads, per layer).

Measured on the built-in settings (seed 0): after pre-training P(11 | 9 .) = 0.68 against
P(9 | 9 .) = 0.12, and layer 1 at the decisive ``.`` puts 0.49 of its attention on the
question's ``11`` (0.27 on the other ``9``); after GRPO P(9 | 9 .) = 0.999 and the same
head-mean puts 0.85 on ``9`` and 0.12 on ``11``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.model_decoder import DecoderOnly
from core.stages.lm import prompt_ids
from core.stages.questions import Question
from core.stages.tokenizer import StageTokenizer
from core.trace import Trace, Tracer


@dataclass(frozen=True)
class Choice:
    """At the decisive position: P of each option's fraction token (``p_right``, for the
    right number's, ``p_wrong``) and per layer the attention (mean over heads) to every
    token of the sequence, by position."""

    position: int
    right_token: str
    wrong_token: str
    p_right: float
    p_wrong: float
    attention: tuple[tuple[float, ...], ...]  # (layers, T)


def trace_answer(model: DecoderOnly, tok: StageTokenizer, question: Question, answer: str) -> Trace:
    """A traced forward pass over ``<bos>`` question ``→`` answer (``tgt.tokens`` ...
    ``logits``, every attention map); meta: ``tokens``, ``prompt_len``, ``decision`` (the
    position whose next token picks the fraction), ``question``, ``answer``."""
    ids = [*prompt_ids(tok, question), *tok.encode(answer)]
    tracer = Tracer(grads=False)
    tracer.watch_parameters(model, clone=False)
    model.eval()
    with torch.no_grad(), tracer.active():
        tracer.phase = "forward"
        model(torch.tensor([ids]))
    plen = len(prompt_ids(tok, question))
    tokens = [tok.token(i) for i in ids]
    dots = [i for i in range(plen, len(ids)) if tokens[i] == "."]
    tracer.trace.meta.update(
        kind="stages_answer",
        arch="decoder-only",
        question=question.prompt,
        answer=answer,
        tokens=tokens,
        prompt_len=plen,
        decision=dots[0] if dots else len(ids) - 1,
    )
    return tracer.trace


def choice(trace: Trace, tok: StageTokenizer, question: Question) -> Choice:
    """Read ``Choice`` from a ``trace_answer`` trace (whose answer has the ``.``)."""
    pos = int(trace.meta["decision"])
    logits = trace.tensors["logits"][0, pos]  # (V,)
    probs = torch.softmax(logits, -1)
    right = question.answer.split(".")[1]
    wrong = question.wrong.split(".")[1]
    layers = sorted({s.layer for s in trace.find("dec.*.self_attn.weights") if s.layer is not None})
    attention = tuple(
        tuple(float(x) for x in trace.tensors[f"dec.{n}.self_attn.weights"][0, :, pos].mean(0))
        for n in layers
    )  # (layers, T)
    return Choice(
        pos, right, wrong, float(probs[tok.id(right)]), float(probs[tok.id(wrong)]), attention
    )
