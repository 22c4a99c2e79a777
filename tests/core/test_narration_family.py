"""Every step of the family's traces is explained with its own numbers, in English and
Chinese, and the numbers quoted are the model's (checked against the raw trace here)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from core.assets import path
from core.narration import narrate
from core.narration_steps import explain, num, pct
from core.session import Session
from core.trace import Step, Trace

MODELS = path("models")
SHAPES = ("gpt-de", "moe-de", "bert-who", "vit-pets", "demo-de")  # the family, and the translator
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=[(m, mode) for m in SHAPES for mode in ("run", "train")])
def traced(request: pytest.FixtureRequest) -> tuple[Trace, list[str], str]:
    model, mode = request.param
    s = Session.open_builtin("en-de")
    s.open_model(MODELS / model)
    if mode == "train":
        s.mode = "train"
    assert s.error == "" and s.trace.steps
    tok = s.bundle.tgt_tok
    return s.trace, [tok.token(i) for i in range(tok.size)], model


def test_every_step_has_its_own_sentence_with_its_numbers(
    traced: tuple[Trace, list[str], str],
) -> None:
    trace, vocab, _ = traced
    for step in trace.steps:
        for lang in ("en", "zh"):
            narrate(step.narration, lang)  # the general text exists (KeyError if not)
            e = explain(trace, step, lang, vocab)
            assert e.text.strip() and e.text != narrate(step.narration, lang).text
            assert e.values, step.key  # it quotes at least one number of this step
            shown = [num(v) for v in e.values.values()] + [pct(v) for v in e.values.values()]
            shown += [str(int(v)) for v in e.values.values() if float(v).is_integer()]
            assert any(x in e.text for x in shown), (step.key, e.text)
            assert bool(CJK.search(e.text)) == (lang == "zh"), e.text


def test_the_sentences_differ_between_steps(traced: tuple[Trace, list[str], str]) -> None:
    trace, vocab, _ = traced
    texts = {explain(trace, s, "en", vocab).text for s in trace.steps}
    assert len(texts) > 0.6 * len(trace.steps)  # not one text for many steps


def _ran(trace: Trace, pattern: str) -> list[Step]:
    """The steps of the run (forward or decoding), not their gradients."""
    return [s for s in trace.find(pattern) if s.phase in ("forward", "decode", "loss")]


def _first(trace: Trace, pattern: str) -> Step:
    return _ran(trace, pattern)[0]


def test_the_router_sentence_names_the_argmax_expert(
    traced: tuple[Trace, list[str], str],
) -> None:
    trace, vocab, model = traced
    if model != "moe-de":
        pytest.skip("only moe-de routes")
    for step in _ran(trace, "*.moe.topk.experts"):
        probs = trace.value(step.key.replace("topk.experts", "router.probs"))[0]  # (T, E)
        for row in range(probs.shape[0]):
            e = explain(trace, step, "en", vocab, row)
            want = int(np.argmax(probs[row]))
            assert e.values["expert"] == want and math.isclose(e.values["p"], probs[row, want])
            assert f"to expert {want} with p = {num(probs[row, want])}" in e.text
            counts = np.bincount(probs.argmax(-1), minlength=probs.shape[1])
            assert [e.values[f"count{i}"] for i in range(len(counts))] == counts.tolist()
    for step in _ran(trace, "*.moe.aux_loss"):
        probs = trace.value(step.key.replace("aux_loss", "router.probs"))[0].astype(np.float64)
        n, experts = probs.shape
        f = np.bincount(probs.argmax(-1), minlength=experts) / n
        aux = experts * float(np.sum(f * probs.mean(0)))  # Switch: E · Σ f_e P_e
        got = explain(trace, step, "zh", vocab)
        assert math.isclose(got.values["aux"], aux, rel_tol=1e-4)
        assert num(aux) in got.text and "负载均衡" in got.text
    for step in _ran(trace, "*.moe.combine"):
        got = explain(trace, step, "en", vocab, 1)
        assert math.isclose(
            got.values["out"], got.values["weight"] * got.values["expert_out"], rel_tol=1e-4
        )


def test_the_classifier_sentences_quote_the_head(traced: tuple[Trace, list[str], str]) -> None:
    trace, vocab, model = traced
    if model not in ("bert-who", "vit-pets"):
        pytest.skip("only the classifiers have a head")
    logits = trace.value("cls.logits")[0].astype(np.float64)
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    labels = trace.meta["labels"]
    e = explain(trace, _first(trace, "cls.probs"), "en", vocab)
    best = int(np.argmax(probs))
    assert f"{labels[best]} {pct(probs[best])}" in e.text
    assert e.text.index(labels[best]) < min(e.text.index(x) for x in labels if x != labels[best])
    from core import classify_task, pictures

    zh_names = {**classify_task.LABEL_NAMES, **pictures.LABEL_NAMES}
    zh = explain(trace, _first(trace, "cls.probs"), "zh", vocab)
    assert f"{zh_names[labels[best]]['zh']} {pct(probs[best])}" in zh.text
    if trace.find("cls.target"):
        target = int(trace.value("cls.target")[0])
        per = explain(trace, _first(trace, "loss.per_example"), "en", vocab)
        assert math.isclose(per.values["loss"], -math.log(probs[target]), rel_tol=1e-3)
    if model == "vit-pets":
        patches = explain(trace, _first(trace, "src.patches"), "en", vocab)
        image = trace.value("src.image")
        side = image.shape[-1] // math.isqrt(trace.value("src.patches").shape[1])
        assert f"of {side} × {side} pixels" in patches.text


def test_the_prompt_is_not_graded(traced: tuple[Trace, list[str], str]) -> None:
    trace, vocab, _ = traced
    if not trace.find("loss.mask"):
        pytest.skip("only a decoder-only training step masks its prompt")
    mask = trace.meta["loss_mask"]
    e = explain(trace, _first(trace, "loss.mask"), "en", vocab)
    assert f"{sum(mask)} of {len(mask)} positions" in e.text
    first = trace.meta["tgt_in_tokens"][mask.index(True)]
    assert f"from “{first}” on" in e.text
    assert first == "="  # the "=" position predicts the answer's first word


def test_an_attention_sentence_names_the_most_attended_token_of_the_head(
    traced: tuple[Trace, list[str], str],
) -> None:
    trace, vocab, model = traced
    if model != "gpt-de" or not trace.find("t5/*"):
        pytest.skip("the GPT's decoding trace")
    step = _first(trace, "t5/dec.1.self_attn.weights")
    weights = trace.value(step.key)[0]  # (head, query, key)
    ids = trace.value(_first(trace, "t5/tgt.tokens").key)[0]
    words = [vocab[int(i)] for i in ids]
    for head in range(weights.shape[0]):
        e = explain(trace, step, "en", vocab, row=10, head=head)
        j = int(np.argmax(weights[head, 10]))
        assert e.text.startswith(f"Head {head}: “{words[10]}” has its largest value")
        assert f"{num(weights[head, 10, j])}, at “{words[j]}”" in e.text
    assert words[4] == "arrow" and int(np.argmax(weights[0, 10])) == 4  # the chapter's claim


def test_a_gpt_decoding_step_labels_its_positions_with_prompt_and_answer(
    traced: tuple[Trace, list[str], str],
) -> None:
    from core.display import as_matrix

    trace, vocab, model = traced
    if model not in ("gpt-de", "moe-de") or not trace.find("t5/*"):
        pytest.skip("a decoder-only decoding trace")
    step = _first(trace, "t5/dec.1.self_attn.weights")
    ids = trace.value(_first(trace, "t5/tgt.tokens").key)[0]
    m = as_matrix(trace, step, step.key, 0, vocab)
    assert m.rows == m.cols == [vocab[int(i)] for i in ids]  # what the model read
    assert m.rows[4:7] == ["arrow", "=", "die"]
