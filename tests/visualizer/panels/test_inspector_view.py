"""The tensor inspector: exact values, paging, exports that round-trip, and comparisons."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
import torch
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from core.display import as_matrix
from core.inspector import TensorInfo, compare
from core.interventions import zero_head
from core.navigator import Selection
from core.session import Session
from core.trace import Trace
from visualizer.bridge import SessionBridge
from visualizer.panels.inspector.inspector_view import InspectorView


@pytest.fixture
def view(qtbot, session: Session, bridge: SessionBridge) -> Iterator[InspectorView]:
    session.lang, session.animate = "en", False
    session.selection = Selection()
    if session.interventions:
        session.clear_interventions()
    session.seek(0)
    v = InspectorView(session, bridge)
    qtbot.addWidget(v)
    v.resize(1000, 620)
    v.show()
    yield v
    v.close()


def vocab(session: Session) -> list[str]:
    tok = session.bundle.tgt_tok
    return [tok.token(i) for i in range(tok.size)]


def table_values(v: InspectorView) -> np.ndarray:
    """Every cell of the current page, read back through the model (Qt.UserRole)."""
    m = v.table.model
    return np.array(
        [
            [m.data(m.index(r, c), Qt.ItemDataRole.UserRole) for c in range(m.columnCount())]
            for r in range(m.rowCount())
        ]
    )


def expected_matrix(session: Session, key: str) -> np.ndarray:
    step = session.step
    x = session.trace.value(key)
    m = as_matrix(session.trace, step, key, session.selection.head, vocab(session))
    assert x.dtype.kind != "f" or m.values.dtype == x.dtype
    return m.values


@pytest.mark.parametrize(
    ("step", "head"),
    [
        ("enc.0.self_attn.weights", 2),
        ("t3/dec.1.cross_attn.weights", 1),
        ("t2/dec.0.ffn.hidden", 0),
        ("enc.1.norm2", 0),
        ("t2/logits", 0),
    ],
)
def test_table_values_equal_the_trace_exactly(
    view: InspectorView, session: Session, step: str, head: int
) -> None:
    session.selection = Selection(head=head)
    session.seek_name(step)
    want = expected_matrix(session, session.step.key)
    got = table_values(view)
    assert got.dtype == np.float32
    shown = got.T if view.table.transposed else got
    assert np.array_equal(shown, want[: shown.shape[0]])  # bit for bit
    x = session.trace.value(session.step.key)
    if "head" in session.step.axes:
        assert np.array_equal(shown, x[0, head][: shown.shape[0]])
    view.set_digits(0)  # exact: the text reads back to the same float32
    m = view.table.model
    texts = [m.data(m.index(r, 0)) for r in range(m.rowCount())]
    assert [np.float32(t) for t in texts] == list(got[:, 0])
    info = TensorInfo.of(x)
    assert str(info.shape) in view.ui.info.text() and "float32" in view.ui.info.text()


def test_vectors_and_ids_keep_their_values_and_dtype(view: InspectorView, session: Session) -> None:
    session.seek_name("t2/next.probs")
    probs = session.trace.value(session.step.key)
    assert view.table.transposed  # a row over the vocabulary reads as one column
    assert np.array_equal(table_values(view)[:, 0], probs[0])
    m = view.table.model
    assert m.headerData(5, Qt.Orientation.Vertical).endswith(vocab(session)[5])
    session.seek_name("src.tokens")
    ids = table_values(view)
    assert ids.dtype == np.int64
    assert np.array_equal(ids[:, 0], session.trace.value("src.tokens")[0])


def test_paging_covers_every_row(view: InspectorView, session: Session) -> None:
    session.seek_name("src.embed")
    view.set_role("table")  # the embedding table: one row per word
    assert view.shown is not None and view.shown.key == "src_embed.weight"
    table = session.trace.value("src_embed.weight")
    view.table.rows_per_page = 16
    view.set_page(0)
    pages, seen = view.table.page_count, []
    assert pages == -(-table.shape[0] // 16) > 1
    for p in range(pages):
        assert view.table.page == p and view.table.prev.isEnabled() == (p > 0)
        assert view.table.next.isEnabled() == (p < pages - 1)
        assert f"page {p + 1}/{pages}" in view.table.where.text()
        seen.append(table_values(view))
        view.next_page()
    assert view.table.page == pages - 1  # no page after the last
    assert np.array_equal(np.concatenate(seen), table)
    view.prev_page()
    assert view.table.page == pages - 2
    session.selection = replace(session.selection, row=table.shape[0] - 1, col=3)
    view.set_role("out")


def select_block(v: InspectorView, rows: range, cols: range) -> None:
    m, sel = v.table.model, QItemSelection()
    sel.select(m.index(rows[0], cols[0]), m.index(rows[-1], cols[-1]))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    v.table.view.selectionModel().select(sel, flags)


def test_csv_and_numpy_copies_round_trip(view: InspectorView, session: Session) -> None:
    session.seek_name("t3/dec.1.ffn.out")
    x = session.trace.value(session.step.key)
    select_block(view, range(1, 3), range(2, 6))
    text = view.copy_csv()
    assert QGuiApplication.clipboard().text() == text
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][1:] == view.table.cols[2:6]  # the header names the columns
    assert [row[0] for row in lines[1:]] == view.table.rows[1:3]
    back = np.array([[np.float32(c) for c in row[1:]] for row in lines[1:]])
    assert np.array_equal(back, x[0, 1:3, 2:6])
    literal = view.copy_numpy()
    assert np.array_equal(eval(literal, {"np": np}), x[0, 1:3, 2:6])
    view.table.view.clearSelection()
    whole = eval(view.copy_numpy(), {"np": np})
    assert whole.dtype == x.dtype and whole.shape == x.shape and np.array_equal(whole, x)
    lines = list(csv.reader(io.StringIO(view.copy_csv())))
    assert len(lines) == 1 + x.shape[1] and len(lines[1]) == 1 + x.shape[2]


def test_saved_npy_equals_the_tensor(view: InspectorView, session: Session, tmp_path) -> None:
    session.seek_name("t1/dec.0.cross_attn.weights")
    out = view.save_npy(tmp_path / "weights")
    assert out is not None and out.name == "weights.npy"
    back = np.load(out, allow_pickle=False)
    x = session.trace.value(session.step.key)
    assert back.dtype == x.dtype and np.array_equal(back, x)
    assert view.save_npy(tmp_path / "missing" / "x.npy") is None and session.error
    session.error = ""


def test_compare_a_pinned_tensor_with_another_step(view: InspectorView, session: Session) -> None:
    session.seek_name("t2/dec.1.add2")
    a = session.trace.value(session.step.key).copy()
    view.pin()
    assert view.compare.unpin.isEnabled()
    session.seek_name("t2/dec.1.norm2")
    b = session.trace.value(session.step.key)
    c = view.comparison
    want = compare(a, b)
    assert c is not None and c.diff is not None
    assert (c.diff.max_abs, c.diff.mean_abs, c.diff.where, c.diff.rel, c.diff.changed) == (
        want.max_abs,
        want.mean_abs,
        want.where,
        want.rel,
        want.changed,
    )
    assert f"{want.max_abs:.6g}" in view.compare.numbers.text()
    assert np.array_equal(view.compare.heatmap.values, (b - a)[0].astype(np.float32))
    view.set_table_mode("diff")
    assert np.array_equal(table_values(view), want.diff[0])
    view.set_table_mode("a")
    assert np.array_equal(table_values(view), a[0])
    session.seek_name("t3/dec.1.norm2")  # another prefix length: shapes differ
    assert view.comparison is None and "cannot compare" in view.compare.numbers.text()
    assert view.compare.mode == "b"
    view.unpin()
    assert view.comparison is None and not view.compare.unpin.isEnabled()


def test_before_after_difference_with_an_intervention(
    view: InspectorView, session: Session
) -> None:
    session.add_intervention(zero_head("enc.1.self_attn", 1))
    assert session.clean is not None
    session.seek_name("t1/dec.0.cross_attn.context")
    key = session.step.key
    before, after = session.clean.value(key), session.trace.value(key)
    c = view.comparison
    assert c is not None and view.compare.clean and c.diff is not None
    assert c.diff.max_abs == compare(before, after).max_abs > 0
    assert view.compare.mode_buttons["a"].text() == "before"
    view.set_table_mode("a")
    assert np.array_equal(table_values(view), before[0, 0])
    view.set_table_mode("diff")
    assert np.array_equal(table_values(view), compare(before, after).diff[0, 0])
    view.set_table_mode("b")
    assert np.array_equal(table_values(view), after[0, 0])
    session.clear_interventions()
    assert view.comparison is None


def test_head_and_cell_follow_the_session(qtbot, view: InspectorView, session: Session) -> None:
    session.seek_name("enc.0.self_attn.scores")
    session.selection = Selection(head=3, row=2, col=4)
    x = session.trace.value(session.step.key)
    assert np.array_equal(table_values(view), x[0, 3]) and view.ui.head.value() == 3
    cur = view.table.view.currentIndex()
    assert (cur.row(), cur.column()) == (2, 4)
    view.ui.head.setValue(1)
    assert session.selection.head == 1
    rect = view.table.view.visualRect(view.table.model.index(4, 1))
    qtbot.mouseClick(view.table.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (session.selection.row, session.selection.col) == (4, 1)


def test_nan_and_inf_are_counted_and_marked(view: InspectorView, session: Session) -> None:
    plain = session.trace
    session.seek_name("enc.0.ffn.hidden")
    key = session.step.key
    broken = plain.tensors[key].clone()
    broken[0, 1, 2], broken[0, 3, 4] = float("nan"), float("inf")
    session.trace = Trace(plain.steps, {**plain.tensors, key: broken}, plain.meta)
    try:
        text = view.ui.info.text()
        assert "NaN 1" in text and "Inf 1" in text
        m = view.table.model
        assert m.data(m.index(1, 2), Qt.ItemDataRole.BackgroundRole) is not None
        assert m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
        assert view.hist.counts.sum() == broken.numel() - 2
    finally:
        session.trace = plain


def test_every_step_and_both_languages(view: InspectorView, session: Session) -> None:
    for i in range(len(session)):
        session.seek(i)
        assert not view.ui.message.isVisible(), (i, view.ui.message.text())
        assert view.shown is not None and view.shown.key == session.step.key
    session.lang = "zh"
    assert view.ui.csv.text() == "复制 CSV" and "页" in view.table.where.text()
    session.lang = "en"
    assert view.ui.csv.text() == "Copy CSV"
    assert torch.is_tensor(session.trace.tensors[session.step.key])
