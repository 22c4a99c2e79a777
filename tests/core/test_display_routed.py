"""An MoE expert's tensors have one row per token routed to it: ``core.display`` labels
those rows with the tokens whose top-k choice is that expert (read back from the same
trace's ``….topk.experts``), in decoding, in a training step's forward and backward
passes, and where another step shows an expert's output as one of its inputs."""

from __future__ import annotations

import numpy as np
import pytest

from core.display import as_matrix, axis_labels
from core.session import MODELS, Session
from core.trace import Trace


@pytest.fixture(scope="module")
def moe() -> Session:
    s = Session.open_builtin("en-de")
    s.open_model(MODELS / "moe-de")
    assert s.error == "" and s.bundle.cfg.ffn == "moe"
    return s


def _expected(trace: Trace, topk_key: str, expert: int, sequence: list[str]) -> list[str]:
    """The tokens at the positions whose top-k list holds ``expert``, position by position."""
    chosen = trace.value(topk_key)[0]  # (L, k)
    return [
        sequence[pos]
        for pos in range(chosen.shape[0])
        for c in range(chosen.shape[1])
        if int(chosen[pos, c]) == expert
    ]


def _check_every_expert(trace: Trace, prefix: str, sequence: list[str]) -> int:
    """Every expert tensor of every MoE layer under ``prefix``; how many were checked."""
    checked = 0
    for step in trace.steps:
        if ".moe.expert." not in step.key or not step.key.startswith(prefix):
            continue
        name = step.key.removeprefix("d/").removeprefix(prefix)
        moe, expert = name.split(".expert.")[0], int(name.split(".expert.")[1].split(".")[0])
        want = _expected(trace, f"{prefix}{moe}.topk.experts", expert, sequence)
        assert step.axes[0] == "routed" and step.shape[0] == len(want), step.key
        m = as_matrix(trace, step, step.key)
        assert m.rows == want, step.key
        assert np.array_equal(m.values, trace.value(step.key).astype(np.float32))
        checked += 1
    return checked


def test_decoding_steps_label_routed_rows_with_their_tokens(moe: Session) -> None:
    trace, meta = moe.trace, moe.trace.meta
    prompt, answer = meta["src_tokens"], meta["tgt_tokens"]
    assert prompt[-1] == "="
    checked = 0
    for t in range(len(answer) + 1):  # step t reads the prompt and the first t answer tokens
        checked += _check_every_expert(trace, f"t{t}/", [*prompt, *answer][: len(prompt) + t])
    assert checked == 3 * 4 * 2 * (len(answer) + 1)  # hidden, act, out · 4 experts · 2 layers


def test_an_empty_expert_and_a_known_case(moe: Session) -> None:
    trace = moe.trace
    step = trace.first("t2/dec.0.moe.expert.0.hidden")
    chosen = trace.value("t2/dec.0.moe.topk.experts")[0, :, 0]  # (L,) top-1
    seq = [*trace.meta["src_tokens"], *trace.meta["tgt_tokens"][:2]]
    labels = axis_labels(trace, step, "routed", step.shape[0], [])
    assert labels == [tok for tok, e in zip(seq, chosen, strict=True) if e == 0]
    assert labels != [str(i) for i in range(step.shape[0])]
    for e in range(4):  # an expert nobody chose has no rows and no labels
        s = trace.first(f"t2/dec.0.moe.expert.{e}.out")
        assert len(axis_labels(trace, s, "routed", s.shape[0], [])) == int((chosen == e).sum())


def test_a_training_step_forward_backward_and_the_combine_inputs(moe: Session) -> None:
    s = Session(moe.bundle, "en-de", moe.source)
    s.mode = "train"
    trace = s.trace
    sequence = list(trace.meta["tgt_in_tokens"])  # prompt + answer, teacher-forced
    assert _check_every_expert(trace, "", sequence) == 2 * 3 * 4 * 2  # forward + gradients
    combine = trace.first("dec.1.moe.combine", phase="forward")
    for e in range(4):  # the combine shows each expert's output: labelled as that expert's
        key = combine.tensors[f"expert{e}"]
        m = as_matrix(trace, combine, key)
        assert m.row_axis == "routed"
        assert m.rows == _expected(trace, "dec.1.moe.topk.experts", e, sequence)


def test_a_dense_model_and_other_axes_are_unchanged(moe: Session) -> None:
    dense = Session.open_builtin("en-de")
    step = dense.trace.first("enc.0.ffn.hidden")
    assert as_matrix(dense.trace, step, step.key).rows == dense.trace.meta["src_tokens"]
    trace = moe.trace  # a routed axis without an expert name keeps plain indices
    other = trace.first("t1/dec.0.moe.router.probs")
    assert axis_labels(trace, other, "routed", 3, []) == ["0", "1", "2"]
