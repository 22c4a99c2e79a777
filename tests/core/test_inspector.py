"""The tensor inspector's numbers: statistics, pages, histograms, exports that keep every bit."""

from __future__ import annotations

import csv
import io
import math
import statistics
from pathlib import Path

import numpy as np
import pytest
import torch

from core.inspector import (
    TensorInfo,
    compare,
    histogram,
    number_text,
    page,
    save_npy,
    to_csv,
    to_numpy_literal,
)

NAN, INF = float("nan"), float("inf")


def test_tensor_info_counts_nonfinite_and_describes_the_rest() -> None:
    x = np.array([[1.5, NAN, -2.0], [INF, 4.0, -INF]], dtype=np.float32)
    info = TensorInfo.of(torch.from_numpy(x))
    finite = [1.5, -2.0, 4.0]
    assert info.shape == (2, 3) and info.size == 6 and info.dtype == "float32"
    assert (info.nan, info.inf) == (1, 2)
    assert (info.min, info.max) == (-2.0, 4.0)
    assert info.mean == pytest.approx(statistics.fmean(finite), abs=1e-12)
    assert info.std == pytest.approx(statistics.pstdev(finite), abs=1e-12)


def test_tensor_info_of_ints_and_of_nothing_finite() -> None:
    ids = TensorInfo.of(torch.tensor([[3, 1, 4, 1, 5]]))
    assert ids.dtype == "int64" and (ids.min, ids.max, ids.nan, ids.inf) == (1, 5, 0, 0)
    assert ids.mean == pytest.approx(2.8)
    empty = TensorInfo.of(np.full(3, NAN, np.float32))
    assert empty.nan == 3 and all(math.isnan(v) for v in (empty.min, empty.max, empty.mean))
    with pytest.raises(ValueError, match="dtype"):
        TensorInfo.of(np.array(["a"]))


def test_pages_cover_every_row_once() -> None:
    x = np.arange(30).reshape(10, 3)
    pages = [page(x, i, 3) for i in range(4)]
    assert [p.first for p in pages] == [0, 3, 6, 9]
    assert {p.count for p in pages} == {4}
    assert np.array_equal(np.concatenate([p.values for p in pages]), x)
    assert page(x, 99, 3).number == 3 and page(x, -5, 3).number == 0  # clamped
    assert page(np.zeros((0, 4)), 0, 5).values.shape == (0, 4)
    with pytest.raises(ValueError, match="2-D"):
        page(np.zeros(4), 0, 2)
    with pytest.raises(ValueError, match="rows_per_page"):
        page(x, 0, 0)


def test_histogram_bins_finite_values_and_counts_the_rest() -> None:
    h = histogram(np.array([0.0, 1.0, 2.0, 3.0, 3.0, NAN, INF, -INF], np.float32), bins=3)
    assert h.edges.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert h.counts.tolist() == [1, 1, 3]  # the last bin includes its right edge
    assert (h.nan, h.inf) == (1, 2)
    nothing = histogram(np.array([NAN]), bins=4)
    assert nothing.counts.tolist() == [0, 0, 0, 0] and nothing.nan == 1
    with pytest.raises(ValueError, match="bins"):
        histogram(np.zeros(3), bins=0)


def test_csv_exports_a_labelled_selection_exactly() -> None:
    x = np.array([[0.1, 1 / 3, 2.0], [NAN, -INF, 1e-30], [5.0, 6.0, 7.0]], dtype=np.float32)
    text = to_csv(x, rows=[2, 0], cols=slice(1, 3), row_labels=["a", "b", "c"], col_labels="xyz")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["", "y", "z"]
    assert [r[0] for r in table[1:]] == ["c", "a"]
    got = np.array([[np.float32(v) for v in r[1:]] for r in table[1:]], dtype=np.float32)
    assert np.array_equal(got, x[[2, 0]][:, 1:3])
    assert table[2][1] == "0.33333334"  # shortest exact float32 text, not the double's
    plain = list(csv.reader(io.StringIO(to_csv(x))))
    assert plain[1] == ["nan", "-inf", "1e-30"]
    with pytest.raises(ValueError, match="labels"):
        to_csv(x, row_labels=["a"])
    with pytest.raises(ValueError, match="out of range"):
        to_csv(x, rows=[3])


