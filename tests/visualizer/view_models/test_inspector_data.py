"""The tensor inspector's numbers and the cut every view shows, without Qt: the shown
matrix is the traced tensor (in its own dtype), each cell maps back to its element, and
statistics, histograms and comparisons are those of the traced values."""

from __future__ import annotations

import numpy as np
import pytest

from core.inspector import TensorInfo, compare
from core.session import Session
from visualizer.panels.inspector.inspector_data import InspectorData, compare_with, pin
from visualizer.panels.inspector.inspector_text import STRINGS, t
from visualizer.widgets.tensor_cut import cut


def vocab(s: Session) -> list[str]:
    return [s.bundle.tgt_tok.token(i) for i in range(s.bundle.tgt_tok.size)]


def test_a_per_head_tensor_is_cut_to_the_head(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("enc.0.self_attn.weights")
    shown = cut(trace, step, step.key, 2, vocab(translate))
    value = trace.value(step.key)
    np.testing.assert_array_equal(shown.values, value[0, 2])
    assert shown.values.dtype == value.dtype == np.float32  # never widened
    assert shown.rows == shown.cols == trace.meta["src_tokens"]
    assert (shown.row_axis, shown.col_axis) == ("src", "src")
    assert shown.cut.fixed == (0, 2, None, None)  # batch 0, head 2; rows and columns free
    assert (shown.cut.row_dim, shown.cut.col_dim) == (2, 3)
    for r, c in ((0, 0), (1, 3), (5, 4)):
        index = shown.cut.index(r, c)
        assert index == (0, 2, r, c) and shown.tensor[index] == shown.values[r, c]
    np.testing.assert_array_equal(shown.cut.take(value), shown.values)


def test_token_ids_stay_integers(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("src.tokens")
    shown = cut(trace, step, step.key, 0, vocab(translate))
    assert shown.values.dtype == np.int64
    np.testing.assert_array_equal(shown.values, trace.value("src.tokens"))
    assert shown.cols == trace.meta["src_tokens"]
    assert shown.cut.index(0, 3) == (0, 3)


def test_a_scalar_is_one_cell(train: Session) -> None:
    trace = train.trace
    step = trace.first("loss", phase="loss")
    shown = cut(trace, step, step.key, 0, vocab(train))
    assert shown.values.shape == (1, 1) and shown.cut.index(0, 0) == ()
    assert float(shown.values[0, 0]) == float(trace.value("loss"))


def test_inspector_data_caches_per_trace(translate: Session, train: Session) -> None:
    data = InspectorData()
    data.reset(translate.trace)
    step = translate.trace.first("t2/dec.1.cross_attn.weights")
    a = data.shown(step, step.key, 1, vocab(translate))
    assert data.shown(step, step.key, 1, vocab(translate)) is a
    assert data.shown(step, step.key, 3, vocab(translate)) is not a
    x = translate.trace.value(step.key)
    assert data.info("now:" + step.key, x) == TensorInfo.of(x)
    hist = data.histogram("now:" + step.key, x, bins=10)
    assert hist is not None and int(hist.counts.sum()) == x.size and hist.nan == hist.inf == 0
    data.reset(train.trace)  # a new trace: nothing of the old one is kept
    assert data.trace is train.trace and not data._shown and not data._info


def test_info_of_values_that_have_none(translate: Session) -> None:
    data = InspectorData()
    assert data.info("", np.array(["a", "b"])) is None
    assert data.histogram("", np.array(["a"])) is None


def test_a_comparison_is_b_minus_a(translate: Session) -> None:
    trace = translate.trace
    v = vocab(translate)
    step_a, step_b = trace.first("t1/dec.0.add1"), trace.first("t1/dec.0.norm1")
    a = pin(cut(trace, step_a, step_a.key, 0, v), "A")
    b = cut(trace, step_b, step_b.key, 0, v)
    cmp = compare_with(a.tensor, a.matrix, b, a.label)
    assert cmp.diff is not None and cmp.matrix_diff is not None
    want = compare(trace.value(step_a.key), trace.value(step_b.key))
    assert cmp.diff.max_abs == want.max_abs and cmp.diff.changed == want.changed
    np.testing.assert_allclose(
        cmp.matrix_diff, b.values.astype(np.float64) - a.matrix.astype(np.float64)
    )
    other = cut(trace, trace.first("t1/dec.0.ffn.hidden"), "t1/dec.0.ffn.hidden", 0, v)
    apart = compare_with(a.tensor, a.matrix, other, a.label)  # shapes differ: no numbers
    assert apart.diff is None and apart.matrix_diff is None


def test_a_pin_is_a_copy(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("enc.1.ffn.out")
    shown = cut(trace, step, step.key, 0, vocab(translate))
    pinned = pin(shown, f"{step.key} @ step {step.index}")
    assert pinned.key == step.key and pinned.rows == shown.rows
    assert not np.shares_memory(pinned.tensor, shown.tensor)
    np.testing.assert_array_equal(pinned.matrix, shown.values)


def test_strings_in_both_languages() -> None:
    assert t("shapes", "en", a="(1, 6)", b="(1, 7)") == "cannot compare: A is (1, 6), B is (1, 7)"
    assert t("empty", "zh") == "尚无轨迹"
    for key, text in STRINGS.items():
        assert text.get("en") and text.get("zh"), key


@pytest.mark.parametrize("key", ["enc.0.self_attn.q", "t3/dec.1.ffn.act", "t3/next.probs"])
def test_every_cell_maps_back_to_its_element(translate: Session, key: str) -> None:
    trace = translate.trace
    step = trace.first(key)
    shown = cut(trace, step, key, 1, vocab(translate))
    rows, cols = shown.values.shape
    for r in range(0, rows, max(1, rows // 4)):
        for c in range(0, cols, max(1, cols // 4)):
            assert shown.tensor[shown.cut.index(r, c)] == shown.values[r, c]
