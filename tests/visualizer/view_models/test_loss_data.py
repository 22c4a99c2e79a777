"""The numbers the loss view draws, read from a real training step without Qt: every
row is the traced loss, probability and rank of the true token."""

from __future__ import annotations

import numpy as np
import pytest

from core.session import Session
from visualizer.panels.loss.loss_data import TOP_K, has_loss, loss_data


def test_rows_are_the_traced_loss_per_position(train: Session) -> None:
    tr, tok = train.trace, train.bundle.tgt_tok
    d = loss_data(tr, tok.token)
    assert d is not None
    probs = tr.value("probs")[0]
    per_token = tr.value("loss.per_token")[0]
    target = tr.value("tgt.target")[0]
    assert len(d.rows) == len(tr.meta["tgt_out_tokens"]) == per_token.shape[0]
    for t, row in enumerate(d.rows):
        tid = int(target[t])
        assert (row.t, row.true_id) == (t, tid)
        assert row.true_label == tr.meta["tgt_out_tokens"][t] == tok.token(tid)
        assert row.context == tr.meta["tgt_in_tokens"][t]  # teacher forcing: the input at t
        assert row.p_true == pytest.approx(float(probs[t, tid]), abs=1e-9)
        assert row.loss == pytest.approx(float(per_token[t]), abs=1e-9)
        assert row.rank == 1 + int(np.sum(probs[t] > probs[t, tid]))
        top = np.argsort(-probs[t], kind="stable")[:TOP_K]
        assert [i for i, _, _ in row.top] == [int(i) for i in top]
        assert [p for _, _, p in row.top] == pytest.approx([float(probs[t, i]) for i in top])
        assert row.in_top == (row.rank <= TOP_K)
    assert d.mean == pytest.approx(float(tr.value("loss")), abs=1e-9)
    assert d.worst == int(np.argmax(per_token))
    assert d.max_loss == pytest.approx(float(per_token.max()))
    assert d.after == pytest.approx(tr.meta["loss_after"])
    assert d.mismatch < 1e-4  # −log p agrees with the traced loss


def test_a_translation_has_no_loss(translate: Session) -> None:
    assert not has_loss(translate.trace) and not has_loss(None)
    assert loss_data(translate.trace, translate.bundle.tgt_tok.token) is None


def test_true_token_outside_top5_is_marked(train: Session) -> None:
    tr = train.trace
    saved = tr.tensors["tgt.target"].clone()
    try:
        probs = tr.value("probs")[0, 2]
        rare = int(np.argsort(probs)[0])  # the least likely token
        tr.tensors["tgt.target"][0, 2] = rare
        d = loss_data(tr, train.bundle.tgt_tok.token)
        assert d is not None
        row = d.rows[2]
        assert not row.in_top and row.rank == len(probs)
        assert row.p_true == pytest.approx(float(probs[rare]))
    finally:
        tr.tensors["tgt.target"] = saved