def _bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _eval(literal: str) -> np.ndarray:
    return eval(literal, {"__builtins__": {}, "np": np})  # our own output, numbers only


def test_numpy_literal_round_trips_every_float32_bit_pattern_kind() -> None:
    gen = np.random.default_rng(0)
    bits = gen.integers(0, 2**32, size=20_000, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    x = x[~np.isnan(x)]  # NaN payloads are not numbers; NaN itself is tested below
    special = [0.1, 1 / 3, -0.0, 1e-45, 1.1754942e-38, 3.4028235e38, INF, -INF]
    x = np.concatenate([np.array(special, np.float32), x])
    x = x[: len(x) // 2 * 2].reshape(-1, 2)
    back = _eval(to_numpy_literal(x))
    assert _bits_equal(back, x)
    with_nan = np.array([[NAN, 1.0]], np.float32)
    assert np.array_equal(_eval(to_numpy_literal(with_nan)), with_nan, equal_nan=True)


@pytest.mark.parametrize(
    "values",
    [
        np.array(2.5, np.float32),
        np.array([3, -1, 2**40], np.int64),
        np.array([True, False]),
        np.zeros((2, 0, 3), np.float32),
        np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7,
        np.array([], np.float32),
    ],
)
def test_numpy_literal_keeps_dtype_and_shape(values: np.ndarray) -> None:
    text = to_numpy_literal(values)
    assert text.startswith(("np.array(", "np.zeros("))
    assert _bits_equal(_eval(text), values)


def test_number_text_is_short_and_exact() -> None:
    assert number_text(np.float32(0.1)) == "0.1"
    assert number_text(np.float64(0.1)) == "0.1"
    assert number_text(np.int64(7)) == "7"
    assert float(number_text(np.float32(0.1))) != float(np.float32(0.1))  # short, not exact double
    assert np.float32(float(number_text(np.float32(0.1)))) == np.float32(0.1)


def test_save_npy_never_pickles(tmp_path: Path) -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = save_npy(tmp_path / "values", torch.from_numpy(x))
    assert out == tmp_path / "values.npy"
    assert _bits_equal(np.load(out, allow_pickle=False), x)
    with pytest.raises(ValueError, match="objects"):
        save_npy(tmp_path / "bad.npy", np.array([{"a": 1}], dtype=object))
    assert not (tmp_path / "bad.npy").exists()


def test_compare_reports_the_largest_difference() -> None:
    a = np.array([[1.0, 2.0, 3.0], [4.0, INF, NAN]], np.float32)
    b = np.array([[1.0, 2.5, 3.0], [1.0, INF, NAN]], np.float32)
    d = compare(a, b)
    assert d.diff.tolist()[0] == [0.0, 0.5, 0.0] and d.diff[1, 0] == -3.0
    assert d.diff[1, 1] == 0.0 and d.diff[1, 2] == 0.0  # equal Inf and NaN do not differ
    assert (d.max_abs, d.where, d.changed) == (3.0, (1, 0), 2)
    assert d.mean_abs == pytest.approx(3.5 / 6)
    assert d.rel == pytest.approx(3.0 / 4.0)
    same = compare(a, a.copy())
    assert (same.max_abs, same.changed, same.where, same.rel) == (0.0, 0, (), 0.0)
    one_nan = compare(np.array([1.0]), np.array([NAN]))
    assert one_nan.changed == 1 and math.isnan(one_nan.max_abs)
    assert compare(np.zeros(2), np.array([0.0, 1.0])).rel == INF


def test_compare_refuses_other_shapes() -> None:
    with pytest.raises(ValueError) as info:
        compare(np.zeros((2, 3)), torch.zeros(3, 2))
    assert str(info.value) == "cannot compare shapes (2, 3) and (3, 2)"
