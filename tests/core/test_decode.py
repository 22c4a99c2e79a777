"""Greedy, beam and sampling decoding, their traces and the shipped models."""

from __future__ import annotations

import pytest
import torch

from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle
from core.decode import DecodeSettings, generate, greedy_batch, next_token_probs
from core.tokenizer import BOS_ID, EOS_ID
from core.tracing import trace_translation


@pytest.mark.parametrize("pair", ["en-de", "en-fr"])
def test_shipped_models_translate_every_lecture_sentence(
    pair: str, shipped_de: Bundle, shipped_fr: Bundle
) -> None:
    bundle = shipped_de if pair == "en-de" else shipped_fr
    for p in builtin_corpus(pair).lecture:
        assert bundle.translate(p.source).text == p.target
        assert bundle.translate(p.source, DecodeSettings(beam=4)).text == p.target


def test_greedy_matches_batched_greedy(shipped_de: Bundle) -> None:
    src, _ = shipped_de.encode_source("The bird flies like an arrow")
    one = generate(shipped_de.model, src, DecodeSettings())
    assert greedy_batch(shipped_de.model, src) == [one.ids]
    for c in one.choices:
        assert c.chosen == c.candidates[0][0]  # greedy takes the most likely token
    assert one.finished and one.choices[-1].chosen == EOS_ID


def test_beam_tree_is_a_tree(shipped_de: Bundle) -> None:
    src, _ = shipped_de.encode_source("Time flies like an arrow")
    gen = generate(shipped_de.model, src, DecodeSettings(beam=3))
    tree = gen.tree
    assert tree[0].parent is None and tree[0].token == BOS_ID
    for node in tree[1:]:
        assert node.parent is not None and node.parent < node.id
        assert node.t == tree[node.parent].t + 1
        assert node.logp <= tree[node.parent].logp + 1e-6  # log-probs only fall
    assert max(n.t for n in tree) + 1 >= len(gen.ids)
    assert sum(1 for n in tree if n.t == 0) == 3


def test_sampling_is_seeded_and_filtered(shipped_de: Bundle) -> None:
    src, _ = shipped_de.encode_source("The dog sees the cat")
    hot = DecodeSettings(temperature=5.0, seed=3)
    a = generate(shipped_de.model, src, hot).ids
    assert a == generate(shipped_de.model, src, hot).ids
    greedy = generate(shipped_de.model, src, DecodeSettings()).ids
    assert generate(shipped_de.model, src, DecodeSettings(temperature=5.0, top_k=1)).ids == greedy
    assert (
        generate(shipped_de.model, src, DecodeSettings(temperature=1.0, top_p=0.01)).ids == greedy
    )


def test_top_k_and_top_p_filter_probabilities() -> None:
    logits = torch.tensor([[3.0, 2.0, 1.0, 0.0]])
    k2 = next_token_probs(logits, DecodeSettings(temperature=1.0, top_k=2))
    assert (k2[0, 2:] == 0).all() and torch.isclose(k2.sum(), torch.tensor(1.0))
    p = torch.softmax(logits, -1)[0]
    nucleus = next_token_probs(logits, DecodeSettings(temperature=1.0, top_p=float(p[0]) + 0.01))
    assert (nucleus[0, :2] > 0).all() and (nucleus[0, 2:] == 0).all()


def test_translation_trace_has_every_decoding_step(shipped_de: Bundle) -> None:
    trace, result = trace_translation(shipped_de, "Time flies like an arrow")
    assert result.text == "Die Zeit fliegt wie ein Pfeil"
    n = len(result.generation.choices)  # 6 words + <eos>
    assert n == 7
    cross = trace.find("dec.1.cross_attn.weights", phase="decode")
    assert [s.t for s in cross] == list(range(n))
    for s in cross:
        assert s.shape == (1, shipped_de.cfg.n_heads, s.t + 1, 6)  # tgt prefix x source
        assert s.key == f"t{s.t}/dec.1.cross_attn.weights"
    chosen = [int(trace.tensors[s.key][0]) for s in trace.find("next.token")]
    assert chosen == [c.chosen for c in result.generation.choices]
    assert len(trace.find("enc.0.self_attn.weights", phase="forward")) == 1  # encoder runs once
    k = trace.first("t3/dec.0.cross_attn.k")
    assert k.tensors["x"] == "enc.1.norm2"  # memory from the encoder, not re-run per step
