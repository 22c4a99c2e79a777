"""The narration's worked formulas, without Qt: every number written out is the traced
one for the selected cell, for every step of a translation and of a training step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.display import as_matrix, stats
from core.session import Session
from visualizer.panels.narration.worked import worked
from visualizer.panels.narration.worked_cell import Cell
from visualizer.panels.narration.worked_text import STRINGS, dot, fmt, par, plus


def vocab(s: Session) -> list[str]:
    return [s.bundle.tgt_tok.token(i) for i in range(s.bundle.tgt_tok.size)]


def test_every_translation_step_works_out_its_traced_cell(translate: Session) -> None:
    trace, v = translate.trace, vocab(translate)
    for step in trace.steps:
        w = worked(trace, step, 1, 2, 3, "en", v)
        out = as_matrix(trace, step, step.tensors.get("out", step.key), 1, v).values
        r, c = min(2, out.shape[0] - 1), min(3, out.shape[1] - 1)  # clamped to the matrix
        assert w.values["out"] == float(out[r, c]) or math.isnan(out[r, c]), step.key
        assert w.header and w.lines, step.key


def test_softmax_shows_its_input_cell(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("enc.0.self_attn.weights")
    w = worked(trace, step, 2, 1, 3, "en")
    assert w.values["out"] == float(trace.value(step.key)[0, 2, 1, 3])
    assert w.values["x"] == float(trace.value("enc.0.self_attn.scaled")[0, 2, 1, 3])
    assert fmt(w.values["out"]) in " ".join(w.lines) and "head 2" in w.header


def test_linear_uses_the_weight_row_of_the_head(translate: Session) -> None:
    trace = translate.trace
    w = worked(trace, trace.first("enc.0.self_attn.q"), 1, 2, 3, "en")
    weight = trace.value("enc.0.self_attn.w_q.weight")
    bias = trace.value("enc.0.self_attn.w_q.bias")
    assert w.values["w0"] == float(weight[1 * 16 + 3, 0])
    assert w.values["bias"] == float(bias[19])
    assert w.values["out"] == float(trace.value("enc.0.self_attn.q")[0, 1, 2, 3])


def test_layernorm_shows_the_rows_mean(translate: Session) -> None:
    trace = translate.trace
    w = worked(trace, trace.first("enc.0.norm1"), 0, 2, 5, "zh")
    assert w.values["mean"] == pytest.approx(stats(trace.value("enc.0.add1")[0, 2])["mean"])
    assert w.values["gamma"] == float(trace.value("enc.0.norm1.weight")[5])
    assert w.values["out"] == float(trace.value("enc.0.norm1")[0, 2, 5])
    assert w.header.startswith("单元格 [2, 5]")


def test_a_masked_cell_is_minus_infinity(translate: Session) -> None:
    trace = translate.trace
    w = worked(trace, trace.first("t2/dec.0.self_attn.masked"), 0, 0, 2, "en")
    assert w.values["out"] == float("-inf") and "−∞" in " ".join(w.lines)


def test_the_cell_defaults_to_the_likeliest_token(translate: Session) -> None:
    trace = translate.trace
    step = trace.first("t3/next.probs")
    cell = Cell(trace, step, 0, None, None, vocab(translate))
    probs = trace.value(step.key).reshape(-1)
    assert (cell.r, cell.c) == (0, int(np.argmax(probs))) and cell.y == float(probs.max())
    clamped = Cell(trace, trace.first("enc.0.add1"), 0, 99, 99, [])
    assert (clamped.r, clamped.c) == (5, 63)  # the last row and column of (6, 64)


def test_a_training_trace_shows_gradients_and_updates():
    from core import checkpoint
    from core.session import BUILTIN_MODELS, MODELS
    from core.tracing import trace_training_step
    from core.train import TrainConfig, Trainer

    bundle = checkpoint.load(MODELS / BUILTIN_MODELS["en-de"])  # its own copy: it is trained
    trace = trace_training_step(
        Trainer(bundle, None, TrainConfig(warmup=0)),
        "Time flies like an arrow",
        "Die Zeit fliegt wie ein Pfeil",
    )
    vocab = [bundle.tgt_tok.token(i) for i in range(bundle.tgt_tok.size)]
    phases = set()
    for step in trace.steps:
        w = worked(trace, step, 0, 1, 1, "en", vocab)
        phases.add(step.phase)
        if step.phase == "backward":
            m = as_matrix(trace, step, step.key, 0, vocab)
            assert w.values["out"] == float(
                m.values[min(1, m.values.shape[0] - 1), min(1, m.values.shape[1] - 1)]
            )
            assert "∂L/∂" in w.lines[0]
        if step.phase == "update":
            assert "update" in w.values and "before" in w.values
    assert {"forward", "loss", "backward", "update"} <= phases


def test_an_update_adds_the_traced_update(train: Session) -> None:
    trace = train.trace
    step = trace.first("enc.0.ffn.lin1.weight", phase="update")
    w = worked(trace, step, 0, 3, 4, "en")
    before = trace.value(step.tensors["before"])[3, 4]
    update = trace.value(step.tensors["update"])[3, 4]
    assert w.values["before"] == float(before) and w.values["update"] == float(update)
    assert w.values["out"] == float(trace.value(step.key)[3, 4])
    assert w.values["out"] == pytest.approx(float(before) + float(update), abs=1e-6)


def test_number_words() -> None:
    assert fmt(float("-inf")) == "−∞" and fmt(float("nan")) == "nan"
    assert (fmt(-0.5), fmt(0.0001234), fmt(1234.5)) == ("−0.500", "1.23e−04", "1234.5")
    assert (par(-0.029), par(0.5)) == ("(−0.029)", "0.500")
    assert (plus(-0.087), plus(0.101)) == (" − 0.087", " + 0.101")
    assert dot([1.0, 2.0], [3.0, -4.0], "en") == "1.000×3.000 + 2.000×(−4.000)"
    assert dot([1.0] * 64, [1.0] * 64, "zh").endswith("+ … (共 64 项)")
    for key, text in STRINGS.items():
        assert text.get("en") and text.get("zh"), key
