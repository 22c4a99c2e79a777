"""The evidence trace agrees with the untraced model."""

from __future__ import annotations

import math

import torch

from core.stages.evidence import choice, trace_answer
from core.stages.lm import answer_logprob
from core.stages.pipeline import Pipeline
from core.stages.questions import THE_QUESTION


def test_choice_probabilities_match_the_model(tiny_pipeline: Pipeline) -> None:
    model, tok = tiny_pipeline.model("pretrain"), tiny_pipeline.tok
    trace = trace_answer(model, tok, THE_QUESTION, "9.11")
    assert trace.meta["tokens"][trace.meta["decision"]] == "."
    assert trace.meta["tokens"][-3:] == ["9", ".", "11"]
    c = choice(trace, tok, THE_QUESTION)
    assert (c.right_token, c.wrong_token) == ("9", "11")
    # P(9.11) = P(9) P(.|9) P(11|9 .): the last factor is the choice's p_wrong
    p_prefix = math.exp(answer_logprob(model, tok, THE_QUESTION, "9."))
    p_whole = math.exp(answer_logprob(model, tok, THE_QUESTION, "9.11"))
    assert math.isclose(p_whole / p_prefix, c.p_wrong, rel_tol=1e-4)
    for row in c.attention:
        assert len(row) == len(trace.meta["tokens"])
        assert math.isclose(sum(row), 1.0, rel_tol=1e-5)
        assert all(x == 0 for x in row[c.position + 1 :])  # causal
    assert torch.equal(trace.tensors["tgt.tokens"][0, :1], torch.tensor([1]))
