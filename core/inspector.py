"""The numbers behind a tensor inspector: statistics, paging, histograms, export, diffs.

An inspector shows a traced tensor exactly, so everything here is careful with the
awkward values a debugger exists to find: NaN and Inf are counted, never averaged
into a statistic; exports keep every bit (the shortest text that reads back to the
same float32, and ``.npy`` without pickle). The GUI's inspector panel only draws
what these functions return (no Qt here).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core import atomic

ArrayLike = np.ndarray | torch.Tensor
Selection = slice | Sequence[int]


def as_array(values: ArrayLike) -> np.ndarray:
    """A NumPy view of a tensor or array (no copy for a CPU tensor)."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


@dataclass(frozen=True)
class TensorInfo:
    """Shape, dtype and statistics of the finite values, plus how many are not finite."""

    shape: tuple[int, ...]
    dtype: str
    min: float  # these four over the finite values only; NaN when there are none
    max: float
    mean: float
    std: float  # population standard deviation (ddof 0)
    nan: int
    inf: int  # +Inf and -Inf together

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @classmethod
    def of(cls, values: ArrayLike) -> TensorInfo:
        x = as_array(values)
        if x.dtype.kind not in "biuf":
            raise ValueError(f"cannot summarise values of dtype {x.dtype}")
        flat = x.ravel()
        nan = inf = 0
        if x.dtype.kind == "f":
            nan, inf = int(np.isnan(flat).sum()), int(np.isinf(flat).sum())
            if nan or inf:
                flat = flat[np.isfinite(flat)]
        if not flat.size:
            return cls(x.shape, str(x.dtype), *(math.nan,) * 4, nan, inf)
        wide = flat.astype(np.float64)  # statistics of float32 values, without float32 rounding
        return cls(
            tuple(x.shape),
            str(x.dtype),
            float(wide.min()),
            float(wide.max()),
            float(wide.mean()),
            float(wide.std()),
            nan,
            inf,
        )


@dataclass(frozen=True)
class Page:
    """Rows ``first .. first + len(values)`` of a matrix: page ``number`` of ``count``."""

    values: np.ndarray  # (rows on this page, cols), a view of the matrix
    first: int
    number: int
    count: int


