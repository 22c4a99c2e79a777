"""The tensor view's plan (which matrices, joined by which op) and the numbers behind its
panels, checked against a real translation and a real training step, without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from core.session import Session
from core.trace import Step, Trace
from visualizer.panels.tensor.tensor_data import TensorData
from visualizer.panels.tensor.tensor_plan import MAX_PANELS, is_free, is_product, link, plan


def roles(panels: list) -> list[str]:
    return [p.role for p in panels]


@pytest.mark.parametrize("which", ["translate", "train"])
def test_every_step_plans_panels_of_traced_tensors(
    which: str, request: pytest.FixtureRequest
) -> None:
    trace: Trace = request.getfixturevalue(which).trace
    for step in trace.steps:
        panels = plan(step)
        assert 1 <= len(panels) <= MAX_PANELS, step.key
        assert all(p.key in trace.tensors for p in panels), step.key
        assert panels[0].op == ("", ""), step.key  # nothing to the left of the first
        mains = [p for p in panels if p.main]
        assert len(mains) == 1 and mains[0].key == step.tensors.get("out", step.key), step.key
        for p in panels:
            if not p.main:  # an input is one of the step's own roles
                assert step.tensors.get(p.role) == p.key, (step.key, p.role)


def test_scores_are_q_times_k_transposed(translate: Session) -> None:
    step = translate.trace.first("enc.0.self_attn.scores")
    panels = plan(step)
    assert roles(panels) == ["q", "k", "out"]
    q, k, out = panels
    assert (q.key, k.key, out.key) == (step.tensors["q"], step.tensors["k"], step.key)
    assert k.transpose and k.label == "Kᵀ" and k.op == ("·", "")
    assert is_product(panels)
    shape = translate.trace.value(step.key)[0, 0].shape
    assert link(q, (1, 2), shape) == (1, None)  # the cell's row of Q ...
    assert link(k, (1, 2), shape) == (None, 2)  # ... and its column of Kᵀ


def test_embedding_looks_up_rows_of_the_table(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("src.embed")
    panels = plan(step)
    assert roles(panels) == ["ids", "out", "table"]
    table = panels[2]
    assert table.param and is_free(table) and table.link == "table"
    ids = trace.value("src.tokens")[0]
    for r in range(ids.size):  # output row r is the table's row ids[r]
        assert link(table, (r, 0), (1, 1), ids=ids) == (int(ids[r]), None)
        np.testing.assert_array_equal(
            trace.value("src.embed")[0, r], trace.value("src_embed.weight")[ids[r]]
        )
    assert roles(plan(step, show_params=False)) == ["ids", "out"]


def test_backward_and_update_steps(train: Session) -> None:
    trace = train.trace
    grad = trace.first("dec.1.cross_attn.weights", phase="backward")
    panels = plan(grad)
    assert roles(panels) == ["value", "out"] and panels[1].label == "grad"
    value, out = (trace.value(p.key) for p in panels)
    assert panels[0].key == grad.tensors["value"] and value.shape == out.shape  # ∂L/∂x is x's shape
    update = next(s for s in trace.steps if s.phase == "update")
    assert roles(plan(update)) == ["before", "grad", "update", "out"]


def test_max_panels_drops_parameters_first(translate: Session) -> None:
    step = translate.trace.first("enc.0.norm1")
    assert roles(plan(step)) == ["x", "weight", "out"]
    assert roles(plan(step, max_panels=2)) == ["x", "out"]


# -- TensorData: the numbers each panel shows ---------------------------------------------


def shown_all(data: TensorData, step: Step, head: int = 0) -> list[np.ndarray]:
    return [data.shown(step, p, head).values for p in plan(step)]


def test_shown_values_are_the_traced_numbers(translate: Session) -> None:
    trace, data = translate.trace, TensorData(translate)
    step = trace.first("enc.0.self_attn.scores")
    q, k, out = shown_all(data, step, head=2)
    np.testing.assert_array_equal(q, trace.value(step.tensors["q"])[0, 2])
    np.testing.assert_array_equal(k, trace.value(step.tensors["k"])[0, 2].T)
    np.testing.assert_array_equal(out, trace.value(step.key)[0, 2])
    scores = data.shown(step, plan(step)[2], 2)
    assert scores.rows == scores.cols == trace.meta["src_tokens"] and scores.head == 2
    np.testing.assert_allclose(q @ k, out, rtol=1e-4, atol=1e-4)  # Q · Kᵀ = scores


def test_a_projection_weight_is_cut_to_the_head(translate: Session) -> None:
    trace, data = translate.trace, TensorData(translate)
    step = trace.first("enc.0.self_attn.q")
    x, w, out = plan(step)
    assert w.head_slice and w.transpose
    shown_w = data.shown(step, w, 1).values
    np.testing.assert_array_equal(shown_w, trace.value("enc.0.self_attn.w_q.weight")[16:32].T)
    bias = data.shown(step, x, 1).values @ shown_w - data.shown(step, out, 1).values
    np.testing.assert_allclose(bias - bias[0], 0, atol=1e-4)  # rows differ by the bias only


def test_next_probs_reads_the_last_logits_row(translate: Session) -> None:
    trace, data = translate.trace, TensorData(translate)
    step = trace.first("t4/next.probs")
    logits, probs = plan(step)
    full = trace.value(step.tensors["x"])
    shown = data.shown(step, logits, 0)
    np.testing.assert_array_equal(shown.values[0], full.reshape(-1, full.shape[-1])[-1])
    assert shown.values.shape == (1, full.shape[-1])
    tok = translate.bundle.tgt_tok
    assert data.shown(step, probs, 0).cols == [tok.token(i) for i in range(tok.size)]


def test_chosen_token_is_an_id_labelled_by_its_token(translate: Session) -> None:
    trace, data = translate.trace, TensorData(translate)
    step = trace.first("t3/next.token")
    out = data.shown(step, plan(step)[-1], 0)
    chosen = int(trace.value(step.key)[0])
    assert out.rows == ["id"] and out.cols == [translate.bundle.tgt_tok.token(chosen)]
    assert out.cols[0] == trace.meta["tgt_tokens"][3]


def test_stats_count_the_masked_entries(translate: Session) -> None:
    trace, data = translate.trace, TensorData(translate)
    key = "t2/dec.0.self_attn.masked"
    value = trace.value(key)
    stats = data.stats(key)
    assert stats["neginf"] == int(np.isneginf(value).sum()) > 0
    finite = value[np.isfinite(value)]
    assert stats["max"] == pytest.approx(float(finite.max()))
    data.clear()
    assert data.stats(key) == stats
