"""Which attention weights belong to a cursor, and the attention view's words, without Qt:
checked against the weights a real translation traced."""

from __future__ import annotations

import numpy as np
import pytest

from core.session import Session
from visualizer.panels.attention.attention_index import AttentionIndex, attention_kind
from visualizer.panels.attention.attention_text import STRINGS, describe


def test_index_without_attention(session: Session):
    from core.trace import Trace

    empty = AttentionIndex(Trace())
    assert not empty and empty.resolve(session.trace.steps[0]) is None
    assert AttentionIndex(session.trace).resolve(session.trace.steps[0]) is not None


def test_every_weights_step_is_filed(translate: Session) -> None:
    trace = translate.trace
    index = AttentionIndex(trace)
    weights = [s for s in trace.steps if s.name.endswith("attn.weights")]
    assert index.order == weights
    for s in weights:
        kind = attention_kind(s.name.rsplit(".", 1)[0])
        assert kind is not None and index.by_key[(kind, s.layer, s.t)] is s
        w = index.weights(s)
        np.testing.assert_array_equal(w, trace.value(s.key)[0])
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-5)  # each query's row is a softmax


def test_a_step_inside_a_block_shows_its_weights(translate: Session) -> None:
    trace = translate.trace
    index = AttentionIndex(trace)
    res = index.resolve(trace.first("t5/dec.1.cross_attn.context"))
    assert res is not None
    assert res.weights.key == "t5/dec.1.cross_attn.weights" and res.relation == "here"
    assert (res.kind, res.layer, res.t) == ("cross", 1, 5)
    queries, keys = index.weights(res.weights).shape[1:]
    assert keys == len(trace.meta["src_tokens"]) and queries == 6  # <bos> and 5 tokens at t=5
    later = index.resolve(trace.first("enc.1.self_attn.scores"))  # before its softmax
    assert later is not None and later.relation == "later"
    assert later.weights.key == "enc.1.self_attn.weights"


def test_outside_attention_the_most_recent_or_the_first(translate: Session) -> None:
    trace = translate.trace
    index = AttentionIndex(trace)
    recent = index.resolve(trace.first("t0/logits"))
    assert recent is not None and recent.relation == "recent"
    assert recent.weights.key == "t0/dec.1.cross_attn.weights"
    ahead = index.resolve(trace.steps[0])
    assert ahead is not None and ahead.relation == "ahead"
    assert ahead.weights.key == "enc.0.self_attn.weights"
    assert [s.key for s in index.layers("dec_self", 2)] == [
        "t2/dec.0.self_attn.weights",
        "t2/dec.1.self_attn.weights",
    ]


def test_a_training_trace_is_indexed_by_its_forward_pass(train: Session) -> None:
    trace = train.trace
    index = AttentionIndex(trace)
    assert all(s.phase == "forward" for s in index.order)
    back = trace.first("dec.1.cross_attn.weights", phase="backward")
    res = index.resolve(back)
    assert res is not None and res.weights.phase == "forward"
    assert res.weights.name == "dec.1.cross_attn.weights"


def test_describe_in_both_languages(translate: Session) -> None:
    trace = translate.trace
    index = AttentionIndex(trace)
    res = index.resolve(trace.first("t5/dec.1.cross_attn.weights"))
    assert res is not None
    en = describe(res, res.weights.index, "en-de", "en")
    assert en.title == "Cross-attention · decoder layer 1 · decoding step 5 (German → English)"
    assert not en.preview
    zh = describe(res, res.weights.index, "en-de", "zh")
    assert "交叉注意力" in zh.title and "德语 → 英语" in zh.title
    scores = trace.first("t5/dec.1.cross_attn.scores")  # before these weights are computed
    later = index.resolve(scores)
    assert later is not None and later.weights is res.weights
    early = describe(later, scores.index, "en-de", "en")
    assert early.preview and early.title == en.title and early.note != en.note
    for key, text in STRINGS.items():
        assert text.get("en") and text.get("zh"), key


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        ("enc.0.self_attn", "enc_self"),
        ("dec.1.self_attn", "dec_self"),
        ("dec.0.cross_attn", "cross"),
        ("dec.0.ffn", None),
    ],
)
def test_attention_kind(block: str, kind: str | None) -> None:
    assert attention_kind(block) == kind