def page(values2d: ArrayLike, page: int, rows_per_page: int) -> Page:
    """Page ``page`` (from 0) of the rows of a 2-D matrix, clamped to the pages there
    are (an empty matrix has one empty page)."""
    x = as_array(values2d)
    if x.ndim != 2:
        raise ValueError(f"paging needs a 2-D matrix; got shape {tuple(x.shape)}")
    if rows_per_page < 1:
        raise ValueError(f"rows_per_page must be at least 1; got {rows_per_page}")
    count = max(1, -(-x.shape[0] // rows_per_page))
    number = min(max(page, 0), count - 1)
    first = number * rows_per_page
    return Page(x[first : first + rows_per_page], first, number, count)


@dataclass(frozen=True)
class Histogram:
    """Counts of the finite values in ``len(counts)`` equal bins between ``edges``."""

    counts: np.ndarray  # (bins,) int64
    edges: np.ndarray  # (bins + 1,) float64
    nan: int
    inf: int


def histogram(values: ArrayLike, bins: int = 50) -> Histogram:
    """A histogram of the finite values (NaN and Inf counted apart, never binned)."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1; got {bins}")
    flat = as_array(values).ravel()
    if flat.dtype.kind not in "biuf":
        raise ValueError(f"cannot bin values of dtype {flat.dtype}")
    finite = np.isfinite(flat) if flat.dtype.kind == "f" else np.ones(flat.shape, bool)
    nan = int(np.isnan(flat).sum()) if flat.dtype.kind == "f" else 0
    kept = flat[finite].astype(np.float64)
    counts, edges = np.histogram(kept, bins=bins, range=None if kept.size else (0.0, 1.0))
    return Histogram(counts.astype(np.int64), edges, nan, int(flat.size - kept.size - nan))


def number_text(value: object) -> str:
    """The shortest text that reads back (through Python's float, then the value's own
    dtype) to exactly this number: float32 0.1 is "0.1", not 0.10000000149011612.
    NaN and Inf are "nan", "inf", "-inf"."""
    if isinstance(value, np.bool_ | bool):
        return str(bool(value))
    if isinstance(value, np.integer | int):
        return str(int(value))
    if isinstance(value, np.floating):
        short = str(value)  # NumPy's shortest repr in the value's own precision
        back = type(value)(float(short))
        if back == value or (np.isnan(back) and np.isnan(value)):
            return short
        return repr(float(value))  # (never seen) double rounding: the exact long form
    return repr(float(value))  # type: ignore[arg-type]  # any other scalar: float() says if not


def to_csv(
    values2d: ArrayLike,
    rows: Selection | None = None,
    cols: Selection | None = None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
) -> str:
    """The selected rows and columns (all by default) as CSV text, every number exact.

    With ``col_labels`` the first line is a header; with ``row_labels`` the first
    column names each row. Labels cover the whole matrix and are selected with it.
    """
    x = as_array(values2d)
    if x.ndim != 2:
        raise ValueError(f"CSV export needs a 2-D matrix; got shape {tuple(x.shape)}")
    r = _indices(rows, x.shape[0], "row")
    c = _indices(cols, x.shape[1], "column")
    for labels, n, what in ((row_labels, x.shape[0], "row"), (col_labels, x.shape[1], "column")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{len(labels)} {what} labels for {n} {what}s")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if col_labels is not None:
        writer.writerow([*([""] if row_labels is not None else []), *(col_labels[j] for j in c)])
    block = x[np.ix_(r, c)]
    for i, row in zip(r, block, strict=True):
        cells = [number_text(v) for v in row]
        writer.writerow([row_labels[i], *cells] if row_labels is not None else cells)
    return out.getvalue()


def _indices(sel: Selection | None, n: int, what: str) -> list[int]:
    if sel is None:
        return list(range(n))
    if isinstance(sel, slice):
        return list(range(n))[sel]
    out = [int(i) for i in sel]
    bad = [i for i in out if not 0 <= i < n]
    if bad:
        raise ValueError(f"{what} {bad[0]} is out of range (0 to {n - 1})")
    return out


_DTYPES = {"float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"}


def to_numpy_literal(values: ArrayLike) -> str:
    """Python source that rebuilds the array exactly: ``np.array([...], dtype=np.float32)``.

    Each number is written in its shortest exact form, NaN and Inf as ``np.nan`` and
    ``np.inf``; evaluating the text with ``import numpy as np`` gives back the same
    values, bit for bit, in the same dtype and shape.
    """
    x = as_array(values)
    name = "bool_" if x.dtype == np.bool_ else x.dtype.name
    if x.dtype.name not in _DTYPES:
        raise ValueError(f"cannot write values of dtype {x.dtype} as a literal")
    body = _literal(x)
    if x.size == 0 and x.ndim > 1:  # np.array([]) would lose the shape
        return f"np.zeros({tuple(x.shape)!r}, dtype=np.{name})"
    return f"np.array({body}, dtype=np.{name})"


def _literal(x: np.ndarray, depth: int = 0) -> str:
    if x.ndim == 0:
        v = x[()]
        if x.dtype.kind == "f" and not np.isfinite(v):
            return "np.nan" if np.isnan(v) else ("np.inf" if v > 0 else "-np.inf")
        return number_text(v)
    parts = [_literal(row, depth + 1) for row in x]
    sep = ",\n" + " " * (depth + 1) if x.ndim > 1 else ", "
    return "[" + sep.join(parts) + "]"


def save_npy(path: str | Path, values: ArrayLike) -> Path:
    """Write the array as ``.npy`` (never pickled; NumPy adds the suffix if missing)."""
    x = as_array(values)
    if x.dtype.hasobject:
        raise ValueError("cannot save an array of Python objects")
    out = Path(path)
    out = out if out.suffix == ".npy" else out.with_name(out.name + ".npy")
    with atomic.staged(out) as (tmp,), tmp.open("wb") as f:  # complete, or the old file stays
        np.save(f, x, allow_pickle=False)
    return out


@dataclass(frozen=True)
class Diff:
    """``b - a`` elementwise and its summary (NaN-aware: see ``compare``)."""

    diff: np.ndarray  # b - a, float64, same shape
    max_abs: float
    mean_abs: float
    where: tuple[int, ...]  # index of the largest |b - a|; () for a scalar or no difference
    rel: float  # max |b - a| / max |a| (0 when equal; inf when a is all 0 and b is not)
    changed: int  # elements that differ (NaN vs NaN counts as equal)


def compare(a: ArrayLike, b: ArrayLike) -> Diff:
    """How ``b`` differs from ``a`` (e.g. a tensor after an intervention vs before).

    Computed in float64. NaN positions are ignored in the maxima and mean (they are
    counted in ``changed`` when only one side is NaN); shapes must be equal.
    """
    x, y = as_array(a), as_array(b)
    if x.shape != y.shape:
        raise ValueError(f"cannot compare shapes {tuple(x.shape)} and {tuple(y.shape)}")
    xf, yf = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, ignored like NaN
        diff = yf - xf
    same = (xf == yf) | (np.isnan(xf) & np.isnan(yf))
    diff[same] = 0.0  # equal infinities differ by 0, not NaN
    absd = np.abs(diff)
    valid = ~np.isnan(absd)
    if not valid.any():
        return Diff(diff, math.nan, math.nan, (), math.nan, int((~same).sum()))
    masked = np.where(valid, absd, -1.0)
    flat = int(np.argmax(masked))
    where = tuple(int(i) for i in np.unravel_index(flat, x.shape)) if x.ndim else ()
    max_abs = float(masked.ravel()[flat])
    mean_abs = float(absd[valid].mean())
    scale = np.abs(xf[np.isfinite(xf)])
    ref = float(scale.max()) if scale.size else 0.0
    rel = 0.0 if max_abs == 0 else (max_abs / ref if ref > 0 else math.inf)
    return Diff(diff, max_abs, mean_abs, where if max_abs > 0 else (), rel, int((~same).sum()))
