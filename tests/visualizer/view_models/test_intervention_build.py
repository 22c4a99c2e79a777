"""Which intervention each control of the interventions panel makes, without Qt, and that
the model re-run with it changes exactly what the control says."""

from __future__ import annotations

import numpy as np
import pytest

from core.navigator import Selection
from core.session import Session
from core.tracing import trace_translation
from visualizer.panels.interventions.intervention_build import (
    ablation,
    attention_block,
    can_intervene,
    describe,
    edit,
    head_change,
    selected_cell,
    sublayer,
)
from visualizer.panels.interventions.intervention_text import STRINGS, t

LECTURE = "Time flies like an arrow"


def test_the_selected_cell_is_the_traced_element(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("t2/dec.0.self_attn.weights")
    cell = selected_cell(trace, step, Selection(head=1, row=1, col=0))
    assert cell is not None and cell.key == step.key
    assert cell.index == (0, 1, 1, 0)  # batch 0, head 1, the shown row and column
    assert cell.value == float(trace.value(step.key)[cell.index])
    assert np.float32(cell.text) == trace.value(step.key)[cell.index]  # reads back exactly
    assert selected_cell(trace, step, Selection(head=1, row=None, col=0)) is None
    assert selected_cell(trace, step, Selection(head=1, row=9, col=0)) is None  # outside
    ids = trace.first("src.tokens")  # token ids are not edited
    assert selected_cell(trace, ids, Selection(row=0, col=0)) is None


def test_an_edit_sets_that_element_in_the_rerun(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("t2/dec.0.self_attn.weights")
    sel = Selection(head=1, row=1, col=0)
    cell = selected_cell(trace, step, sel)
    assert cell is not None
    edited = edit(trace, step, sel, 0.5)
    assert describe(edited, "en") == "set dec.0.self_attn.weights[0, 1, 1, 0] to 0.5 at t2"
    assert describe(edited, "zh") == "将 dec.0.self_attn.weights[0, 1, 1, 0] 设为 0.5（仅 t=2）"
    rerun, _ = trace_translation(translate.bundle, LECTURE, interventions=[edited])
    after = rerun.value(step.key)
    assert after[cell.index] == 0.5 != cell.value
    before = trace.value("t1/dec.0.self_attn.weights")  # other decoding steps: untouched
    np.testing.assert_array_equal(rerun.value("t1/dec.0.self_attn.weights"), before)
    with pytest.raises(ValueError, match="finite"):
        edit(trace, step, sel, float("nan"))


def test_zeroing_a_head_silences_it_in_the_rerun(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("enc.1.self_attn.scores")
    assert attention_block(step) == "enc.1.self_attn"
    zero = head_change(step, 2, None, only_t=False)
    assert describe(zero, "en") == "zero head 2 of enc.1.self_attn.context"
    assert describe(zero, "zh") == "将 enc.1.self_attn.context 的头 2 置零"
    rerun, _ = trace_translation(translate.bundle, LECTURE, interventions=[zero])
    context = rerun.value("enc.1.self_attn.context")
    assert not context[:, 2].any() and context[:, 1].any()
    half = head_change(step, 1, 0.5, only_t=False)
    assert describe(half, "en") == "scale head 1 of enc.1.self_attn.context by 0.5"
    with pytest.raises(ValueError, match="attention block"):
        head_change(trace.first("enc.1.ffn.hidden"), 0, None, only_t=False)


def test_ablation_names_the_sublayer_an_add_and_norm_adds(translate: Session) -> None:
    trace = translate.trace
    assert sublayer(trace.first("enc.0.add1")) == "enc.0.self_attn"
    assert sublayer(trace.first("t1/dec.1.norm2")) == "dec.1.cross_attn"
    assert sublayer(trace.first("t1/dec.1.add3")) == "dec.1.ffn"
    assert sublayer(trace.first("src.input")) is None
    assert attention_block(trace.first("t1/dec.1.norm2")) is None
    off = ablation(trace.first("enc.0.add1"), only_t=False)
    assert describe(off, "en") == "zero enc.0.self_attn.out"
    rerun, _ = trace_translation(translate.bundle, LECTURE, interventions=[off])
    assert not rerun.value("enc.0.self_attn.out").any()
    at_t = ablation(trace.first("t3/dec.0.ffn.hidden"), only_t=True)
    assert describe(at_t, "en") == "zero dec.0.ffn.out at t3"


def test_a_training_step_takes_no_interventions(train: Session) -> None:
    trace = train.trace
    assert not any(can_intervene(s) for s in trace.steps if s.phase != "forward")
    back = trace.first("dec.1.cross_attn.weights", phase="backward")
    assert attention_block(back) is None and sublayer(back) is None
    assert selected_cell(trace, back, Selection(row=0, col=0)) is None


def test_strings_in_both_languages() -> None:
    for key, text in STRINGS.items():
        assert text.get("en") and text.get("zh"), key
    assert t("zero", "en", h=2) == "Zero head 2" and t("on", "zh", n=3) == "3 个生效"
